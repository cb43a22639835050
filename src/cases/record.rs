//! The store of cases: owns `cases`, `case_findings`, `case_events` and
//! `case_extensions`.
//!
//! Every change is one transaction: the case's row is read, the version the
//! caller saw compared with it, the change checked against the state
//! machine ([`super::flow`]), the row updated on the condition that its
//! version is still the one read (so a concurrent change makes one of the
//! two fail, never both succeed), the event appended to the history and the
//! entry to the audit trail. Nothing is half-written.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::attachments::{self, Attachment};
use super::{Case, CaseError, Dismissal, EXTENSION_BASIS, Event, flow};
use crate::access::Reach;
use crate::audit::{self, Change};
use crate::store::Store;
use crate::time::format_millis;
use crate::vocab::{AuditAction, CaseEventKind, CaseState, CategoryCode, Role};

/// Who changes a case, as the history and the audit trail record them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The person's name (or dukao's, for what it does itself).
    pub name: String,
    /// Their role; none for dukao itself ([`Actor::dukao`]).
    pub role: Option<Role>,
    /// The address the request came from (`dukao` for dukao itself).
    pub source: String,
}

impl Actor {
    /// dukao itself, changing a case because the data says so (a finding
    /// of a closed case recurred): no person, no role. The history stores
    /// its role as empty.
    pub fn dukao() -> Actor {
        Actor {
            name: "督考自动监测".to_string(),
            role: None,
            source: "dukao".to_string(),
        }
    }

    /// The role as stored: its name, empty for dukao itself.
    fn role_name(&self) -> &'static str {
        self.role.map_or("", Role::as_str)
    }
}

/// A case with its history, attachments and extensions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseDetail {
    /// The case.
    #[serde(flatten)]
    pub case: Case,
    /// Whether it is overdue today.
    pub overdue: bool,
    /// Its history, oldest first.
    pub events: Vec<Event>,
    /// The files its responses carry (and any uploaded for the next).
    pub attachments: Vec<Attachment>,
    /// Extension requests and their decisions.
    pub extensions: Vec<Extension>,
}

/// An extension request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    /// Its id.
    pub id: i64,
    /// The department's reason.
    pub reason: String,
    /// Working days asked.
    pub working_days: i64,
    /// Who asked.
    pub requested_by: String,
    /// When (RFC 3339).
    pub requested_at: String,
    /// The decision: none while pending.
    pub approved: Option<bool>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When (RFC 3339).
    pub decided_at: Option<String>,
    /// The deadline it set, when approved.
    pub new_deadline: Option<NaiveDate>,
    /// What the decision rests on ([`EXTENSION_BASIS`]).
    pub basis: &'static str,
}

/// A change of a case, with what it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// The notice was issued (archive id) with its deadline.
    Notice {
        /// The archived notice.
        document_id: i64,
        /// Its rectification deadline.
        deadline: NaiveDate,
    },
    /// The department's response, with attachments uploaded before (by
    /// SHA-256), submitted on `on`.
    Response {
        /// What was done.
        text: String,
        /// The attachments it carries.
        attachments: Vec<String>,
        /// The day it was submitted.
        on: NaiveDate,
    },
    /// The response is returned with a reason.
    Return {
        /// Why.
        reason: String,
    },
    /// The response is accepted: closed.
    Accept {
        /// A remark.
        remark: Option<String>,
    },
    /// The department asks for more time.
    ExtensionRequest {
        /// Why.
        reason: String,
        /// How many working days.
        working_days: u32,
    },
    /// A leader decides the pending request.
    ExtensionDecision {
        /// The new deadline when approved; none when refused.
        new_deadline: Option<NaiveDate>,
        /// A remark.
        remark: Option<String>,
    },
    /// An inspector proposes to dismiss the case as a false finding.
    DismissalProposal {
        /// Why the findings are false.
        reason: String,
    },
    /// A second person decides the proposed dismissal.
    DismissalDecision {
        /// Confirmed or refused.
        confirm: bool,
        /// A remark.
        remark: Option<String>,
    },
    /// The escalation (a circular) was issued over the case.
    Escalation {
        /// The archived circular.
        document_id: i64,
    },
    /// Findings recurred after the case was closed: they join it and it
    /// runs again ([`super::recurrence`]).
    Reopen {
        /// The recurring findings' keys (held by no case yet, or by this
        /// one already when the same key recurred).
        findings: Vec<String>,
        /// What recurred, in words.
        cause: String,
    },
}

