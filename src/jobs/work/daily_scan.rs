//! The daily scan: judges every check as of now, records new findings and
//! heals ended ones, stores the results readers see, and collects the
//! items due within one working day (`at_risk`) into one reminder digest
//! per responsible department for the day — never one message per item.
//! In January the previous year is scanned too while it is not frozen
//! (its deadlines still run into the new year). 总览 compares the year with
//! the previous one: when no result of the previous year is stored at all
//! (a new installation, an upgrade that dropped stored results), it is
//! computed too, so the first reader does not wait half a minute for it.
//! Owns `reminder_digests`.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::Serialize;
use sqlx::Row;

use super::{Outcome, Run, WorkError};
use crate::access::Reach;
use crate::metrics::{CheckItem, Period};
use crate::results::compute::{self, Computed, Recording};
use crate::results::{ResultKind, Wanted};
use crate::store::Store;
use crate::vocab::{CheckKind, Rule, Status};

/// One item of a reminder digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Reminder {
    /// The check.
    pub check: CheckKind,
    /// The rule.
    pub rule: Rule,
    /// The record's platform id.
    pub id: String,
    /// The article the deadline rests on.
    pub citation_text: String,
    /// The last day.
    pub due: Option<chrono::NaiveDate>,
    /// Working days left after today.
    pub working_days_left: Option<i64>,
}

/// A department's reminders of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Digest {
    /// The department.
    pub department_id: String,
    /// The day.
    pub day: String,
    /// The items.
    pub items: Vec<Reminder>,
}

impl Digest {
    /// The digests of `day` in reach, cut in the query.
    pub async fn of_day(store: &Store, reach: &Reach, day: &str) -> Result<Vec<Digest>, WorkError> {
        let (condition, params) = reach.department_condition("department_id", 2);
        let sql = format!(
            "SELECT department_id, body FROM reminder_digests WHERE day = $1 AND {condition} \
             ORDER BY department_id"
        );
        let mut q = sqlx::query(&sql).bind(day);
        for p in &params {
            q = q.bind(p.as_str());
        }
        let mut out = Vec::new();
        for row in q.fetch_all(store.pool()).await? {
            let department_id: String = row.try_get(0)?;
            let body: String = row.try_get(1)?;
            let items = serde_json::from_str(&body).map_err(|e| {
                WorkError::Stored(format!("reminder_digests row {department_id}/{day}: {e}"))
            })?;
            out.push(Digest {
                department_id,
                day: day.to_string(),
                items,
            });
        }
        Ok(out)
    }
}

pub(super) async fn run(run: &Run<'_>) -> Result<Outcome, WorkError> {
    let day = run.day_of_period()?;
    let year = run.today().year();
    let mut scans = vec![scan(run, year).await?];
    if run.today().month() == 1
        && crate::evaluation::snapshot::load(run.store, year - 1)
            .await?
            .is_none()
    {
        scans.push(scan(run, year - 1).await?);
    }
    let mut lines: Vec<String> = scans.iter().map(described).collect();
    let digests = digests(scans.iter().flat_map(|s| &s.judged.items));
    if scans.len() == 1 && !previous_year_stored(run, year).await? {
        lines.push(described(&scan(run, year - 1).await?));
    }
    let reminded: usize = digests.values().map(Vec::len).sum();
    save_digests(run, &day.to_string(), &digests).await?;
    lines.push(format!(
        "提醒 {} 个部门 {} 项（期限至多剩 1 个工作日）",
        digests.len(),
        reminded
    ));
    Ok(Outcome::done(lines.join("；")))
}

/// Whether any summary of the year before `year` is stored.
async fn previous_year_stored(run: &Run<'_>, year: i32) -> Result<bool, WorkError> {
    let label = (year - 1).to_string();
    Ok(
        crate::results::header(run.store, ResultKind::Summary, &label, Wanted::Latest)
            .await?
            .is_some(),
    )
}

async fn scan(run: &Run<'_>, year: i32) -> Result<Computed, WorkError> {
    let period =
        Period::new(year, None, None).map_err(crate::results::compute::ComputeError::from)?;
    Ok(compute::compute(
        run.store,
        run.config,
        period,
        run.now,
        run.now,
        Recording::Findings,
    )
    .await?)
}

fn described(c: &Computed) -> String {
    let (inserted, healed) = c
        .recorded
        .as_ref()
        .map_or((0, 0), |r| (r.inserted, r.healed));
    format!(
        "{}年：判定 {} 项，新增问题 {} 条，已整改消除 {} 条，数据版本 {}，判定用时 {} 毫秒，存储用时 {} 毫秒",
        c.period.year,
        c.judged.items.len(),
        inserted,
        healed,
        c.data_version,
        c.compute_ms,
        c.store_ms
    )
}

/// The items at risk, per responsible department.
fn digests<'a>(items: impl Iterator<Item = &'a CheckItem>) -> BTreeMap<String, Vec<Reminder>> {
    let mut out: BTreeMap<String, Vec<Reminder>> = BTreeMap::new();
    for i in items.filter(|i| i.status == Status::AtRisk) {
        out.entry(i.responsible_id.clone())
            .or_default()
            .push(Reminder {
                check: i.check,
                rule: i.rule,
                id: i.id.clone(),
                citation_text: i.citation_text.clone(),
                due: i.due,
                working_days_left: i.working_days_left,
            });
    }
    out
}

async fn save_digests(
    run: &Run<'_>,
    day: &str,
    digests: &BTreeMap<String, Vec<Reminder>>,
) -> Result<(), WorkError> {
    let mut tx = run.store.begin().await?;
    sqlx::query("DELETE FROM reminder_digests WHERE day = $1")
        .bind(day)
        .execute(&mut *tx)
        .await?;
    for (department, items) in digests {
        let body = serde_json::to_string(items)
            .map_err(|e| WorkError::Stored(format!("reminders of {department}: {e}")))?;
        sqlx::query(
            "INSERT INTO reminder_digests (department_id, day, items, body, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(department)
        .bind(day)
        .bind(items.len() as i64)
        .bind(body)
        .bind(run.now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
