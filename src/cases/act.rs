//! What a person does to a case, whichever way they ask: the JSON API
//! ([`super::api`]) and the pages' forms ([`crate::pages::cases`]) parse
//! their own input and call these, so a case opened, notified, answered or
//! verified from a page goes through exactly the checks, transactions and
//! audit entries of the API.
//!
//! Every operation starts from a [`Caller`]: who asks (their identity,
//! already allowed the action), what their scope reaches, and the instant.

use chrono::NaiveDate;

use super::attachments::{self, Attachment};
use super::escalation::Pending;
use super::record::{self, Write};
use super::{Actor, Case, CaseDetail, CaseError};
use crate::access::{Identity, Reach};
use crate::documents::archive::{self, IssueOptions, IssuedDocument};
use crate::documents::notice::{self, NoticeRequest};
use crate::documents::{Engine, Prepared};
use crate::http::{ApiError, AppState};
use crate::metrics::{Context, Period};
use crate::model::TableName;
use crate::org::Org;
use crate::vocab::{Action, CaseEventKind, CaseState, CategoryCode};

/// A step a person takes on a case: the API's `POST
/// /api/v1/cases/{id}/{step}` (the notice has its own route) and the
/// pages' forms `POST /cases/{id}/{step}` name the same steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// An inspector issues the 整改通知书.
    Notice,
    /// The department reports its rectification (text and files).
    Response,
    /// An inspector accepts or returns the response.
    Verification,
    /// The department asks for more time.
    Extension,
    /// A leader decides the request.
    ExtensionDecision,
    /// An inspector proposes a dismissal as a false finding.
    Dismissal,
    /// A second person decides it.
    DismissalDecision,
}

impl Step {
    /// Every step, in the order a case's page offers them.
    pub const ALL: [Step; 7] = [
        Step::Notice,
        Step::Response,
        Step::Verification,
        Step::Extension,
        Step::ExtensionDecision,
        Step::Dismissal,
        Step::DismissalDecision,
    ];

    /// Its path segment.
    pub fn name(self) -> &'static str {
        match self {
            Step::Notice => "notice",
            Step::Response => "response",
            Step::Verification => "verification",
            Step::Extension => "extension",
            Step::ExtensionDecision => "extension-decision",
            Step::Dismissal => "dismissal",
            Step::DismissalDecision => "dismissal-decision",
        }
    }

    /// The step a path segment names.
    pub fn parse(segment: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.name() == segment)
    }

    /// Who may take it.
    pub fn action(self) -> Action {
        match self {
            Step::Notice => Action::IssueDocument,
            Step::Response | Step::Extension => Action::RespondCase,
            Step::Verification => Action::VerifyCase,
            Step::ExtensionDecision => Action::DecideExtension,
            Step::Dismissal => Action::ProposeDismissal,
            Step::DismissalDecision => Action::ConfirmDismissal,
        }
    }

    /// The event it writes (the one the state machine is asked about
    /// before a page offers its form).
    pub fn event(self) -> CaseEventKind {
        match self {
            Step::Notice => CaseEventKind::NoticeIssued,
            Step::Response => CaseEventKind::ResponseSubmitted,
            Step::Verification => CaseEventKind::Accepted,
            Step::Extension => CaseEventKind::ExtensionRequested,
            Step::ExtensionDecision => CaseEventKind::ExtensionApproved,
            Step::Dismissal => CaseEventKind::DismissalProposed,
            Step::DismissalDecision => CaseEventKind::Dismissed,
        }
    }
}

/// Who asks, what they reach, and when.
pub struct Caller {
    /// Their identity.
    pub identity: Identity,
    /// How the history and the audit trail name them.
    pub actor: Actor,
    /// What their scope reaches.
    pub reach: Reach,
    /// The organisation.
    pub org: std::sync::Arc<Org>,
    /// The instant of the request (milliseconds).
    pub now_ms: i64,
}

impl Caller {
    /// The caller allowed `action` (403 otherwise), asking from `source`.
    pub async fn new(
        state: &AppState,
        identity: Identity,
        source: String,
        action: Action,
    ) -> Result<Caller, ApiError> {
        identity.require(action)?;
        let org = crate::org::api::org(state).await?;
        Ok(Caller {
            actor: Actor {
                name: identity.name.clone(),
                role: Some(identity.role),
                source,
            },
            reach: Reach::of(&identity.scope, &org),
            org,
            identity,
            now_ms: state.clock.now(),
        })
    }

    /// Today in the city.
    pub fn today(&self) -> NaiveDate {
        crate::time::local_date(self.now_ms)
    }

    /// The case `id`, if the caller reaches it (404 otherwise).
    pub async fn case(&self, state: &AppState, id: i64) -> Result<Case, ApiError> {
        Ok(record::get_in(&state.store, id, &self.reach).await?)
    }