impl Write {
    /// The event it is in the case's history.
    pub fn event(&self) -> CaseEventKind {
        match self {
            Write::Notice { .. } => CaseEventKind::NoticeIssued,
            Write::Response { .. } => CaseEventKind::ResponseSubmitted,
            Write::Return { .. } => CaseEventKind::Returned,
            Write::Accept { .. } => CaseEventKind::Accepted,
            Write::ExtensionRequest { .. } => CaseEventKind::ExtensionRequested,
            Write::ExtensionDecision {
                new_deadline: Some(_),
                ..
            } => CaseEventKind::ExtensionApproved,
            Write::ExtensionDecision {
                new_deadline: None, ..
            } => CaseEventKind::ExtensionRefused,
            Write::DismissalProposal { .. } => CaseEventKind::DismissalProposed,
            Write::DismissalDecision { confirm: true, .. } => CaseEventKind::Dismissed,
            Write::DismissalDecision { confirm: false, .. } => CaseEventKind::DismissalRefused,
            Write::Escalation { .. } => CaseEventKind::Escalated,
            Write::Reopen { .. } => CaseEventKind::Reopened,
        }
    }

    /// The text the history keeps.
    fn text(&self) -> Option<String> {
        match self {
            Write::Response { text, .. }
            | Write::Return { reason: text }
            | Write::ExtensionRequest { reason: text, .. }
            | Write::DismissalProposal { reason: text }
            | Write::Reopen { cause: text, .. } => Some(text.clone()),
            Write::Accept { remark }
            | Write::ExtensionDecision { remark, .. }
            | Write::DismissalDecision { remark, .. } => remark.clone(),
            Write::Notice { .. } | Write::Escalation { .. } => None,
        }
    }
}

const CASE_COLUMNS: &str = "c.id, c.department_id, c.data_year, c.state, c.version, c.opened_by, \
    c.opened_at, c.notice_id, c.deadline, c.responded_on, c.closed_at, c.escalation_id, \
    c.dismissal_reason, c.dismissal_proposed_by, \
    (SELECT MIN(x.id) FROM case_extensions x WHERE x.case_id = c.id AND x.approved IS NULL) AS pending_extension";

fn date(id: i64, column: &str, text: Option<String>) -> Result<Option<NaiveDate>, CaseError> {
    text.map(|t| {
        NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map_err(|_| CaseError::Stored(format!("case {id}: {column} {t:?} is not a date")))
    })
    .transpose()
}

fn case_from_row(r: &AnyRow) -> Result<Case, CaseError> {
    let id: i64 = r.try_get("id")?;
    let state: String = r.try_get("state")?;
    let dismissal_reason: Option<String> = r.try_get("dismissal_reason")?;
    let dismissal_by: Option<String> = r.try_get("dismissal_proposed_by")?;
    Ok(Case {
        id,
        department_id: r.try_get("department_id")?,
        year: i32::try_from(r.try_get::<i64, _>("data_year")?)
            .map_err(|_| CaseError::Stored(format!("case {id}: data_year out of range")))?,
        state: state
            .parse()
            .map_err(|e| CaseError::Stored(format!("case {id}: state: {e}")))?,
        version: r.try_get("version")?,
        opened_by: r.try_get("opened_by")?,
        opened_at: format_millis(r.try_get("opened_at")?),
        notice_id: r.try_get("notice_id")?,
        deadline: date(id, "deadline", r.try_get("deadline")?)?,
        responded_on: date(id, "responded_on", r.try_get("responded_on")?)?,
        closed_at: r.try_get::<Option<i64>, _>("closed_at")?.map(format_millis),
        escalation_id: r.try_get("escalation_id")?,
        dismissal: match (dismissal_reason, dismissal_by) {
            (Some(reason), Some(proposed_by)) => Some(Dismissal {
                reason,
                proposed_by,
            }),
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => {
                return Err(CaseError::Stored(format!(
                    "case {id}: a dismissal needs both its reason and its proposer"
                )));
            }
        },
        pending_extension: r.try_get("pending_extension")?,
        findings: Vec::new(),
    })
}

async fn findings_of(
    executor: impl sqlx::Executor<'_, Database = Any>,
    ids: &[i64],
) -> Result<BTreeMap<i64, Vec<String>>, CaseError> {
    let mut out: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let placeholders = crate::store::placeholders(1, ids.len());
    let sql = format!(
        "SELECT case_id, finding_key FROM case_findings WHERE case_id IN ({placeholders}) \
         ORDER BY case_id, finding_key"
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id);
    }
    for r in query.fetch_all(executor).await? {
        out.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
    }
    Ok(out)
}

