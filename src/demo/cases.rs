//! The demo's rectification cases, so that 督办, the evaluation and the
//! department's own view have something in them. All go through
//! [`crate::cases::act`], the same steps an inspector takes from the pages:
//!
//! - **an earlier case that went overdue** ([`open_earlier`]): in mid-October
//!   of the demo year the inspector judged the year so far, opened a case
//!   over a city department's open findings and issued its 整改通知书; the
//!   department never answered. Its deadline passed within the year, so the
//!   year's evaluation counts it as a rectification not done in time (the
//!   only source of that category: the demo imports no such rows), and the
//!   clock drafts the escalation its profile calls for;
//! - **today's cases** ([`open`]): one over the open findings of the demo
//!   department user's department, its notice issued (numbered and
//!   archived, as a real one: the department user can respond at once), and
//!   one over the department with the most findings, left waiting for its
//!   notice.

use chrono::{Days, NaiveDate, NaiveTime};

use crate::access::{Identity, Reach, Via};
use crate::cases::act::{self, Caller, NoticeChoices, Opening};
use crate::cases::{Actor, Case};
use crate::config::Config;
use crate::http::AppState;
use crate::metrics::{Context, Period, judge};
use crate::org::Org;
use crate::people::Scope;
use crate::store::Store;
use crate::time::local_to_millis;
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

/// The demo inspector acting at `now_ms`.
fn inspector(org: &Org, now_ms: i64) -> Caller {
    Caller {
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
        now_ms,
    }
}

/// The department of the demo department user, who answers notices.
fn responding_department(org: &Org) -> Option<String> {
    super::people::plan(org)
        .into_iter()
        .find_map(|(_, _, role, scope)| match (role, scope) {
            (Role::Department, Scope::Department(id)) => Some(id),
            _ => None,
        })
}

/// The day of the earlier case: the first working day from 15 October of
/// `year`, late enough for the year's findings to have piled up, early
/// enough for a notice's deadline to pass within the year.
fn earlier_day(config: &Config, year: i32) -> anyhow::Result<NaiveDate> {
    let calendar = config.calendar()?;
    let mut day = NaiveDate::from_ymd_opt(year, 10, 15)
        .ok_or_else(|| anyhow::anyhow!("no 15 October in {year}"))?;
    while !calendar.is_working_day(day)? {
        day = day + Days::new(1);
    }
    Ok(day)
}

/// Opens the demo's earlier case (see the module's text): the year judged
/// as of a morning in mid-October (its breaches recorded as findings, as
/// the daily scan would have), a case over the open findings of the city
/// department with the most of them (not the demo department user's, whose
/// case is today's), its notice issued that day, and no answer since.
/// `None` when no such department has open findings.
pub async fn open_earlier(
    config: &Config,
    store: &Store,
    org: &Org,
    year: i32,
) -> anyhow::Result<Option<DemoCase>> {
    let period = Period::new(year, None, None)?;
    let day = earlier_day(config, year)?;
    let morning = NaiveTime::from_hms_opt(9, 30, 0).expect("a time of day");
    let now_ms = local_to_millis(day.and_time(morning))?;
    let context = Context::load(store, config, period, now_ms).await?;
    judge(&context, store)
        .await?
        .record(&context, store, now_ms)
        .await?;
    let own = responding_department(org);
    let Some(department_id) = busiest_departments(store, org, year)
        .await?
        .into_iter()
        .find(|d| Some(d) != own.as_ref())
    else {
        return Ok(None);
    };
    let state = AppState::new(store.clone(), config.clone());
    open_case(
        &state,
        &inspector(org, now_ms),
        org,
        &department_id,
        year,
        true,
    )
    .await
}

/// Opens a case as `caller` over the open findings of `year` of the
/// department that no case holds, and issues its notice when `notify`.
/// `None` when there is nothing to open it over.
async fn open_case(
    state: &AppState,
    caller: &Caller,
    org: &Org,
    department_id: &str,
    year: i32,
    notify: bool,
) -> anyhow::Result<Option<DemoCase>> {
    let opening = Opening {
        department_id: department_id.to_string(),
        year,
        findings: None,
        manual: Vec::new(),
    };
    let Ok(case) = act::open(state, caller, opening).await else {
        return Ok(None);
    };
    let case = if notify {
        act::issue_notice(
            state,
            caller,
            case.id,
            case.version,
            NoticeChoices::default(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("the demo's notice for case {}: {e}", case.id))?
    } else {
        case
    };
    Ok(Some(DemoCase {
        department: department_name(org, department_id),
        case,
    }))
}

fn department_name(org: &Org, id: &str) -> String {
    org.departments
        .get(id)
        .map_or_else(|| id.to_string(), |d| d.name.clone())
}

/// Opens today's cases over `year`'s findings (see the module's text),
/// passing over departments with a case in `earlier` and those without
/// open findings.
pub async fn open(
    config: &Config,
    store: &Store,
    org: &Org,
    year: i32,
    earlier: &[DemoCase],
) -> anyhow::Result<Vec<DemoCase>> {
    let state = AppState::new(store.clone(), config.clone());
    let caller = inspector(org, state.clock.now());
    let taken = |plan: &[(String, bool)], id: &str| {
        earlier.iter().any(|c| c.case.department_id == id) || plan.iter().any(|(d, _)| d == id)
    };
    let mut plan: Vec<(String, bool)> = Vec::new();
    if let Some(own) = responding_department(org).filter(|d| !taken(&plan, d.as_str())) {
        plan.push((own, true));
    }
    let busiest = busiest_departments(store, org, year).await?;
    if let Some(most) = busiest.into_iter().find(|d| !taken(&plan, d.as_str())) {
        plan.push((most, false));
    }
    let mut opened = Vec::new();
    for (department_id, notify) in plan {
        opened.extend(open_case(&state, &caller, org, &department_id, year, notify).await?);
    }
    Ok(opened)
}

/// The city departments (not the bureau) with stored findings of `year`,
/// the most findings first (ties: the smaller id).
async fn busiest_departments(store: &Store, org: &Org, year: i32) -> anyhow::Result<Vec<String>> {
    let period = Period::new(year, None, None)?;
    let mut counted: Vec<(usize, String)> = Vec::new();
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
        if n > 0 {
            counted.push((n, d.id.clone()));
        }
    }
    counted.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(counted.into_iter().map(|(_, id)| id).collect())
}

/// Writes the cases to `log`.
pub fn describe(cases: &[DemoCase], log: &mut dyn std::io::Write) -> std::io::Result<()> {
    if cases.is_empty() {
        return Ok(());
    }
    writeln!(log, "rectification cases opened by the demo inspector:")?;
    let today = crate::time::local_date(crate::time::now_millis());
    for c in cases {
        let overdue = if c.case.overdue_on(today) {
            " (overdue)"
        } else {
            ""
        };
        writeln!(
            log,
            "  case {:<4} {}  {}  {} findings{}{overdue}",
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
