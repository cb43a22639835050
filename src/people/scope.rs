//! How far a user's or token's rights reach: the whole municipality, one
//! county/district/zone subtree, or one department. The scope is stored as
//! a [`ScopeKind`] and an id, written on the command line as `city`,
//! `jurisdiction:ID` or `department:ID`.

use std::fmt;
use std::str::FromStr;

use crate::org::Org;
use crate::vocab::{Role, ScopeKind};

/// A scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(into = "String")]
pub enum Scope {
    /// The whole municipality.
    City,
    /// One jurisdiction and everything below it (a county's towns, a zone).
    Jurisdiction(String),
    /// One department.
    Department(String),
}

impl Scope {
    /// The scope in words, as pages and the demo print it: 全市, or the
    /// jurisdiction's or department's name (its id if the organisation no
    /// longer has it).
    pub fn words(&self, org: &Org) -> String {
        match self {
            Scope::City => "全市".to_string(),
            Scope::Jurisdiction(id) => org
                .jurisdictions
                .get(id)
                .map_or_else(|| id.clone(), |j| j.name.clone()),
            Scope::Department(id) => org.name_of(id),
        }
    }

    /// The stored form: the kind and, below the city, the id.
    pub fn parts(&self) -> (ScopeKind, Option<&str>) {
        match self {
            Scope::City => (ScopeKind::City, None),
            Scope::Jurisdiction(id) => (ScopeKind::Jurisdiction, Some(id)),
            Scope::Department(id) => (ScopeKind::Department, Some(id)),
        }
    }

    /// The scope a stored kind and id name; an id where none belongs, or
    /// none where one is needed, is an error.
    pub fn from_parts(kind: ScopeKind, id: Option<String>) -> Result<Scope, String> {
        match (kind, id) {
            (ScopeKind::City, None) => Ok(Scope::City),
            (ScopeKind::City, Some(id)) => Err(format!("scope city takes no id (got {id:?})")),
            (ScopeKind::Jurisdiction, Some(id)) if !id.is_empty() => Ok(Scope::Jurisdiction(id)),
            (ScopeKind::Department, Some(id)) if !id.is_empty() => Ok(Scope::Department(id)),
            (ScopeKind::Jurisdiction | ScopeKind::Department, _) => {
                Err(format!("scope {kind} needs an id ({kind}:ID)"))
            }
        }
    }

    /// The scope kinds a role may have. A department user is one
    /// department's; leaders, inspectors and administrators are the city's
    /// or one jurisdiction's; platform programs push the whole city's data.
    pub fn allowed_for(role: Role) -> &'static [ScopeKind] {
        match role {
            Role::Department => &[ScopeKind::Department],
            Role::Leader | Role::Inspector | Role::Admin => {
                &[ScopeKind::City, ScopeKind::Jurisdiction]
            }
            Role::Platform => &[ScopeKind::City],
        }
    }

    /// Checks the scope against the organisation and the role: the
    /// jurisdiction or department must exist, and the role must take this
    /// kind of scope. The error names what is wrong.
    pub fn check(&self, org: &Org, role: Role) -> Result<(), String> {
        let (kind, _) = self.parts();
        let allowed = Scope::allowed_for(role);
        if !allowed.contains(&kind) {
            let names: Vec<&str> = allowed.iter().map(|k| k.as_str()).collect();
            return Err(format!(
                "a {role} takes scope {} (not {kind})",
                names.join(" or ")
            ));
        }
        match self {
            Scope::City => Ok(()),
            Scope::Jurisdiction(id) if org.jurisdictions.contains_key(id) => Ok(()),
            Scope::Jurisdiction(id) => Err(format!("no jurisdiction {id:?} in the organisation")),
            Scope::Department(id) if org.departments.contains_key(id) => Ok(()),
            Scope::Department(id) => Err(format!("no department {id:?} in the organisation")),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parts() {
            (kind, None) => write!(f, "{kind}"),
            (kind, Some(id)) => write!(f, "{kind}:{id}"),
        }
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> String {
        scope.to_string()
    }
}

impl FromStr for Scope {
    type Err = String;

    /// `city`, `jurisdiction:ID` or `department:ID`.
    fn from_str(text: &str) -> Result<Scope, String> {
        let (kind, id) = match text.split_once(':') {
            Some((kind, id)) => (kind, Some(id.to_string())),
            None => (text, None),
        };
        let kind: ScopeKind = kind
            .parse()
            .map_err(|e| format!("{e}; write a scope as city, jurisdiction:ID or department:ID"))?;
        Scope::from_parts(kind, id)
    }
}