/// One case, whoever asks (callers check the reach).
pub async fn get(store: &Store, id: i64) -> Result<Case, CaseError> {
    let row = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(CaseError::NotFound(id))?;
    let mut case = case_from_row(&row)?;
    case.findings = findings_of(store.pool(), &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(case)
}

/// One case if `reach` covers its department; else not found, as if it did
/// not exist.
pub async fn get_in(store: &Store, id: i64, reach: &Reach) -> Result<Case, CaseError> {
    let case = get(store, id).await?;
    if reach.department(&case.department_id) {
        Ok(case)
    } else {
        Err(CaseError::NotFound(id))
    }
}

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Of this data year.
    pub year: Option<i32>,
    /// In this state.
    pub state: Option<CaseState>,
    /// Of this department.
    pub department_id: Option<String>,
    /// Holding at least one finding of this category.
    pub category: Option<CategoryCode>,
}

/// The cases `reach` covers, newest first; the scope is a condition of the
/// query.
pub async fn list(store: &Store, reach: &Reach, filter: &Filter) -> Result<Vec<Case>, CaseError> {
    let (scope, mut params) = reach.department_condition("c.department_id", 1);
    let mut conditions = vec![scope];
    let mut next = params.len() + 1;
    if let Some(state) = filter.state {
        conditions.push(format!("c.state = ${next}"));
        params.push(state.as_str().to_string());
        next += 1;
    }
    if let Some(department) = &filter.department_id {
        conditions.push(format!("c.department_id = ${next}"));
        params.push(department.clone());
        next += 1;
    }
    if let Some(category) = filter.category {
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM case_findings cf WHERE cf.case_id = c.id AND cf.finding_key IN {})",
            crate::metrics::findings::keys_of_category(next)
        ));
        params.push(category.as_str().to_string());
        next += 1;
    }
    let year_condition = filter.year.map(|_| format!("c.data_year = ${next}"));
    conditions.extend(year_condition);
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases c WHERE {} ORDER BY c.id DESC",
        conditions.join(" AND ")
    );
    let mut query = sqlx::query(&sql);
    for p in &params {
        query = query.bind(p);
    }
    if let Some(year) = filter.year {
        query = query.bind(i64::from(year));
    }
    let mut cases: Vec<Case> = query
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(case_from_row)
        .collect::<Result<_, _>>()?;
    let ids: Vec<i64> = cases.iter().map(|c| c.id).collect();
    let mut findings = findings_of(store.pool(), &ids).await?;
    for case in &mut cases {
        case.findings = findings.remove(&case.id).unwrap_or_default();
    }
    Ok(cases)
}

/// The case, its history, attachments and extensions, as of `today`.
pub async fn detail(store: &Store, case: Case, today: NaiveDate) -> Result<CaseDetail, CaseError> {
    let id = case.id;
    let mut events = Vec::new();
    for r in sqlx::query(
        "SELECT id, kind, at, actor, role, text, working_days, deadline FROM case_events \
         WHERE case_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    {
        let kind: String = r.try_get("kind")?;
        let kind: CaseEventKind = kind
            .parse()
            .map_err(|e| CaseError::Stored(format!("case {id}: event kind: {e}")))?;
        let role: String = r.try_get("role")?;
        let role = match role.as_str() {
            "" => None,
            name => Some(
                name.parse()
                    .map_err(|e| CaseError::Stored(format!("case {id}: event role: {e}")))?,
            ),
        };
        events.push(Event {
            id: r.try_get("id")?,
            kind,
            kind_name: kind.chinese(),
            at: format_millis(r.try_get("at")?),
            actor: r.try_get("actor")?,
            role,
            text: r.try_get("text")?,
            working_days: r.try_get("working_days")?,
            deadline: date(id, "event deadline", r.try_get("deadline")?)?,
        });
    }
    let mut extensions = Vec::new();
    for r in sqlx::query(
        "SELECT id, reason, working_days, requested_by, requested_at, approved, decided_by, \
         decided_at, new_deadline FROM case_extensions WHERE case_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    {
        extensions.push(Extension {
            id: r.try_get("id")?,
            reason: r.try_get("reason")?,
            working_days: r.try_get("working_days")?,
            requested_by: r.try_get("requested_by")?,
            requested_at: format_millis(r.try_get("requested_at")?),
            approved: r.try_get::<Option<i64>, _>("approved")?.map(|a| a == 1),
            decided_by: r.try_get("decided_by")?,
            decided_at: r
                .try_get::<Option<i64>, _>("decided_at")?
                .map(format_millis),
            new_deadline: date(id, "new_deadline", r.try_get("new_deadline")?)?,
            basis: EXTENSION_BASIS,
        });
    }
    Ok(CaseDetail {
        overdue: case.overdue_on(today),
        attachments: attachments::of_case(store, id).await?,
        case,
        events,
        extensions,
    })
}