    /// The case with its history, attachments and extensions.
    pub async fn detail(&self, state: &AppState, case: Case) -> Result<CaseDetail, ApiError> {
        Ok(record::detail(&state.store, case, self.today()).await?)
    }

    /// How the caller issues a document: archived under the configured
    /// folder, in their name, dated today.
    pub fn issue_options(&self, state: &AppState) -> IssueOptions {
        IssueOptions {
            archive_dir: state.config.archive_dir.clone(),
            issued_by: self.actor.name.clone(),
            replaces: None,
            now_ms: self.now_ms,
        }
    }

    /// Refuses to issue in the name of a bureau other than the caller's own.
    pub fn may_issue(&self, prepared: &Prepared) -> Result<(), ApiError> {
        let jurisdiction = &self.org.department(&prepared.issuer_id)?.jurisdiction_id;
        if self.reach.may_issue_as(&self.org, jurisdiction) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this document is issued in the name of {}; an inspector of scope {} issues \
                 only in its own bureau's name",
                prepared.issuer_name, self.identity.scope
            )))
        }
    }
}

/// A finding an inspector found and enters by hand, with its evidence.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualFinding {
    /// Its category.
    pub category: CategoryCode,
    /// What the inspector saw.
    pub evidence: String,
}

/// What opening a case asks for.
#[derive(Debug, Clone)]
pub struct Opening {
    /// The department.
    pub department_id: String,
    /// The year of its findings.
    pub year: i32,
    /// The findings to take (keys); `None` takes every open finding of the
    /// department and year that no case holds.
    pub findings: Option<Vec<String>>,
    /// Findings the inspector enters by hand.
    pub manual: Vec<ManualFinding>,
}

/// Enters hand-found findings as inspection findings (through the
/// importer, which owns the `findings` table and validates and audits
/// them); their keys.
async fn enter(
    state: &AppState,
    caller: &Caller,
    department_id: &str,
    manual: &[ManualFinding],
) -> Result<Vec<String>, ApiError> {
    if manual.is_empty() {
        return Ok(Vec::new());
    }
    let found_at = crate::time::format_millis(caller.now_ms);
    // Ids that no earlier entry has: the day, and random bytes (an import
    // replaces a row with the same id).
    let mut nonce = [0u8; 4];
    getrandom::fill(&mut nonce).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    let nonce = crate::digest::hex(&nonce);
    let mut body = String::new();
    let mut keys = Vec::new();
    for (i, m) in manual.iter().enumerate() {
        if m.evidence.trim().is_empty() {
            return Err(ApiError::BadRequest(format!(
                "manual[{i}]: a finding entered by hand needs its evidence"
            )));
        }
        let id = format!(
            "{department_id}-{}-{nonce}-{}",
            caller.today().format("%Y%m%d"),
            i + 1
        );
        body.push_str(
            &serde_json::json!({
                "id": id, "department_id": department_id, "category": m.category,
                "found_at": found_at, "inspector": caller.actor.name, "evidence": m.evidence,
            })
            .to_string(),
        );
        body.push('\n');
        keys.push(format!("inspection:{id}"));
    }
    let profiles = state
        .config
        .profiles()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let source = crate::ingest::ImportSource::from_body(
        TableName::Findings,
        crate::ingest::Format::Ndjson,
        axum::body::Bytes::from(body),
    );
    let options = crate::ingest::ImportOptions {
        actor: caller.actor.name.clone(),
        ..crate::ingest::ImportOptions::new(&format!("case:{}", caller.actor.name), &profiles)
    };
    crate::ingest::import(&state.store, vec![source], &options)
        .await
        .map_err(|e| ApiError::BadRequest(format!("the findings entered by hand: {e}")))?;
    Ok(keys)
}

/// Opens a case (the caller may `OpenCase`): the asked findings must be
/// open findings of the department and year; without a list, every open
/// one no case holds. A case with no finding at all is refused.
pub async fn open(state: &AppState, caller: &Caller, asked: Opening) -> Result<Case, ApiError> {
    if !caller.reach.department(&asked.department_id) {
        return Err(ApiError::NotFound(format!(
            "no department {:?}",
            asked.department_id
        )));
    }
    let entered = enter(state, caller, &asked.department_id, &asked.manual).await?;
    let period = Period::new(asked.year, None, None).map_err(CaseError::from)?;
    let ctx = Context::load(&state.store, &state.config, period, caller.now_ms)
        .await
        .map_err(CaseError::from)?;
    let open = notice::open_findings(&state.store, &ctx, &asked.department_id, asked.year, None)
        .await
        .map_err(CaseError::from)?;
    let mut keys: Vec<String> = match asked.findings {
        Some(named) => {
            if let Some(key) = named.iter().find(|k| !open.iter().any(|f| &f.key == *k)) {
                return Err(ApiError::BadRequest(format!(
                    "{key} is not an open finding of {} in {}: unknown, of another year, or named \
                     by an issued notice already",
                    asked.department_id, asked.year
                )));
            }
            named.into_iter().chain(entered).collect()
        }
        None => {
            let all: Vec<String> = open.iter().map(|f| f.key.clone()).collect();
            let taken = record::taken(&state.store, &all).await?;
            all.into_iter()
                .filter(|k| !taken.contains_key(k))
                .chain(entered)
                .collect()
        }
    };
    keys.sort();
    keys.dedup();
    Ok(record::open(
        &state.store,
        &asked.department_id,
        asked.year,
        &keys,
        &caller.actor,
        caller.now_ms,
    )
    .await?)
}

