//! The organisation model: the jurisdictions of a municipality (a city and
//! its counties, districts and zones), their departments, the bureau
//! (政务数据主管部门) of each level, and the regulation that governs each.
//!
//! Owns the reading of `jurisdictions` and `departments` (the importer
//! writes them, as it writes every interchange table). Every other module
//! asks this one who is above whom:
//!
//! - **Governing profile.** A jurisdiction is governed by the profile it
//!   names, else by its nearest ancestor's, else by the configured
//!   `default_profile`; a department by its jurisdiction's.
//! - **Authority.** The bureau of a jurisdiction is its department marked
//!   `is_authority` (the first by id if several); a jurisdiction without one
//!   falls back to the nearest ancestor's.
//! - **County.** A jurisdiction below the root belongs to the county (or
//!   district or zone) that is a child of the root on its path; the root's
//!   departments are the city's.
//! - **Issuer.** Who issues documents to a department: the bureau its
//!   regulation gives the power to — its own level's, or the city's
//!   ([`Org::issuer_of`]).

pub mod api;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use sqlx::Row;

use crate::rules::{IssuerLevel, Profile, Profiles};
use crate::store::{Store, get_bool};
use crate::vocab::{JurisdictionLevel, ParseNameError};

/// Why the organisation could not be loaded or asked.
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// A stored value is not in its vocabulary (the importer validates them,
    /// so the store was changed behind its back).
    #[error("{table} {id}: {source}")]
    Stored {
        /// The table.
        table: &'static str,
        /// The row's id.
        id: String,
        /// What is wrong.
        source: ParseNameError,
    },
    /// A jurisdiction or the configuration names a profile that is not loaded.
    #[error(
        "unknown regulation profile {id:?} named by {origin}: the profiles loaded are {loaded}"
    )]
    UnknownProfile {
        /// The profile id.
        id: String,
        /// Who names it (`jurisdiction JUR-…` or `default_profile`).
        origin: String,
        /// The ids loaded, comma separated.
        loaded: String,
    },
    /// Jurisdictions whose parents form a cycle.
    #[error("jurisdiction {0} is its own ancestor (parent_id cycle)")]
    ParentCycle(String),
    /// No such department.
    #[error("no department {0:?}")]
    UnknownDepartment(String),
    /// Nobody above a department holds the power to issue to it.
    #[error(
        "no data authority above {department} can issue documents to it: it is the top \
         jurisdiction's authority itself, or no department of its jurisdictions is marked \
         is_authority"
    )]
    NoIssuer {
        /// The department.
        department: String,
    },
}

/// A jurisdiction as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct JurisdictionRecord {
    /// Platform id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: JurisdictionLevel,
    /// Parent jurisdiction.
    pub parent_id: Option<String>,
    /// The profile it names, if any.
    pub profile: Option<String>,
}

/// A department as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentRecord {
    /// Platform id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its jurisdiction.
    pub jurisdiction_id: String,
    /// 统一社会信用代码, if known.
    pub credit_code: Option<String>,
    /// The bureau of its jurisdiction.
    pub is_authority: bool,
}

/// A department with what the model resolved for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    /// Platform id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its jurisdiction.
    pub jurisdiction_id: String,
    /// 统一社会信用代码, if known.
    pub credit_code: Option<String>,
    /// The bureau (政务数据主管部门) of its jurisdiction.
    pub is_authority: bool,
    /// The governing profile's id.
    pub profile: String,
}

/// A jurisdiction with what the model resolved for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Jurisdiction {
    /// Platform id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: JurisdictionLevel,
    /// Parent jurisdiction.
    pub parent_id: Option<String>,
    /// Its own profile, if it names one.
    pub own_profile: Option<String>,
    /// The governing profile's id (own, else the nearest ancestor's, else the default).
    pub profile: String,
    /// Its authority department, else the nearest ancestor's.
    pub authority_id: Option<String>,
}

impl Jurisdiction {
    /// Whether it is a root (a city, with no parent).
    pub fn is_root(&self) -> bool {
        self.parent_id.is_none()
    }
}

/// The bureau that issues a document, and the jurisdiction it speaks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Issuer {
    /// The authority department.
    pub department_id: String,
    /// Its name (发文机关).
    pub name: String,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
}

/// The municipality: jurisdictions and departments, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    /// Departments by id.
    pub departments: BTreeMap<String, Department>,
    /// Jurisdictions by id.
    pub jurisdictions: BTreeMap<String, Jurisdiction>,
    /// The profile of jurisdictions that name none, up to the root.
    pub default_profile: String,
}