/// The finding keys among `keys` that a case holds already, with its id.
pub async fn taken(store: &Store, keys: &[String]) -> Result<BTreeMap<String, i64>, CaseError> {
    let mut out = BTreeMap::new();
    for chunk in keys.chunks(500) {
        let placeholders = crate::store::placeholders(1, chunk.len());
        let sql = format!(
            "SELECT finding_key, case_id FROM case_findings WHERE finding_key IN ({placeholders})"
        );
        let mut query = sqlx::query(&sql);
        for k in chunk {
            query = query.bind(k);
        }
        for r in query.fetch_all(store.pool()).await? {
            out.insert(r.try_get(0)?, r.try_get(1)?);
        }
    }
    Ok(out)
}

async fn event(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
    kind: CaseEventKind,
    actor: &Actor,
    now_ms: i64,
    text: Option<String>,
    working_days: Option<i64>,
    deadline: Option<NaiveDate>,
) -> Result<i64, CaseError> {
    Ok(sqlx::query(
        "INSERT INTO case_events (case_id, kind, at, actor, role, text, working_days, deadline) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(case_id)
    .bind(kind.as_str())
    .bind(now_ms)
    .bind(&actor.name)
    .bind(actor.role_name())
    .bind(text)
    .bind(working_days)
    .bind(deadline.map(|d| d.format("%Y-%m-%d").to_string()))
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?)
}

async fn audited(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
    kind: CaseEventKind,
    actor: &Actor,
    details: serde_json::Value,
) -> Result<(), CaseError> {
    let mut details = details;
    details["event"] = serde_json::json!(kind.as_str());
    details["role"] = serde_json::json!(actor.role.map(Role::as_str));
    details["source"] = serde_json::json!(actor.source);
    audit::append(
        tx,
        &Change {
            actor: &actor.name,
            action: AuditAction::CaseChange,
            subject: format!("case:{case_id}"),
            details,
        },
    )
    .await?;
    Ok(())
}

/// Opens a case on findings the caller checked are open findings of the
/// department and year. A finding another case holds is refused (the
/// store's unique key decides between two concurrent openings).
pub async fn open(
    store: &Store,
    department_id: &str,
    year: i32,
    findings: &[String],
    actor: &Actor,
    now_ms: i64,
) -> Result<Case, CaseError> {
    if findings.is_empty() {
        return Err(CaseError::Invalid(
            "a case needs at least one finding".into(),
        ));
    }
    if let Some((key, case)) = taken(store, findings).await?.into_iter().next() {
        return Err(CaseError::Refused {
            id: case,
            reason: format!("finding {key} belongs to it already"),
        });
    }
    let mut tx = store.begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO cases (department_id, data_year, state, version, opened_by, opened_at) \
         VALUES ($1, $2, $3, 1, $4, $5) RETURNING id",
    )
    .bind(department_id)
    .bind(i64::from(year))
    .bind(CaseState::Opened.as_str())
    .bind(&actor.name)
    .bind(now_ms)
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    for key in findings {
        sqlx::query("INSERT INTO case_findings (case_id, finding_key) VALUES ($1, $2)")
            .bind(id)
            .bind(key)
            .execute(&mut *tx)
            .await?;
    }
    event(
        &mut tx,
        id,
        CaseEventKind::Opened,
        actor,
        now_ms,
        None,
        None,
        None,
    )
    .await?;
    audited(
        &mut tx,
        id,
        CaseEventKind::Opened,
        actor,
        serde_json::json!({
            "department_id": department_id,
            "year": year,
            "findings": findings.len(),
            "state": CaseState::Opened.as_str(),
            "version": 1,
        }),
    )
    .await?;
    crate::results::version::bump(&mut tx, &format!("case:{id}"), now_ms).await?;
    tx.commit().await?;
    get(store, id).await
}