/// The choices a notice leaves to the inspector.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeChoices {
    /// Its 成文日期 (today when left out).
    pub date: Option<NaiveDate>,
    /// The rectification period in working days (the profile's when left out).
    pub working_days: Option<u32>,
    /// Copied to.
    #[serde(default)]
    pub cc: Vec<String>,
}

/// The notice of exactly the case's findings.
async fn prepare_notice(
    state: &AppState,
    caller: &Caller,
    case: &Case,
    choices: NoticeChoices,
) -> Result<Prepared, ApiError> {
    let request = NoticeRequest {
        department_id: case.department_id.clone(),
        year: case.year,
        date: choices.date.unwrap_or_else(|| caller.today()),
        working_days: choices.working_days,
        cc: choices.cc,
        replaces: None,
        findings: Some(case.findings.clone()),
    };
    Ok(notice::prepare(&state.store, &state.config, &request).await?)
}

/// The draft of the case's notice as a PDF (watermarked 草稿, unnumbered).
pub async fn notice_draft(
    state: &AppState,
    caller: &Caller,
    case: &Case,
    choices: NoticeChoices,
) -> Result<Vec<u8>, ApiError> {
    let prepared = prepare_notice(state, caller, case, choices).await?;
    Ok(prepared.render_draft(Engine::shared()?).await?)
}

/// Issues the case's 整改通知书 (numbered and archived) and records it on
/// the case, whose version must still be `seen`; the state machine is
/// asked first, as an issued notice cannot be undone.
pub async fn issue_notice(
    state: &AppState,
    caller: &Caller,
    id: i64,
    seen: i64,
    choices: NoticeChoices,
) -> Result<Case, ApiError> {
    let case = caller.case(state, id).await?;
    if seen != case.version {
        return Err(CaseError::Stale {
            id,
            seen,
            current: case.version,
        }
        .into());
    }
    super::flow::after(&case, CaseEventKind::NoticeIssued, &caller.actor.name)
        .map_err(|reason| CaseError::Refused { id, reason })?;
    let prepared = prepare_notice(state, caller, &case, choices).await?;
    caller.may_issue(&prepared)?;
    let deadline = prepared
        .deadline
        .ok_or_else(|| ApiError::Internal("a notice without a rectification deadline".into()))?;
    let options = caller.issue_options(state);
    let (doc, _) = archive::issue(&state.store, Engine::shared()?, &prepared, &options).await?;
    // The findings are now named by the notice, so no second notice can
    // name them: the case takes it whatever changed meanwhile.
    Ok(record::change(
        &state.store,
        id,
        None,
        &caller.actor,
        caller.now_ms,
        Write::Notice {
            document_id: doc.id,
            deadline,
        },
    )
    .await?)
}

/// Attaches a file to an open case (PDF, PNG or JPEG; its type declared and
/// checked against its bytes).
pub async fn attach(
    state: &AppState,
    caller: &Caller,
    id: i64,
    name: &str,
    declared_type: &str,
    bytes: &[u8],
) -> Result<Attachment, ApiError> {
    let case = caller.case(state, id).await?;
    if matches!(case.state, CaseState::Closed | CaseState::Dismissed) {
        return Err(CaseError::Refused {
            id,
            reason: format!(
                "the case is {}: nothing more is attached to it",
                case.state.chinese()
            ),
        }
        .into());
    }
    Ok(attachments::upload(
        &state.store,
        &state.config.archive_dir,
        id,
        name,
        declared_type,
        bytes,
        &caller.actor,
        caller.now_ms,
    )
    .await?)
}

/// Applies a change to case `id` at the version the caller saw.
pub async fn apply(
    state: &AppState,
    caller: &Caller,
    id: i64,
    seen: i64,
    write: Write,
) -> Result<Case, ApiError> {
    Ok(record::change(
        &state.store,
        id,
        Some(seen),
        &caller.actor,
        caller.now_ms,
        write,
    )
    .await?)
}