fn unknown_profile(profiles: &Profiles, id: &str, origin: String) -> OrgError {
    OrgError::UnknownProfile {
        id: id.to_string(),
        origin,
        loaded: profiles
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

impl Org {
    /// Resolves governing profiles and authorities; every profile named must
    /// be among `profiles`.
    pub fn new(
        profiles: &Profiles,
        default_profile: &str,
        jurisdictions: Vec<JurisdictionRecord>,
        departments: Vec<DepartmentRecord>,
    ) -> Result<Org, OrgError> {
        if profiles.by_id(default_profile).is_none() {
            return Err(unknown_profile(
                profiles,
                default_profile,
                "default_profile".into(),
            ));
        }
        let raw: HashMap<&str, &JurisdictionRecord> =
            jurisdictions.iter().map(|j| (j.id.as_str(), j)).collect();
        for j in &jurisdictions {
            if let Some(p) = j.profile.as_deref().filter(|p| !p.is_empty()) {
                if profiles.by_id(p).is_none() {
                    return Err(unknown_profile(
                        profiles,
                        p,
                        format!("jurisdiction {}", j.id),
                    ));
                }
            }
        }
        // Authority department of each jurisdiction (the first by id if several).
        let mut own_authority: HashMap<&str, &str> = HashMap::new();
        let mut sorted: Vec<&DepartmentRecord> = departments.iter().collect();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        for d in sorted.into_iter().filter(|d| d.is_authority) {
            own_authority
                .entry(d.jurisdiction_id.as_str())
                .or_insert(d.id.as_str());
        }
        let mut resolved: BTreeMap<String, Jurisdiction> = BTreeMap::new();
        for j in &jurisdictions {
            // Walk up for the profile and the authority.
            let mut profile: Option<&str> = None;
            let mut authority: Option<&str> = None;
            let mut cursor = Some(j.id.as_str());
            let mut steps = 0usize;
            while let Some(at) = cursor {
                steps += 1;
                if steps > raw.len() + 1 {
                    return Err(OrgError::ParentCycle(j.id.clone()));
                }
                let Some(record) = raw.get(at) else { break };
                profile = profile.or(record.profile.as_deref().filter(|p| !p.is_empty()));
                authority = authority.or(own_authority.get(at).copied());
                if profile.is_some() && authority.is_some() {
                    break;
                }
                cursor = record.parent_id.as_deref().filter(|p| !p.is_empty());
            }
            resolved.insert(
                j.id.clone(),
                Jurisdiction {
                    id: j.id.clone(),
                    name: j.name.clone(),
                    level: j.level,
                    parent_id: j.parent_id.clone().filter(|p| !p.is_empty()),
                    own_profile: j.profile.clone().filter(|p| !p.is_empty()),
                    profile: profile.unwrap_or(default_profile).to_string(),
                    authority_id: authority.map(str::to_string),
                },
            );
        }
        let departments = departments
            .into_iter()
            .map(|d| {
                let profile = resolved
                    .get(&d.jurisdiction_id)
                    .map(|j| j.profile.clone())
                    .unwrap_or_else(|| default_profile.to_string());
                (
                    d.id.clone(),
                    Department {
                        id: d.id,
                        name: d.name,
                        jurisdiction_id: d.jurisdiction_id,
                        credit_code: d.credit_code,
                        is_authority: d.is_authority,
                        profile,
                    },
                )
            })
            .collect();
        Ok(Org {
            departments,
            jurisdictions: resolved,
            default_profile: default_profile.to_string(),
        })
    }

    /// Reads the stored jurisdictions and departments and resolves them.
    pub async fn load(
        store: &Store,
        profiles: &Profiles,
        default_profile: &str,
    ) -> Result<Org, OrgError> {
        let (jurisdictions, departments) = records(store).await?;
        Org::new(profiles, default_profile, jurisdictions, departments)
    }

    /// A department.
    pub fn department(&self, id: &str) -> Result<&Department, OrgError> {
        self.departments
            .get(id)
            .ok_or_else(|| OrgError::UnknownDepartment(id.to_string()))
    }

    /// A department's name, or its id when unknown.
    pub fn name_of(&self, department_id: &str) -> String {
        self.departments
            .get(department_id)
            .map_or_else(|| department_id.to_string(), |d| d.name.clone())
    }

    /// The first root jurisdiction (by id): the city.
    pub fn root(&self) -> Option<&Jurisdiction> {
        self.jurisdictions.values().find(|j| j.is_root())
    }

    /// The profile id governing a department (the default profile for an
    /// unknown id).
    pub fn profile_id_of(&self, department_id: &str) -> &str {
        self.departments
            .get(department_id)
            .map_or(self.default_profile.as_str(), |d| d.profile.as_str())
    }

    /// The authority department that reviews requests of `requester_id`:
    /// the bureau of the requester's own jurisdiction (JC Art.28:
    /// 政务数据主管部门负责受理同级政务部门的政务数据使用申请，对申请材料进行符合性审核),
    /// else the nearest ancestor's.
    pub fn reviewing_authority(&self, requester_id: &str) -> Option<&str> {
        let dept = self.departments.get(requester_id)?;
        self.jurisdictions
            .get(&dept.jurisdiction_id)?
            .authority_id
            .as_deref()
    }

    /// The county a jurisdiction belongs to: the child of a root on its path
    /// (itself, if it is one); a root for a root.
    pub fn county_of<'a>(&'a self, jurisdiction_id: &'a str) -> &'a str {
        let mut current = jurisdiction_id;
        for _ in 0..=self.jurisdictions.len() {
            let Some(j) = self.jurisdictions.get(current) else {
                return current;
            };
            match j
                .parent_id
                .as_deref()
                .and_then(|p| self.jurisdictions.get(p))
            {
                Some(parent) if !parent.is_root() => current = &parent.id,
                Some(_) | None => return current,
            }
        }
        current
    }

    /// The bureau that issues documents to a department, as its governing
    /// regulation gives the power ([`crate::rules::Escalation::issuer`]):
    ///
    /// - `same_level` (JC Art.43 同级数据管理部门, PDS, XX): the bureau of
    ///   the department's own jurisdiction, else the nearest ancestor's; for
    ///   the bureau itself, the parent jurisdiction's;
    /// - `city` (YK Art.37 市大数据管理局, KF Art.28 市政务服务和大数据管理局):
    ///   the city's bureau, whatever the department's level — a county bureau
    ///   cannot issue in its own name under these articles.
    pub fn issuer_of(&self, profiles: &Profiles, department_id: &str) -> Result<Issuer, OrgError> {
        let dept = self.department(department_id)?;
        let no_issuer = || OrgError::NoIssuer {
            department: department_id.to_string(),
        };
        match self.profile_of(profiles, department_id).escalation.issuer {
            IssuerLevel::City => {
                let root = self.root_of(&dept.jurisdiction_id).ok_or_else(no_issuer)?;
                match root.authority_id.as_deref() {
                    Some(a) if a != department_id => self.issuer(a),
                    Some(_) | None => Err(no_issuer()),
                }
            }
            IssuerLevel::SameLevel => {
                let mut jurisdiction = self.jurisdictions.get(&dept.jurisdiction_id);
                while let Some(j) = jurisdiction {
                    match j.authority_id.as_deref() {
                        Some(a) if a != department_id => return self.issuer(a),
                        Some(_) | None => {
                            jurisdiction =
                                j.parent_id.as_ref().and_then(|p| self.jurisdictions.get(p))
                        }
                    }
                }
                Err(no_issuer())
            }
        }
    }

    /// The root (city) of a jurisdiction's tree.
    pub fn root_of(&self, jurisdiction_id: &str) -> Option<&Jurisdiction> {
        let mut current = self.jurisdictions.get(jurisdiction_id)?;
        for _ in 0..=self.jurisdictions.len() {
            match current
                .parent_id
                .as_deref()
                .and_then(|p| self.jurisdictions.get(p))
            {
                Some(parent) => current = parent,
                None => return Some(current),
            }
        }
        None
    }

    /// The bureau of a jurisdiction, as an issuer.
    pub fn authority_of(&self, jurisdiction_id: &str) -> Option<Issuer> {
        let a = self
            .jurisdictions
            .get(jurisdiction_id)?
            .authority_id
            .as_deref()?;
        self.issuer(a).ok()
    }

    fn issuer(&self, authority_id: &str) -> Result<Issuer, OrgError> {
        let department = self.department(authority_id)?;
        let jurisdiction = self
            .jurisdictions
            .get(&department.jurisdiction_id)
            .cloned()
            .ok_or_else(|| OrgError::UnknownDepartment(authority_id.to_string()))?;
        Ok(Issuer {
            department_id: department.id.clone(),
            name: department.name.clone(),
            jurisdiction,
        })
    }

    /// The governing profile of a department, out of `profiles` (the set the
    /// model was resolved against).
    pub fn profile_of<'p>(&self, profiles: &'p Profiles, department_id: &str) -> &'p Profile {
        profiles
            .by_id(self.profile_id_of(department_id))
            .or_else(|| profiles.by_id(&self.default_profile))
            .expect("profiles checked when the model was built")
    }
}

/// The stored jurisdictions and departments, parsed.
async fn records(
    store: &Store,
) -> Result<(Vec<JurisdictionRecord>, Vec<DepartmentRecord>), OrgError> {
    let mut jurisdictions = Vec::new();
    for r in sqlx::query("SELECT id, name, level, parent_id, profile FROM jurisdictions")
        .fetch_all(store.pool())
        .await?
    {
        let id: String = r.try_get("id")?;
        let level: String = r.try_get("level")?;
        let level = level.parse().map_err(|source| OrgError::Stored {
            table: "jurisdictions",
            id: id.clone(),
            source,
        })?;
        jurisdictions.push(JurisdictionRecord {
            name: r.try_get("name")?,
            level,
            parent_id: r.try_get("parent_id")?,
            profile: r.try_get("profile")?,
            id,
        });
    }
    let departments =
        sqlx::query("SELECT id, name, jurisdiction_id, credit_code, is_authority FROM departments")
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(DepartmentRecord {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    jurisdiction_id: r.try_get("jurisdiction_id")?,
                    credit_code: r.try_get("credit_code")?,
                    is_authority: get_bool(r, "is_authority")?.unwrap_or(false),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((jurisdictions, departments))
}
