use chrono::NaiveDate;

use super::flow::after;
use super::{Case, Dismissal};
use crate::vocab::{CaseEventKind as E, CaseState as S};

fn case(state: S) -> Case {
    Case {
        id: 7,
        department_id: "D1".into(),
        year: 2025,
        state,
        version: 3,
        opened_by: "张三".into(),
        opened_at: "2026-02-01T09:00:00+08:00".into(),
        notice_id: (state != S::Opened).then_some(11),
        deadline: (state != S::Opened).then(|| day(2026, 2, 20)),
        responded_on: None,
        closed_at: None,
        escalation_id: None,
        dismissal: None,
        pending_extension: None,
        findings: vec!["reply:R1".into()],
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn the_happy_path_and_a_return() {
    assert_eq!(
        after(&case(S::Opened), E::NoticeIssued, "a"),
        Ok(S::Notified)
    );
    assert_eq!(
        after(&case(S::Notified), E::ResponseSubmitted, "d"),
        Ok(S::Responded)
    );
    assert_eq!(
        after(&case(S::Responded), E::Returned, "a"),
        Ok(S::Returned)
    );
    assert_eq!(
        after(&case(S::Returned), E::ResponseSubmitted, "d"),
        Ok(S::Responded)
    );
    assert_eq!(after(&case(S::Responded), E::Accepted, "a"), Ok(S::Closed));
}

#[test]
fn transitions_out_of_turn_are_refused_with_a_reason() {
    let twice = after(&case(S::Notified), E::NoticeIssued, "a").unwrap_err();
    assert!(twice.contains("issued already"), "{twice}");
    let early = after(&case(S::Notified), E::Accepted, "a").unwrap_err();
    assert!(early.contains("no response"), "{early}");
    let unnotified = after(&case(S::Opened), E::ResponseSubmitted, "d").unwrap_err();
    assert!(unnotified.contains("no notice"), "{unnotified}");
    for finished in [S::Closed, S::Dismissed] {
        for event in crate::vocab::CaseEventKind::ALL {
            if event == E::Reopened {
                continue;
            }
            let refused = after(&case(finished), event, "a").unwrap_err();
            assert!(refused.contains("finished case"), "{refused}");
        }
    }
    assert!(after(&case(S::Opened), E::ExtensionRequested, "d").is_err());
    assert!(after(&case(S::Notified), E::ExtensionApproved, "l").is_err());
}

#[test]
fn only_a_closed_case_reopens_and_it_runs_again_as_a_returned_one() {
    assert_eq!(
        after(&case(S::Closed), E::Reopened, "督考"),
        Ok(S::Returned)
    );
    let dismissed = after(&case(S::Dismissed), E::Reopened, "督考").unwrap_err();
    assert!(dismissed.contains("false findings"), "{dismissed}");
    for open in [S::Opened, S::Notified, S::Responded, S::Returned] {
        let refused = after(&case(open), E::Reopened, "督考").unwrap_err();
        assert!(refused.contains("still open"), "{refused}");
    }
}

#[test]
fn a_dismissal_needs_a_second_person() {
    let mut c = case(S::Notified);
    assert!(after(&c, E::Dismissed, "b").is_err(), "nothing proposed");
    c.dismissal = Some(Dismissal {
        reason: "数据口径错误".into(),
        proposed_by: "a".into(),
    });
    let same = after(&c, E::Dismissed, "a").unwrap_err();
    assert!(same.contains("second person"), "{same}");
    assert_eq!(after(&c, E::Dismissed, "b"), Ok(S::Dismissed));
    assert_eq!(after(&c, E::DismissalRefused, "b"), Ok(S::Notified));
    assert!(
        after(&c, E::DismissalProposed, "c").is_err(),
        "one at a time"
    );
}

#[test]
fn one_extension_request_at_a_time() {
    let mut c = case(S::Returned);
    assert_eq!(after(&c, E::ExtensionRequested, "d"), Ok(S::Returned));
    c.pending_extension = Some(4);
    assert!(after(&c, E::ExtensionRequested, "d").is_err());
    assert_eq!(after(&c, E::ExtensionApproved, "l"), Ok(S::Returned));
}

#[test]
fn overdue_follows_from_the_deadline_and_the_response_day() {
    let deadline = day(2026, 2, 20);
    let c = case(S::Notified);
    assert!(!c.overdue_on(deadline), "the deadline's own day is in time");
    assert!(c.overdue_on(day(2026, 2, 21)));
    assert!(
        !case(S::Opened).overdue_on(day(2030, 1, 1)),
        "no notice, no deadline"
    );
    let mut returned = case(S::Returned);
    returned.responded_on = Some(day(2026, 2, 10));
    assert!(
        returned.overdue_on(day(2026, 2, 23)),
        "a return does not restart the clock"
    );
    let mut closed = case(S::Closed);
    closed.responded_on = Some(day(2026, 2, 19));
    assert!(!closed.overdue_on(day(2026, 3, 1)), "rectified in time");
    closed.responded_on = Some(day(2026, 2, 24));
    assert!(closed.overdue_on(day(2026, 3, 1)), "rectified late");
    let mut dismissed = case(S::Dismissed);
    dismissed.deadline = Some(deadline);
    assert!(!dismissed.overdue_on(day(2026, 3, 1)));
}

#[test]
fn the_etag_names_case_and_version() {
    assert_eq!(case(S::Opened).etag(), "\"case-7-v3\"");
}

#[test]
fn a_case_is_judged_as_it_stood_on_a_past_day() {
    use super::flow::{Past, as_of};
    let past = |kind: E, on: NaiveDate, deadline: Option<NaiveDate>| Past {
        kind,
        on,
        actor: if kind == E::ResponseSubmitted {
            "部门".into()
        } else {
            "督查".into()
        },
        deadline,
    };
    // Notified on 2 Feb with 20 Feb as deadline; an extension asked on 18
    // Feb and approved on 24 Feb (to 6 Mar); the response came on 3 Mar
    // and was accepted on 5 Mar.
    let history = [
        past(E::Opened, day(2026, 2, 1), None),
        past(E::NoticeIssued, day(2026, 2, 2), Some(day(2026, 2, 20))),
        past(E::ExtensionRequested, day(2026, 2, 18), None),
        past(
            E::ExtensionApproved,
            day(2026, 2, 24),
            Some(day(2026, 3, 6)),
        ),
        past(E::ResponseSubmitted, day(2026, 3, 3), None),
        past(E::Accepted, day(2026, 3, 5), None),
    ];
    let now = case(S::Closed);
    let on = |d: NaiveDate| as_of(&now, &history, d);
    assert_eq!(on(day(2026, 2, 1)).state, S::Opened);
    assert_eq!(on(day(2026, 2, 1)).deadline, None);
    // On 23 Feb the deadline had passed: the extension came the next day.
    let before_extension = on(day(2026, 2, 23));
    assert_eq!(before_extension.state, S::Notified);
    assert_eq!(before_extension.deadline, Some(day(2026, 2, 20)));
    assert!(before_extension.overdue_on(day(2026, 2, 23)));
    // From the 24th the new deadline held; the response came in time.
    assert!(!on(day(2026, 2, 24)).overdue_on(day(2026, 2, 24)));
    let responded = on(day(2026, 3, 4));
    assert_eq!(responded.state, S::Responded);
    assert_eq!(responded.responded_on, Some(day(2026, 3, 3)));
    assert!(!responded.overdue_on(day(2026, 3, 10)));
    assert_eq!(on(day(2026, 3, 31)).state, S::Closed);
}