/// A value a change binds.
enum Value {
    Int(i64),
    Text(Option<String>),
}

/// Applies a change to case `id`: `seen` is the version the caller read
/// (none only where the caller checked it before a step that cannot be
/// undone, such as issuing the notice).
pub async fn change(
    store: &Store,
    id: i64,
    seen: Option<i64>,
    actor: &Actor,
    now_ms: i64,
    write: Write,
) -> Result<Case, CaseError> {
    let kind = write.event();
    let mut tx = store.begin().await?;
    let row = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(CaseError::NotFound(id))?;
    let case = case_from_row(&row)?;
    if let Some(seen) = seen
        && seen != case.version
    {
        return Err(CaseError::Stale {
            id,
            seen,
            current: case.version,
        });
    }
    let next = flow::after(&case, kind, &actor.name)
        .map_err(|reason| CaseError::Refused { id, reason })?;
    let version = case.version + 1;
    // The columns this change sets besides the state and the version.
    let day = |d: &NaiveDate| Value::Text(Some(d.format("%Y-%m-%d").to_string()));
    let (sets, values): (&str, Vec<Value>) = match &write {
        Write::Notice {
            document_id,
            deadline,
        } => (
            "notice_id = $4, deadline = $5",
            vec![Value::Int(*document_id), day(deadline)],
        ),
        Write::Response { on, .. } => ("responded_on = $4", vec![day(on)]),
        Write::Accept { .. } | Write::DismissalDecision { confirm: true, .. } => {
            ("closed_at = $4", vec![Value::Int(now_ms)])
        }
        Write::ExtensionDecision {
            new_deadline: Some(d),
            ..
        } => ("deadline = $4", vec![day(d)]),
        Write::DismissalProposal { reason } => (
            "dismissal_reason = $4, dismissal_proposed_by = $5",
            vec![
                Value::Text(Some(reason.clone())),
                Value::Text(Some(actor.name.clone())),
            ],
        ),
        Write::DismissalDecision { confirm: false, .. } => (
            "dismissal_reason = $4, dismissal_proposed_by = $5",
            vec![Value::Text(None), Value::Text(None)],
        ),
        Write::Escalation { document_id } => ("escalation_id = $4", vec![Value::Int(*document_id)]),
        Write::Reopen { .. } => ("closed_at = NULL", Vec::new()),
        Write::Return { .. }
        | Write::ExtensionRequest { .. }
        | Write::ExtensionDecision {
            new_deadline: None, ..
        } => ("", Vec::new()),
    };
    let sql = format!(
        "UPDATE cases SET state = $1, version = version + 1{}{sets} WHERE id = $2 AND version = $3",
        if sets.is_empty() { "" } else { ", " }
    );
    let mut query = sqlx::query(&sql)
        .bind(next.as_str())
        .bind(id)
        .bind(case.version);
    for v in values {
        query = match v {
            Value::Int(n) => query.bind(n),
            Value::Text(t) => query.bind(t),
        };
    }
    if query.execute(&mut *tx).await?.rows_affected() != 1 {
        return Err(CaseError::Stale {
            id,
            seen: case.version,
            current: case.version + 1,
        });
    }
    let (working_days, deadline) = match &write {
        Write::ExtensionRequest { working_days, .. } => (Some(i64::from(*working_days)), None),
        Write::ExtensionDecision { new_deadline, .. } => (None, *new_deadline),
        Write::Notice { deadline, .. } => (None, Some(*deadline)),
        Write::Response { .. }
        | Write::Return { .. }
        | Write::Accept { .. }
        | Write::DismissalProposal { .. }
        | Write::DismissalDecision { .. }
        | Write::Escalation { .. }
        | Write::Reopen { .. } => (None, None),
    };
    let event_id = event(
        &mut tx,
        id,
        kind,
        actor,
        now_ms,
        write.text(),
        working_days,
        deadline,
    )
    .await?;
    let mut details = serde_json::json!({
        "state": next.as_str(),
        "version": version,
    });
    match &write {
        Write::Response { attachments: a, .. } => {
            attachments::attach(&mut tx, id, event_id, a).await?;
            details["attachments"] = serde_json::json!(a);
        }
        Write::ExtensionRequest {
            reason,
            working_days,
        } => {
            sqlx::query(
                "INSERT INTO case_extensions (case_id, reason, working_days, requested_by, requested_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(reason)
            .bind(i64::from(*working_days))
            .bind(&actor.name)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            details["working_days"] = serde_json::json!(working_days);
        }
        Write::ExtensionDecision { new_deadline, .. } => {
            let pending = case
                .pending_extension
                .expect("the state machine checked a request is pending");
            sqlx::query(
                "UPDATE case_extensions SET approved = $1, decided_by = $2, decided_at = $3, \
                 new_deadline = $4 WHERE id = $5 AND approved IS NULL",
            )
            .bind(i64::from(new_deadline.is_some()))
            .bind(&actor.name)
            .bind(now_ms)
            .bind(new_deadline.map(|d| d.format("%Y-%m-%d").to_string()))
            .bind(pending)
            .execute(&mut *tx)
            .await?;
            details["extension"] = serde_json::json!(pending);
            details["deadline"] = serde_json::json!(new_deadline);
            details["basis"] = serde_json::json!(EXTENSION_BASIS);
        }
        Write::Notice {
            document_id,
            deadline,
        } => {
            details["document"] = serde_json::json!(document_id);
            details["deadline"] = serde_json::json!(deadline);
        }
        Write::Escalation { document_id } => {
            details["document"] = serde_json::json!(document_id);
        }
        Write::Reopen { findings, .. } => {
            for key in findings {
                sqlx::query(
                    "INSERT INTO case_findings (case_id, finding_key) SELECT $1, $2 \
                     WHERE NOT EXISTS (SELECT 1 FROM case_findings WHERE case_id = $1 AND finding_key = $2)",
                )
                .bind(id)
                .bind(key)
                .execute(&mut *tx)
                .await?;
            }
            details["findings"] = serde_json::json!(findings);
        }
        Write::Return { .. }
        | Write::Accept { .. }
        | Write::DismissalProposal { .. }
        | Write::DismissalDecision { .. } => {}
    }
    audited(&mut tx, id, kind, actor, details).await?;
    crate::results::version::bump(&mut tx, &format!("case:{id}"), now_ms).await?;
    tx.commit().await?;
    get(store, id).await
}

/// A case whose rectification deadline passed without the rectification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissedDeadline {
    /// The case.
    pub case_id: i64,
    /// Its department.
    pub department_id: String,
    /// The deadline missed.
    pub deadline: NaiveDate,
}

