//! Who may do what, and where: the one place dukao decides it.
//!
//! Every request but `/healthz` and the sign-in carries an [`Identity`] — a
//! signed-in person (session cookie) or a program (bearer token), each with
//! one [`Role`] and one [`Scope`]. Deciding has two halves:
//!
//! 1. **The action**: [`permits`] is the table of which role may do which
//!    [`Action`]; [`Identity::require`] answers 403 otherwise. A few actions
//!    are the whole city's business ([`city_wide`]): a county's leader does
//!    not read the city's audit trail.
//! 2. **The rows**: [`Reach`] is what a scope covers — the whole city, one
//!    jurisdiction's subtree (its departments and the jurisdictions below),
//!    or one department. Queries take it as a filter, and a row outside it
//!    answers 404, as if it did not exist, so that its existence does not
//!    leak.
//!
//! Documents add one rule: an inspector issues in the name of its own
//! scope's bureau only ([`Reach::may_issue_as`]) — a county inspector never
//! in the city's name, a city inspector never in a county's.
//!
//! [`extract`] reads the identity from a request (and checks the CSRF token
//! of a cookie-authenticated state change).

pub mod extract;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use crate::http::ApiError;
use crate::model::TableName;
use crate::org::Org;
use crate::people::Scope;
use crate::vocab::{Action, Role};

/// Whether a role may do an action at all (its scope decides where).
pub fn permits(role: Role, action: Action) -> bool {
    use Action as A;
    match role {
        Role::Leader => matches!(
            action,
            A::ReadOrganisation
                | A::ReadChecks
                | A::ReadEvaluation
                | A::FreezeEvaluation
                | A::DraftDocument
                | A::ReadDocuments
                | A::ReadAudit
                | A::ReadImports
                | A::ReadCases
                | A::DecideExtension
                | A::ConfirmDismissal
                | A::ReadJobs
        ),
        Role::Inspector => matches!(
            action,
            A::ReadOrganisation
                | A::ReadChecks
                | A::ReadEvaluation
                | A::DraftDocument
                | A::IssueDocument
                | A::ReadDocuments
                | A::ReadImports
                | A::ReadCases
                | A::OpenCase
                | A::VerifyCase
                | A::ProposeDismissal
                | A::ConfirmDismissal
                | A::ReadJobs
        ),
        Role::Department => matches!(
            action,
            A::ReadOrganisation
                | A::ReadChecks
                | A::ReadEvaluation
                | A::ReadDocuments
                | A::ReadCases
                | A::RespondCase
        ),
        Role::Admin => matches!(
            action,
            A::ReadOrganisation | A::ReadAudit | A::ReadImports | A::ReadJobs | A::RunJobs
        ),
        Role::Platform => matches!(action, A::Ingest | A::ReadImports),
    }
}

/// Actions on what belongs to the whole city (the audit trail, the import
/// runs, the official evaluation), which need the city's scope.
pub fn city_wide(action: Action) -> bool {
    match action {
        Action::ReadAudit
        | Action::ReadImports
        | Action::Ingest
        | Action::FreezeEvaluation
        | Action::ReadJobs
        | Action::RunJobs => true,
        Action::ReadOrganisation
        | Action::ReadChecks
        | Action::ReadEvaluation
        | Action::DraftDocument
        | Action::IssueDocument
        | Action::ReadDocuments
        | Action::ReadCases
        | Action::OpenCase
        | Action::RespondCase
        | Action::VerifyCase
        | Action::DecideExtension
        | Action::ProposeDismissal
        | Action::ConfirmDismissal => false,
    }
}

/// How the caller proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A person's session (cookie).
    Session {
        /// The session's row id.
        session_id: i64,
        /// The user's login.
        login: String,
        /// The token a state-changing request must echo.
        csrf: String,
    },
    /// A program's API token (bearer).
    Token {
        /// The token's name.
        name: String,
        /// The tables it may push.
        tables: Vec<TableName>,
    },
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The name the archive and the audit trail record (a user's name, a
    /// token's name).
    pub name: String,
    /// The role.
    pub role: Role,
    /// How far its rights reach.
    pub scope: Scope,
    /// Session or token.
    pub via: Via,
}

impl Identity {
    /// A signed-in person's identity (the API's cookie requests and the
    /// pages' forms alike).
    pub fn of_session(session: crate::people::session::Session) -> Identity {
        Identity {
            name: session.user.name,
            role: session.user.role,
            scope: session.user.scope,
            via: Via::Session {
                session_id: session.id,
                login: session.user.login,
                csrf: session.csrf,
            },
        }
    }

    /// Allows the action, or answers 403 naming the role and the action.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if !permits(self.role, action) {
            return Err(ApiError::Forbidden(format!(
                "a {} may not {} ({})",
                self.role,
                action.chinese(),
                action
            )));
        }
        if city_wide(action) && self.scope != Scope::City {
            return Err(ApiError::Forbidden(format!(
                "{} ({action}) needs the city's scope; yours is {}",
                action.chinese(),
                self.scope
            )));
        }
        Ok(())
    }

    /// A platform token's right to push one table (403 otherwise).
    pub fn require_table(&self, table: TableName) -> Result<(), ApiError> {
        self.require(Action::Ingest)?;
        match &self.via {
            Via::Token { tables, .. } if tables.contains(&table) => Ok(()),
            Via::Token { name, .. } => Err(ApiError::Forbidden(format!(
                "token {name:?} may not push {table}"
            ))),
            Via::Session { .. } => Err(ApiError::Forbidden(
                "pushing data needs a platform token".into(),
            )),
        }
    }
}

