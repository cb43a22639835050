//! The demo's first rectification cases, so that 督办 and the department's
//! own view have something in them: the demo inspector opens a case over
//! the open findings of the demo department user's department and issues
//! its 整改通知书 (numbered and archived, as a real one: the department user
//! can respond at once), and opens a second case over the department with
//! the most findings, left waiting for its notice. Both go through
//! [`crate::cases::act`], the same steps an inspector takes from the pages.

use crate::access::{Identity, Reach, Via};
use crate::cases::act::{self, Caller, NoticeChoices, Opening};
use crate::cases::{Actor, Case};
use crate::config::Config;
use crate::http::AppState;
use crate::org::Org;
use crate::people::Scope;
use crate::store::Store;
use crate::vocab::Role;

/// The demo inspector of [`super::people::plan`].
const INSPECTOR: &str = "陈督查";

/// A case the demo opened, for the log.
#[derive(Debug, Clone)]
pub struct DemoCase {
    /// The case.
    pub case: Case,
    /// Its department's name.
    pub department: String,
}

/// Opens the demo's cases over `year`'s findings; departments without open
/// findings are passed over.
pub async fn open(
    config: &Config,
    store: &Store,
    org: &Org,
    year: i32,
) -> anyhow::Result<Vec<DemoCase>> {
    let state = AppState::new(store.clone(), config.clone());
    let caller = Caller {
        identity: Identity {
            name: INSPECTOR.to_string(),
            role: Role::Inspector,
            scope: Scope::City,
            via: Via::Token {
                name: "demo".to_string(),
                tables: Vec::new(),
            },
        },
        actor: Actor {
            name: INSPECTOR.to_string(),
            role: Some(Role::Inspector),
            source: "demo".to_string(),
        },
        reach: Reach::of(&Scope::City, org),
        org: std::sync::Arc::new(org.clone()),
        now_ms: state.clock.now(),
    };
    let own = super::people::plan(org)
        .into_iter()
        .find_map(|(_, _, role, scope)| match (role, scope) {
            (Role::Department, Scope::Department(id)) => Some(id),
            _ => None,
        });
    let most = busiest_department(store, org, year).await?;
    let mut opened = Vec::new();
    for (department_id, notify) in own
        .into_iter()
        .map(|d| (d, true))
        .chain(most.map(|d| (d, false)))
    {
        if opened
            .iter()
            .any(|c: &DemoCase| c.case.department_id == department_id)
        {
            continue;
        }
        let opening = Opening {
            department_id: department_id.clone(),
            year,
            findings: None,
            manual: Vec::new(),
        };
        let Ok(case) = act::open(&state, &caller, opening).await else {
            continue;
        };
        let case = if notify {
            act::issue_notice(
                &state,
                &caller,
                case.id,
                case.version,
                NoticeChoices::default(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("the demo's notice for case {}: {e}", case.id))?
        } else {
            case
        };
        let department = org
            .departments
            .get(&department_id)
            .map_or(department_id.clone(), |d| d.name.clone());
        opened.push(DemoCase { case, department });
    }
    Ok(opened)
}

/// The city department (not the bureau) with the most stored findings of
/// `year`.
async fn busiest_department(store: &Store, org: &Org, year: i32) -> anyhow::Result<Option<String>> {
    let period = crate::metrics::Period::new(year, None, None)?;
    let mut best: Option<(usize, String)> = None;
    for d in org.departments.values().filter(|d| {
        !d.is_authority
            && org
                .jurisdictions
                .get(&d.jurisdiction_id)
                .is_some_and(|j| j.is_root())
    }) {
        let n = crate::metrics::findings::stored_of_department(store, &d.id, &period)
            .await?
            .len();
        if n > 0 && best.as_ref().is_none_or(|(m, _)| n > *m) {
            best = Some((n, d.id.clone()));
        }
    }
    Ok(best.map(|(_, id)| id))
}

/// Writes the cases to `log`.
pub fn describe(cases: &[DemoCase], log: &mut dyn std::io::Write) -> std::io::Result<()> {
    if cases.is_empty() {
        return Ok(());
    }
    writeln!(log, "rectification cases opened by the demo inspector:")?;
    for c in cases {
        writeln!(
            log,
            "  case {:<4} {}  {}  {} findings{}",
            c.case.id,
            c.department,
            c.case.state.chinese(),
            c.case.findings.len(),
            c.case
                .deadline
                .map_or(String::new(), |d| format!(", deadline {d}"))
        )?;
    }
    Ok(())
}