/// The cases whose deadline fell in `from..=to` and that were overdue on
/// `on`, each as it stood at the end of `on` ([`flow::as_of`]): a response
/// accepted after `on`, or an extension approved after it, had not
/// happened yet.
pub async fn missed_deadlines(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    on: NaiveDate,
) -> Result<Vec<MissedDeadline>, CaseError> {
    let notified: Vec<Case> = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM cases c WHERE c.notice_id IS NOT NULL ORDER BY c.id"
    ))
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(case_from_row)
    .collect::<Result<_, _>>()?;
    let ids: Vec<i64> = notified.iter().map(|c| c.id).collect();
    let mut histories = histories(store, &ids).await?;
    let mut missed = Vec::new();
    for case in notified {
        let history = histories.remove(&case.id).unwrap_or_default();
        let then = flow::as_of(&case, &history, on);
        let Some(deadline) = then.deadline.filter(|d| (from..=to).contains(d)) else {
            continue;
        };
        if then.overdue_on(on) {
            missed.push(MissedDeadline {
                case_id: case.id,
                department_id: case.department_id,
                deadline,
            });
        }
    }
    Ok(missed)
}

/// The histories of cases `ids`, oldest event first, as [`flow::as_of`]
/// replays them.
async fn histories(
    store: &Store,
    ids: &[i64],
) -> Result<BTreeMap<i64, Vec<flow::Past>>, CaseError> {
    let mut out: BTreeMap<i64, Vec<flow::Past>> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT case_id, kind, at, actor, deadline FROM case_events WHERE case_id IN ({}) \
             ORDER BY case_id, id",
            crate::store::placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for r in query.fetch_all(store.pool()).await? {
            let id: i64 = r.try_get("case_id")?;
            let kind: String = r.try_get("kind")?;
            out.entry(id).or_default().push(flow::Past {
                kind: kind
                    .parse()
                    .map_err(|e| CaseError::Stored(format!("case {id}: event kind: {e}")))?,
                on: crate::time::local_date(r.try_get("at")?),
                actor: r.try_get("actor")?,
                deadline: date(id, "event deadline", r.try_get("deadline")?)?,
            });
        }
    }
    Ok(out)
}