/// A leader's decision on the pending extension: approved, the deadline
/// moves by the working days asked.
pub async fn extension_decision(
    state: &AppState,
    case: &Case,
    approve: bool,
    remark: Option<String>,
) -> Result<Write, ApiError> {
    let new_deadline = if approve {
        Some(extended(state, case).await?)
    } else {
        None
    };
    Ok(Write::ExtensionDecision {
        new_deadline,
        remark,
    })
}

/// The deadline an approved extension sets: the pending request's working
/// days after the current deadline. Without a request pending (or a
/// deadline), the state machine refuses the decision with its reason.
async fn extended(state: &AppState, case: &Case) -> Result<NaiveDate, ApiError> {
    let (Some(deadline), Some(pending)) = (case.deadline, case.pending_extension) else {
        return Ok(case.deadline.unwrap_or(NaiveDate::MIN));
    };
    let asked = record::detail(&state.store, case.clone(), deadline)
        .await?
        .extensions
        .into_iter()
        .find(|x| x.id == pending)
        .map_or(0, |x| x.working_days);
    let calendar = state.config.calendar().map_err(CaseError::from)?;
    Ok(calendar
        .add_working_days(deadline, u32::try_from(asked).unwrap_or(0))
        .map_err(CaseError::from)?)
}

/// A text a change needs, trimmed (400 naming `what` when empty).
pub fn required(text: &str, what: &str) -> Result<String, ApiError> {
    let t = text.trim();
    if t.is_empty() {
        Err(ApiError::BadRequest(format!("{what} must not be empty")))
    } else {
        Ok(t.to_string())
    }
}

/// The working days an extension may ask: 1 to 60 (400 otherwise).
pub fn extension_days(working_days: u32) -> Result<u32, ApiError> {
    if (1..=60).contains(&working_days) {
        Ok(working_days)
    } else {
        Err(ApiError::BadRequest(
            "an extension is 1 to 60 working days".into(),
        ))
    }
}

/// An escalation asked for: the year of the overdue cases' notices, the
/// bureau that issued them (none: the caller's only one), the circular's
/// date (none: today).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationAsked {
    /// The data year.
    pub year: i32,
    /// The bureau that issued the notices.
    pub issuer_id: Option<String>,
    /// The circular's 成文日期.
    pub date: Option<NaiveDate>,
}

/// The overdue cases in the caller's reach awaiting their circular, per
/// bureau ([`super::escalation::pending`]).
pub async fn escalations(
    state: &AppState,
    caller: &Caller,
    year: i32,
) -> Result<Vec<Pending>, ApiError> {
    let profiles = state
        .config
        .profiles()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(super::escalation::pending(
        &state.store,
        &caller.org,
        &profiles,
        &caller.reach,
        year,
        caller.today(),
    )
    .await?)
}

/// The pending escalation `asked` names, and the circular drafted for it.
pub async fn escalation(
    state: &AppState,
    caller: &Caller,
    asked: &EscalationAsked,
) -> Result<(Pending, Prepared), ApiError> {
    let mut all = escalations(state, caller, asked.year).await?;
    let group = match &asked.issuer_id {
        Some(issuer) => all
            .into_iter()
            .find(|p| &p.issuer_id == issuer)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "no overdue case of {} awaits its escalation in {}",
                    issuer, asked.year
                ))
            })?,
        None if all.len() == 1 => all.remove(0),
        None if all.is_empty() => {
            return Err(ApiError::NotFound(format!(
                "no overdue case awaits its escalation in {}",
                asked.year
            )));
        }
        None => {
            return Err(ApiError::BadRequest(format!(
                "overdue cases of several bureaus await their escalation ({}): name one with issuer_id",
                all.iter()
                    .map(|p| p.issuer_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    };
    let request = group.circular(asked.date.unwrap_or_else(|| caller.today()));
    let prepared = crate::documents::circular::prepare(&state.store, &state.config, &request)
        .await
        .map_err(ApiError::from)?;
    Ok((group, prepared))
}

/// Issues the circular escalating the overdue cases `asked` names —
/// numbered and archived in the name of the bureau the caller may issue
/// for — and marks each case escalated by it.
pub async fn issue_escalation(
    state: &AppState,
    caller: &Caller,
    asked: &EscalationAsked,
) -> Result<IssuedDocument, ApiError> {
    let (group, prepared) = escalation(state, caller, asked).await?;
    caller.may_issue(&prepared)?;
    let options = caller.issue_options(state);
    let (doc, _) = archive::issue(&state.store, Engine::shared()?, &prepared, &options).await?;
    for case in &group.cases {
        record::change(
            &state.store,
            case.id,
            None,
            &caller.actor,
            caller.now_ms,
            Write::Escalation {
                document_id: doc.id,
            },
        )
        .await?;
    }
    Ok(doc)
}
