//! The state machine of a case: which change each state allows, and the
//! state it leads to. Pure; [`super::record`] applies it inside the
//! transaction that writes the change, so that the rule and the write see
//! the same row.

use chrono::NaiveDate;

use super::{Case, Dismissal};
use crate::vocab::{CaseEventKind, CaseState};

/// The state `case` is in after `event` done by `actor`, or why the event
/// is not allowed now.
pub fn after(case: &Case, event: CaseEventKind, actor: &str) -> Result<CaseState, String> {
    use CaseEventKind as E;
    use CaseState as S;
    let state = case.state;
    // A closed case's rectification did not hold: it runs again, as a
    // returned one does — the notice's deadline stands and keeps running
    // (the regulations give a recurring breach no new term; an extension
    // is the bureau's to grant, as for any case).
    if event == E::Reopened {
        return match state {
            S::Closed => Ok(S::Returned),
            S::Dismissed => Err(
                "a dismissed case held false findings: a finding that recurs is a new case's"
                    .into(),
            ),
            S::Opened | S::Notified | S::Responded | S::Returned => {
                Err("the case is still open: its findings are still being rectified".into())
            }
        };
    }
    let finished = matches!(state, S::Closed | S::Dismissed);
    if finished {
        return Err(format!(
            "the case is {} ({}): a finished case is not changed any more",
            state.chinese(),
            state
        ));
    }
    let running = matches!(state, S::Notified | S::Responded | S::Returned);
    match event {
        E::Opened => Err("the case is open already".into()),
        E::Reopened => unreachable!("answered above"),
        E::NoticeIssued => match state {
            S::Opened => Ok(S::Notified),
            S::Notified | S::Responded | S::Returned => Err(format!(
                "its notice was issued already (document {}); a correction is issued as a \
                 notice replacing it (POST /api/v1/documents/issue/notice with \"replaces\")",
                case.notice_id
                    .map_or_else(|| "?".into(), |id| id.to_string())
            )),
            S::Closed | S::Dismissed => unreachable!("finished cases are refused above"),
        },
        E::ResponseSubmitted => match state {
            S::Notified | S::Returned => Ok(S::Responded),
            S::Opened => Err("no notice was issued yet: there is nothing to respond to".into()),
            S::Responded => Err(
                "a response awaits verification: the next may follow only if it is returned".into(),
            ),
            S::Closed | S::Dismissed => unreachable!("finished cases are refused above"),
        },
        E::Returned | E::Accepted => match state {
            S::Responded => Ok(if event == E::Accepted {
                S::Closed
            } else {
                S::Returned
            }),
            S::Opened | S::Notified | S::Returned => {
                Err("there is no response to verify: the department has not responded".into())
            }
            S::Closed | S::Dismissed => unreachable!("finished cases are refused above"),
        },
        E::ExtensionRequested => match (running, case.pending_extension) {
            (false, _) => Err("only a notified case has a deadline to extend".into()),
            (true, Some(id)) => Err(format!(
                "extension request {id} awaits a leader's decision already"
            )),
            (true, None) => Ok(state),
        },
        E::ExtensionApproved | E::ExtensionRefused => match case.pending_extension {
            Some(_) => Ok(state),
            None => Err("no extension request awaits a decision".into()),
        },
        E::DismissalProposed => match &case.dismissal {
            Some(d) => Err(format!(
                "{} proposed its dismissal already; it awaits a second person",
                d.proposed_by
            )),
            None => Ok(state),
        },
        E::Dismissed | E::DismissalRefused => match &case.dismissal {
            None => Err("no dismissal was proposed".into()),
            Some(d) if d.proposed_by == actor => Err(format!(
                "{actor} proposed the dismissal: a second person must decide it"
            )),
            Some(_) if event == E::Dismissed => Ok(S::Dismissed),
            Some(_) => Ok(state),
        },
        E::Escalated => match (running, case.escalation_id) {
            (false, _) => Err("only a notified case can be escalated".into()),
            (true, Some(id)) => Err(format!("it was escalated already (document {id})")),
            (true, None) => Ok(state),
        },
    }
}

/// One event of a case's history, as [`as_of`] replays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Past {
    /// What happened.
    pub kind: CaseEventKind,
    /// The day it happened.
    pub on: NaiveDate,
    /// Who did it.
    pub actor: String,
    /// The deadline it set (a notice, an approved extension).
    pub deadline: Option<NaiveDate>,
}

/// `case` as it stood at the end of `day`: its history (oldest first)
/// replayed through [`after`] up to that day — its state, its deadline
/// (an extension approved later had not moved it yet) and the day of its
/// response. The evaluation of a past instant judges a case by this, not
/// by what happened to it since. An event the state machine refuses (a
/// history it did not write) leaves the state as it was.
pub fn as_of(case: &Case, history: &[Past], day: NaiveDate) -> Case {
    let mut then = Case {
        state: CaseState::Opened,
        deadline: None,
        responded_on: None,
        closed_at: None,
        escalation_id: None,
        dismissal: None,
        pending_extension: None,
        ..case.clone()
    };
    for past in history.iter().take_while(|p| p.on <= day) {
        let Ok(state) = after(&then, past.kind, &past.actor) else {
            continue;
        };
        use CaseEventKind as E;
        match past.kind {
            E::NoticeIssued | E::ExtensionApproved => {
                then.deadline = past.deadline.or(then.deadline)
            }
            E::ResponseSubmitted => then.responded_on = Some(past.on),
            E::ExtensionRequested => then.pending_extension = Some(0),
            E::DismissalProposed => {
                then.dismissal = Some(Dismissal {
                    reason: String::new(),
                    proposed_by: past.actor.clone(),
                });
            }
            E::DismissalRefused => then.dismissal = None,
            E::Escalated => then.escalation_id = Some(0),
            E::Opened
            | E::Returned
            | E::Accepted
            | E::ExtensionRefused
            | E::Dismissed
            | E::Reopened => {}
        }
        if matches!(past.kind, E::ExtensionApproved | E::ExtensionRefused) {
            then.pending_extension = None;
        }
        then.state = state;
    }
    then
}
