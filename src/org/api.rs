//! The organisation over HTTP:
//!
//! - `GET /api/v1/jurisdictions` — jurisdictions with their own and
//!   governing profile and their number of departments;
//! - `GET /api/v1/departments[?jurisdiction_id=ID]` — departments with their
//!   governing profile and their number of catalog entries.
//!
//! Each lists what the caller's scope reaches (a department sees itself
//! and its jurisdiction).

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{Org, OrgError};
use crate::access::{Identity, Reach};
use crate::http::{ApiError, AppState};
use crate::vocab::{Action, JurisdictionLevel};

/// The organisation routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/jurisdictions", get(jurisdictions))
        .route("/api/v1/departments", get(departments))
}

impl From<OrgError> for ApiError {
    fn from(e: OrgError) -> Self {
        match e {
            OrgError::UnknownDepartment(_) => ApiError::NotFound(e.to_string()),
            OrgError::Query(_)
            | OrgError::Stored { .. }
            | OrgError::UnknownProfile { .. }
            | OrgError::ParentCycle(_)
            | OrgError::NoIssuer { .. } => ApiError::Internal(e.to_string()),
        }
    }
}

/// The organisation as last loaded, and the data version it was loaded
/// at. Jurisdictions and departments change only by imports, which move
/// the data version in their transaction: a request reads the version (one
/// row) and loads the organisation again only when it moved.
#[derive(Debug, Default)]
pub struct OrgCache {
    loaded: std::sync::Mutex<Option<(i64, std::sync::Arc<Org>)>>,
}

impl OrgCache {
    fn get(&self, version: i64) -> Option<std::sync::Arc<Org>> {
        let loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        loaded
            .as_ref()
            .filter(|(v, _)| *v == version)
            .map(|(_, org)| org.clone())
    }

    fn put(&self, version: i64, org: std::sync::Arc<Org>) {
        *self.loaded.lock().unwrap_or_else(|p| p.into_inner()) = Some((version, org));
    }
}

/// The organisation, for handlers of every feature (from [`OrgCache`] when
/// no import moved the data version since it was loaded; an import landing
/// between the version read and the load only makes the next request load
/// it again). Shared, not copied: a city's organisation is a few hundred
/// units, read by every request.
pub async fn org(state: &AppState) -> Result<std::sync::Arc<Org>, ApiError> {
    let version = crate::results::version::current(&state.store)
        .await?
        .version;
    org_at(state, version).await
}

/// The organisation at data version `version`, read by the caller already
/// (with other markers, in one query): from memory unless it moved.
pub async fn org_at(state: &AppState, version: i64) -> Result<std::sync::Arc<Org>, ApiError> {
    if let Some(org) = state.org_cache.get(version) {
        return Ok(org);
    }
    let profiles = state
        .config
        .profiles()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let org = std::sync::Arc::new(
        Org::load(&state.store, &profiles, &state.config.default_profile).await?,
    );
    state.org_cache.put(version, org.clone());
    Ok(org)
}

#[derive(Serialize)]
struct JurisdictionView {
    id: String,
    name: String,
    level: JurisdictionLevel,
    parent_id: Option<String>,
    profile: Option<String>,
    governing_profile: String,
    departments: usize,
}

async fn jurisdictions(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<JurisdictionView>>, ApiError> {
    identity.require(Action::ReadOrganisation)?;
    let org = org(&state).await?;
    let reach = Reach::of(&identity.scope, &org);
    Ok(Json(
        org.jurisdictions
            .values()
            .filter(|j| reach.jurisdiction_listed(&j.id))
            .map(|j| JurisdictionView {
                id: j.id.clone(),
                name: j.name.clone(),
                level: j.level,
                parent_id: j.parent_id.clone(),
                profile: j.own_profile.clone(),
                governing_profile: j.profile.clone(),
                departments: org
                    .departments
                    .values()
                    .filter(|d| d.jurisdiction_id == j.id && reach.department(&d.id))
                    .count(),
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
struct DepartmentFilter {
    jurisdiction_id: Option<String>,
}

#[derive(Serialize)]
struct DepartmentView {
    id: String,
    name: String,
    jurisdiction_id: String,
    credit_code: Option<String>,
    is_authority: bool,
    profile: String,
    catalog_entries: i64,
}

async fn departments(
    State(state): State<AppState>,
    identity: Identity,
    Query(filter): Query<DepartmentFilter>,
) -> Result<Json<Vec<DepartmentView>>, ApiError> {
    identity.require(Action::ReadOrganisation)?;
    let org = org(&state).await?;
    let reach = Reach::of(&identity.scope, &org);
    let entries = crate::metrics::catalog::entries_per_department(&state.store).await?;
    Ok(Json(
        org.departments
            .values()
            .filter(|d| reach.department(&d.id))
            .filter(|d| {
                filter
                    .jurisdiction_id
                    .as_ref()
                    .is_none_or(|j| *j == d.jurisdiction_id)
            })
            .map(|d| DepartmentView {
                id: d.id.clone(),
                name: d.name.clone(),
                jurisdiction_id: d.jurisdiction_id.clone(),
                credit_code: d.credit_code.clone(),
                is_authority: d.is_authority,
                profile: d.profile.clone(),
                catalog_entries: entries.get(&d.id).copied().unwrap_or(0),
            })
            .collect(),
    ))
}