/// What a scope covers in the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Everything.
    City,
    /// A jurisdiction and everything below it.
    Jurisdiction {
        /// The jurisdiction of the scope.
        root: String,
        /// It and the jurisdictions below it.
        jurisdictions: BTreeSet<String>,
        /// Their departments.
        departments: BTreeSet<String>,
    },
    /// One department.
    Department {
        /// The department.
        id: String,
        /// Its jurisdiction (whose circulars it receives).
        jurisdiction_id: String,
    },
    /// A scope naming what the organisation no longer has: nothing.
    Nothing,
}

impl Reach {
    /// What the reach covers, as a short text that tells two reaches
    /// apart (a cache's key: two viewers of the same key see the same rows).
    pub fn key(&self) -> String {
        match self {
            Reach::City => "city".into(),
            Reach::Jurisdiction { root, .. } => format!("jurisdiction:{root}"),
            Reach::Department { id, .. } => format!("department:{id}"),
            Reach::Nothing => "nothing".into(),
        }
    }

    /// What `scope` covers in `org`.
    pub fn of(scope: &Scope, org: &Org) -> Reach {
        match scope {
            Scope::City => Reach::City,
            Scope::Jurisdiction(root) if org.jurisdictions.contains_key(root) => {
                let jurisdictions: BTreeSet<String> = org
                    .jurisdictions
                    .keys()
                    .filter(|id| within(org, id, root))
                    .cloned()
                    .collect();
                let departments = org
                    .departments
                    .values()
                    .filter(|d| jurisdictions.contains(&d.jurisdiction_id))
                    .map(|d| d.id.clone())
                    .collect();
                Reach::Jurisdiction {
                    root: root.clone(),
                    jurisdictions,
                    departments,
                }
            }
            Scope::Department(id) => match org.departments.get(id) {
                Some(d) => Reach::Department {
                    id: id.clone(),
                    jurisdiction_id: d.jurisdiction_id.clone(),
                },
                None => Reach::Nothing,
            },
            Scope::Jurisdiction(_) => Reach::Nothing,
        }
    }

    /// Whether a department's rows are in reach.
    pub fn department(&self, id: &str) -> bool {
        match self {
            Reach::City => true,
            Reach::Jurisdiction { departments, .. } => departments.contains(id),
            Reach::Department { id: own, .. } => own == id,
            Reach::Nothing => false,
        }
    }

    /// The SQL condition that keeps the rows whose department `column` is
    /// in reach, with its parameters numbered from `$first`: scope applied
    /// in the store query, not to results after loading them.
    pub fn department_condition(&self, column: &str, first: usize) -> (String, Vec<String>) {
        match self {
            Reach::City => ("1 = 1".into(), Vec::new()),
            Reach::Nothing => ("1 = 0".into(), Vec::new()),
            Reach::Jurisdiction { departments, .. } => {
                among(column, first, departments.iter().cloned().collect())
            }
            Reach::Department { id, .. } => among(column, first, vec![id.clone()]),
        }
    }

    /// The SQL condition that keeps the rows whose jurisdiction `column`
    /// is in reach ([`Reach::jurisdiction`]: a department reaches none),
    /// with its parameters numbered from `$first`.
    pub fn jurisdiction_condition(&self, column: &str, first: usize) -> (String, Vec<String>) {
        match self {
            Reach::City => ("1 = 1".into(), Vec::new()),
            Reach::Department { .. } | Reach::Nothing => ("1 = 0".into(), Vec::new()),
            Reach::Jurisdiction { jurisdictions, .. } => {
                among(column, first, jurisdictions.iter().cloned().collect())
            }
        }
    }

    /// Whether a jurisdiction's rows and totals are in reach (a department
    /// sees no totals over other departments).
    pub fn jurisdiction(&self, id: &str) -> bool {
        match self {
            Reach::City => true,
            Reach::Jurisdiction { jurisdictions, .. } => jurisdictions.contains(id),
            Reach::Department { .. } | Reach::Nothing => false,
        }
    }

    /// Whether a jurisdiction is listed in the organisation: those in reach,
    /// and for a department its own.
    pub fn jurisdiction_listed(&self, id: &str) -> bool {
        match self {
            Reach::Department {
                jurisdiction_id, ..
            } => jurisdiction_id == id,
            Reach::City | Reach::Jurisdiction { .. } | Reach::Nothing => self.jurisdiction(id),
        }
    }

    /// Whether an inspector of this reach issues in the name of the bureau
    /// of `issuer_jurisdiction`: the city's scope issues as a root
    /// jurisdiction's bureau, a jurisdiction's scope as its own.
    pub fn may_issue_as(&self, org: &Org, issuer_jurisdiction: &str) -> bool {
        match self {
            Reach::City => org
                .jurisdictions
                .get(issuer_jurisdiction)
                .is_some_and(|j| j.is_root()),
            Reach::Jurisdiction { root, .. } => root == issuer_jurisdiction,
            Reach::Department { .. } | Reach::Nothing => false,
        }
    }
}

/// `column IN ($first, …)` over `ids`; never true for no ids.
fn among(column: &str, first: usize, ids: Vec<String>) -> (String, Vec<String>) {
    if ids.is_empty() {
        return ("1 = 0".to_string(), Vec::new());
    }
    let placeholders = crate::store::placeholders(first, ids.len());
    (format!("{column} IN ({placeholders})"), ids)
}

/// Whether `id` is `ancestor` or below it.
fn within(org: &Org, id: &str, ancestor: &str) -> bool {
    let mut current = Some(id);
    // The org model refuses cycles; the bound only guards a corrupt store.
    for _ in 0..=org.jurisdictions.len() {
        match current {
            Some(c) if c == ancestor => return true,
            Some(c) => {
                current = org
                    .jurisdictions
                    .get(c)
                    .and_then(|j| j.parent_id.as_deref())
            }
            None => return false,
        }
    }
    false
}
