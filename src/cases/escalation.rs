//! What follows an overdue case: the escalation its governing profile
//! prescribes after a missed rectification deadline (RULES.md §4), drafted
//! as a circular for an inspector to issue — never issued by itself.
//!
//! Cases are escalated by the bureau that issued their notices, together:
//! one circular per bureau and year names every overdue case of its
//! notices not escalated yet. The step is the bureau's jurisdiction's
//! profile's `escalation.overdue`: 通报批评 (YK Art.37), a report for
//! supervision (PDS Art.27, KF Art.28), JC's written circular with refusal
//! named only as what follows if an inspector establishes it (Art.43(8)).
//! Where the regulation prescribes none (XX), the circular is the bureau's
//! own measure on its power of supervision, and says so.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::record::{self, Filter};
use super::{Case, CaseError};
use crate::access::Reach;
use crate::documents::archive;
use crate::documents::circular::{CircularRequest, Followed, Reported};
use crate::org::Org;
use crate::rules::Profiles;
use crate::store::Store;
use crate::vocab::CaseState;

/// The step a profile prescribes after a missed deadline, as a pending
/// escalation shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The profile.
    pub profile: String,
    /// The regulation's words for the step; none where it prescribes none.
    pub wording: Option<String>,
    /// The article, `《…》第三十七条`; none where it prescribes none.
    pub cite: Option<String>,
    /// Whether the circular is the bureau's own measure (no step in the
    /// regulation).
    pub bureau_measure: bool,
}

/// Overdue cases of one bureau's notices, awaiting their circular.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pending {
    /// The bureau that issued the notices (and issues the circular).
    pub issuer_id: String,
    /// Its name.
    pub issuer_name: String,
    /// Its jurisdiction (the circular's).
    pub jurisdiction_id: String,
    /// The data year of the notices.
    pub year: i32,
    /// What the profile prescribes.
    pub step: Step,
    /// The overdue cases.
    pub cases: Vec<Case>,
}

impl Pending {
    /// The circular that escalates exactly these cases, dated `date`.
    pub fn circular(&self, date: NaiveDate) -> CircularRequest {
        CircularRequest {
            year: self.year,
            jurisdiction_id: Some(self.jurisdiction_id.clone()),
            date,
            except: Vec::new(),
            cc: Vec::new(),
            notices: Some(self.cases.iter().filter_map(|c| c.notice_id).collect()),
            followed: self
                .cases
                .iter()
                .filter_map(|c| {
                    let reported = match c.state {
                        CaseState::Returned => Reported::Returned,
                        CaseState::Responded | CaseState::Closed => Reported::Late,
                        CaseState::Opened | CaseState::Notified | CaseState::Dismissed => {
                            Reported::Nothing
                        }
                    };
                    Some((
                        c.notice_id?,
                        Followed {
                            deadline: c.deadline?,
                            reported,
                        },
                    ))
                })
                .collect(),
        }
    }
}

/// The overdue cases of `year` in reach that no circular escalated yet, on
/// `today`, grouped by the bureau that issued their notices.
pub async fn pending(
    store: &Store,
    org: &Org,
    profiles: &Profiles,
    reach: &Reach,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<Pending>, CaseError> {
    let filter = Filter {
        year: Some(year),
        ..Filter::default()
    };
    let mut groups: BTreeMap<String, Pending> = BTreeMap::new();
    for case in record::list(store, reach, &filter).await? {
        let Some(notice_id) = case.notice_id else {
            continue;
        };
        if case.escalation_id.is_some() || !case.overdue_on(today) {
            continue;
        }
        let notice = archive::get(store, notice_id, &Reach::City).await?;
        if let Some(group) = groups.get_mut(&notice.issuer_id) {
            group.cases.push(case);
            continue;
        }
        let issuer = org
            .department(&notice.issuer_id)
            .map_err(|e| CaseError::Stored(e.to_string()))?;
        let jurisdiction = org
            .jurisdictions
            .get(&issuer.jurisdiction_id)
            .ok_or_else(|| {
                CaseError::Stored(format!(
                    "the issuer {} of notice {} has no jurisdiction",
                    issuer.id, notice.number
                ))
            })?;
        let profile = profiles.by_id(&jurisdiction.profile).ok_or_else(|| {
            CaseError::Stored(format!("profile {} is not loaded", jurisdiction.profile))
        })?;
        let step = match &profile.escalation.overdue {
            Some(step) => Step {
                profile: profile.id.clone(),
                wording: Some(step.wording.clone()),
                cite: Some(profile.cite(&step.citation)),
                bureau_measure: false,
            },
            None => Step {
                profile: profile.id.clone(),
                wording: None,
                cite: None,
                bureau_measure: true,
            },
        };
        groups.insert(
            notice.issuer_id.clone(),
            Pending {
                issuer_id: notice.issuer_id,
                issuer_name: notice.issuer_name,
                jurisdiction_id: jurisdiction.id.clone(),
                year,
                step,
                cases: vec![case],
            },
        );
    }
    Ok(groups.into_values().collect())
}
