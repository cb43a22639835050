//! The inspectors' rectification cases: following a finding from the
//! notice to its closure.
//!
//! A **case** groups open findings of one department and one data year
//! (detected by the metrics, or found by an inspector and entered with
//! their evidence). Its life:
//!
//! ```text
//! opened ──notice──▶ notified ──response──▶ responded ──accept──▶ closed
//!                        ▲                      │
//!                        └──── returned ◀─return┘   (the deadline keeps running)
//!                                  ◀─────────── a finding recurs ─────── closed
//! any open state ──dismissal proposed, confirmed by a second person──▶ dismissed
//! ```
//!
//! - The notice is the 整改通知书 for exactly the case's findings, numbered
//!   and archived by [`crate::documents`]; its deadline is the governing
//!   profile's rectification period in official working days.
//! - **Overdue is computed, never set**: a case is overdue when its deadline
//!   has passed without a response that was later accepted
//!   ([`Case::overdue_on`]); as of a past day, a case is judged as it
//!   stood then, its history replayed ([`flow::as_of`]). An overdue case
//!   follows its profile's escalation ladder (RULES.md §4): [`escalation`]
//!   drafts the circular for an inspector to issue; nothing is issued by
//!   itself.
//! - An **extension** is asked by the department with a reason and decided
//!   by a leader. No regulation provides for extending a rectification
//!   period (新县 Art.21 does so only for corrections), so the decision is
//!   the bureau's and every extension says so ([`EXTENSION_BASIS`]).
//! - A **dismissal** as a false finding needs a reason and a second person:
//!   one proposes, another confirms.
//! - A finding that **recurs** after its case was closed (the same rule
//!   broken again by the same record) reopens the case: dukao itself does
//!   it when it records a run's findings ([`recurrence`]), and the case
//!   runs again as a returned one.
//! - Every change names the version of the case it saw (`If-Match`); a
//!   stale one is refused, so two inspectors never overwrite each other. A
//!   change the state does not allow (a second notice, verifying without a
//!   response, editing a closed case) is refused with its reason, never
//!   ignored. Each change is an event of the case's history and an entry of
//!   the audit trail, with actor, role and source address.
//!
//! # Shape
//!
//! - [`flow`]: the state machine, pure — which change each state allows.
//! - [`record`]: owns `cases`, `case_findings`, `case_events` and
//!   `case_extensions`; every change is one transaction (version checked,
//!   event written, audit appended).
//! - [`attachments`]: owns `case_attachments` and the files, stored under
//!   the archive folder by their SHA-256.
//! - [`escalation`]: overdue cases and the circular their profile calls for.
//! - [`recurrence`]: closed cases whose findings recur, reopened.
//! - [`act`]: the steps people take ([`act::Step`]), whichever way they
//!   ask: the API and the pages' forms parse their own input and call it.
//! - [`api`]: the HTTP routes.

pub mod act;
pub mod api;
pub mod attachments;
pub mod escalation;
pub mod flow;
pub mod record;
pub mod recurrence;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::Serialize;

pub use record::{Actor, CaseDetail};

use crate::vocab::{CaseEventKind, CaseState, Role};

/// What an extension's approval rests on: no regulation provides for
/// extending a rectification period, so it is the bureau's decision.
pub const EXTENSION_BASIS: &str = "整改期限的延长系本局决定，现行法规未对整改期限的延长作出规定";

/// A rectification case, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// Its id.
    pub id: i64,
    /// The department it is about.
    pub department_id: String,
    /// The year of its findings.
    pub year: i32,
    /// Where it stands.
    pub state: CaseState,
    /// Grows by one with every change (the `ETag`).
    pub version: i64,
    /// The inspector who opened it.
    pub opened_by: String,
    /// When (RFC 3339).
    pub opened_at: String,
    /// The issued 整改通知书 (archive id).
    pub notice_id: Option<i64>,
    /// The rectification deadline: the notice's, moved by approved extensions.
    pub deadline: Option<NaiveDate>,
    /// The day the latest response was submitted.
    pub responded_on: Option<NaiveDate>,
    /// When it was closed or dismissed (RFC 3339).
    pub closed_at: Option<String>,
    /// The circular that escalated it (archive id).
    pub escalation_id: Option<i64>,
    /// A dismissal proposed and not yet decided.
    pub dismissal: Option<Dismissal>,
    /// An extension asked and not yet decided.
    pub pending_extension: Option<i64>,
    /// Its findings (keys: `reply:R1`, `inspection:F1`).
    pub findings: Vec<String>,
}

/// A proposed dismissal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dismissal {
    /// Why the findings are false.
    pub reason: String,
    /// Who proposed it (another person must confirm).
    pub proposed_by: String,
}

impl Case {
    /// Whether the case is overdue on `today`: its deadline passed without
    /// a response, or the response that closed it (or awaits verification)
    /// came after the deadline. A case without a notice has no deadline; a
    /// dismissed case is never overdue.
    pub fn overdue_on(&self, today: NaiveDate) -> bool {
        let Some(deadline) = self.deadline else {
            return false;
        };
        match self.state {
            CaseState::Opened | CaseState::Dismissed => false,
            CaseState::Notified | CaseState::Returned => today > deadline,
            CaseState::Responded | CaseState::Closed => {
                self.responded_on.is_some_and(|on| on > deadline)
            }
        }
    }

    /// The `ETag` of this version.
    pub fn etag(&self) -> String {
        format!("\"case-{}-v{}\"", self.id, self.version)
    }
}

/// One change in a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Its id.
    pub id: i64,
    /// What happened.
    pub kind: CaseEventKind,
    /// Its Chinese name.
    pub kind_name: &'static str,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor: String,
    /// In which role; none when dukao itself made the change (a finding
    /// of the closed case recurred).
    pub role: Option<Role>,
    /// The text: a response, a reason.
    pub text: Option<String>,
    /// Working days (an extension).
    pub working_days: Option<i64>,
    /// The deadline it set (a notice, an extension).
    pub deadline: Option<NaiveDate>,
}

/// Why a case could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// The notice or circular could not be prepared or issued.
    #[error(transparent)]
    Document(#[from] crate::documents::DocumentError),
    /// The audit trail could not be written.
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    /// The calendar has no data for a day needed.
    #[error(transparent)]
    Calendar(#[from] crate::calendar::CalendarError),
    /// The metrics' context could not be loaded.
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    /// No such case (or one outside the caller's reach).
    #[error("no case {0}")]
    NotFound(i64),
    /// No such attachment, escalation or other part of a case.
    #[error("{0}")]
    NoSuch(String),
    /// The change names a version that is no longer current.
    #[error(
        "case {id} is at version {current}, not {seen}: someone changed it meanwhile; read it again"
    )]
    Stale {
        /// The case.
        id: i64,
        /// The version the change named.
        seen: i64,
        /// The current one.
        current: i64,
    },
    /// The change is not allowed now; the message says why.
    #[error("case {id}: {reason}")]
    Refused {
        /// The case.
        id: i64,
        /// Why.
        reason: String,
    },
    /// The request is malformed or names what cannot be used.
    #[error("{0}")]
    Invalid(String),
    /// An attachment of a type dukao does not keep.
    #[error("{0}")]
    MediaType(String),
    /// A stored value could not be read.
    #[error("stored case data: {0}")]
    Stored(String),
    /// A file could not be written or read.
    #[error("attachment file: {0}")]
    Io(String),
}
