//! The per-department and per-jurisdiction summary, aggregated with polars.
//!
//! The items of all checks become one DataFrame (`check`, `responsible_id`,
//! `status`); the lazy engine groups it by department and check and counts
//! each status, joins the departments (name, jurisdiction, profile), and
//! does the same per jurisdiction (the departments *of* the jurisdiction,
//! not of its sub-jurisdictions). Findings (detected and imported) are
//! counted by category the same way.
//!
//! Rates: `on_time_rate = ok / (ok + breaches)`, where `ok` counts `on_time`,
//! `fresh` and `due` (data within HDX's leeway) and `breaches` counts `late`,
//! `overdue`, `delinquent` and `violation`. Open items (`pending`,
//! `at_risk`) and informational ones (`revocable`, `resolved`, `expiring`,
//! `not_evaluable`) are not in the rate; it is null when nothing was judged.

use polars::prelude::*;
use serde::Serialize;

use super::findings::Finding;
use super::{CheckItem, Context, MetricsError};
use crate::time::format_millis;
use crate::vocab::{CategoryCode, CheckKind, FindingSource, Rule, Status, vocabulary};

vocabulary! {
    /// What a summary row counts: a department or a jurisdiction.
    Level, "summary level" {
        /// A department.
        Department => "department" / "部门",
        /// A jurisdiction (its own departments, not its sub-jurisdictions').
        Jurisdiction => "jurisdiction" / "辖区",
    }
}

/// Counts of one check for one department or jurisdiction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckRow {
    /// Department or jurisdiction.
    pub level: Level,
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The department's jurisdiction; a jurisdiction's own id.
    pub jurisdiction_id: String,
    /// The governing profile.
    pub profile: String,
    /// The check.
    pub check: CheckKind,
    /// The rule, in a row of one rule's items ([`Summary::rules`]); none
    /// in a row of the whole check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
    /// Items.
    pub items: i64,
    /// Items per status, in [`Status::ALL`] order.
    #[serde(flatten)]
    pub counts: StatusCounts,
    /// `late + overdue + delinquent + violation`.
    pub breaches: i64,
    /// `ok / (ok + breaches)`; null when nothing was judged.
    pub on_time_rate: Option<f64>,
}

/// Items per status.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct StatusCounts {
    pub on_time: i64,
    pub late: i64,
    pub pending: i64,
    pub at_risk: i64,
    pub overdue: i64,
    pub violation: i64,
    pub revocable: i64,
    pub resolved: i64,
    pub expiring: i64,
    pub fresh: i64,
    pub due: i64,
    pub delinquent: i64,
    pub not_evaluable: i64,
}

impl StatusCounts {
    /// The count of a status.
    pub fn get(&self, s: Status) -> i64 {
        match s {
            Status::OnTime => self.on_time,
            Status::Late => self.late,
            Status::Pending => self.pending,
            Status::AtRisk => self.at_risk,
            Status::Overdue => self.overdue,
            Status::Violation => self.violation,
            Status::Revocable => self.revocable,
            Status::Resolved => self.resolved,
            Status::Expiring => self.expiring,
            Status::Fresh => self.fresh,
            Status::Due => self.due,
            Status::Delinquent => self.delinquent,
            Status::NotEvaluable => self.not_evaluable,
        }
    }

    fn set(&mut self, s: Status, v: i64) {
        *match s {
            Status::OnTime => &mut self.on_time,
            Status::Late => &mut self.late,
            Status::Pending => &mut self.pending,
            Status::AtRisk => &mut self.at_risk,
            Status::Overdue => &mut self.overdue,
            Status::Violation => &mut self.violation,
            Status::Revocable => &mut self.revocable,
            Status::Resolved => &mut self.resolved,
            Status::Expiring => &mut self.expiring,
            Status::Fresh => &mut self.fresh,
            Status::Due => &mut self.due,
            Status::Delinquent => &mut self.delinquent,
            Status::NotEvaluable => &mut self.not_evaluable,
        } = v;
    }
}

/// One check's (or one rule's) items of one month for one department or
/// jurisdiction: what a trend line needs, and no more (a city has
/// thousands of them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthRow {
    /// Department or jurisdiction.
    pub level: Level,
    /// Its id.
    pub id: String,
    /// The check.
    pub check: CheckKind,
    /// The rule, in a row of one rule's items ([`Summary::rule_months`]);
    /// none in a row of the whole check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
    /// The month (1–12).
    pub month: u32,
    /// Items.
    pub items: i64,
    /// `on_time + fresh + due`: the rate's numerator.
    pub ok: i64,
    /// `late + overdue + delinquent + violation`.
    pub breaches: i64,
}

/// Findings of one category for one department or jurisdiction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingRow {
    /// Department or jurisdiction.
    pub level: Level,
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The department's jurisdiction; a jurisdiction's own id.
    pub jurisdiction_id: String,
    /// The category.
    pub category: CategoryCode,
    /// Detected by the metrics in this run, or established from a
    /// rectification case's missed deadline.
    pub detected: i64,
    /// Imported inspection findings of the period.
    pub imported: i64,
    /// Both.
    pub total: i64,
}

/// The summary of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The period (`2025`, `2025Q3`, `2025-09`).
    pub period: String,
    /// The as-of instant.
    pub as_of: String,
    /// Per department, then per jurisdiction, per check.
    pub checks: Vec<CheckRow>,
    /// Per department, then per jurisdiction, per category.
    pub findings: Vec<FindingRow>,
    /// The same counts per rule (an approval's stages: review, reply,
    /// refusal reasons; each grant rule; …), per department and
    /// jurisdiction.
    pub rules: Vec<CheckRow>,
    /// The same counts per check and month, an item counted in the month of
    /// its [`CheckItem::trend_day`] when that lies in the period: the
    /// trend lines. An item without such a day is in `checks` only.
    pub months: Vec<MonthRow>,
    /// The same per rule and month (an approval's stages month by month).
    pub rule_months: Vec<MonthRow>,
}

impl Summary {
    /// Keeps the rows a caller's scope reaches: `keep(level, id)`.
    pub fn retain(&mut self, keep: impl Fn(Level, &str) -> bool) {
        self.checks.retain(|r| keep(r.level, &r.id));
        self.findings.retain(|r| keep(r.level, &r.id));
        self.rules.retain(|r| keep(r.level, &r.id));
        self.months.retain(|r| keep(r.level, &r.id));
        self.rule_months.retain(|r| keep(r.level, &r.id));
    }
}

fn frame_of_departments(ctx: &Context) -> PolarsResult<DataFrame> {
    let d: Vec<_> = ctx.org.departments.values().collect();
    DataFrame::new(
        d.len(),
        vec![
            Column::new(
                "id".into(),
                d.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "name".into(),
                d.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "jurisdiction_id".into(),
                d.iter()
                    .map(|d| d.jurisdiction_id.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "profile".into(),
                d.iter().map(|d| d.profile.as_str()).collect::<Vec<_>>(),
            ),
        ],
    )
}

fn frame_of_jurisdictions(ctx: &Context) -> PolarsResult<DataFrame> {
    let j: Vec<_> = ctx.org.jurisdictions.values().collect();
    DataFrame::new(
        j.len(),
        vec![
            Column::new(
                "id".into(),
                j.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "name".into(),
                j.iter().map(|j| j.name.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "profile".into(),
                j.iter().map(|j| j.profile.as_str()).collect::<Vec<_>>(),
            ),
        ],
    )
}

fn status_counts() -> Vec<Expr> {
    let mut aggs = vec![len().cast(DataType::Int64).alias("items")];
    for s in Status::ALL {
        aggs.push(
            col("status")
                .eq(lit(s.as_str()))
                .cast(DataType::Int64)
                .sum()
                .alias(s.as_str()),
        );
    }
    aggs
}

fn sum_of(statuses: impl Iterator<Item = Status>) -> Expr {
    statuses
        .map(|s| col(s.as_str()))
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| lit(0i64))
}

fn with_rates(lf: LazyFrame) -> LazyFrame {
    let ok = sum_of(Status::ALL.into_iter().filter(|s| s.is_ok()));
    let breaches = sum_of(Status::ALL.into_iter().filter(|s| s.is_breach()));
    lf.with_columns([ok.alias("ok"), breaches.alias("breaches")])
        .with_columns([(col("ok").cast(DataType::Float64)
            / (col("ok") + col("breaches")).cast(DataType::Float64))
        .alias("on_time_rate")])
}

/// Aggregates items and findings per department and per jurisdiction.
pub fn summarize(
    ctx: &Context,
    items: &[CheckItem],
    findings: &[Finding],
) -> Result<Summary, MetricsError> {
    let departments = frame_of_departments(ctx)?;
    let jurisdictions = frame_of_jurisdictions(ctx)?;

    let item_frame = DataFrame::new(
        items.len(),
        vec![
            Column::new(
                "check".into(),
                items.iter().map(|i| i.check.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "responsible_id".into(),
                items
                    .iter()
                    .map(|i| i.responsible_id.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "rule".into(),
                items.iter().map(|i| i.rule.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "status".into(),
                items.iter().map(|i| i.status.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "month".into(),
                items
                    .iter()
                    .map(|i| {
                        i.trend_day()
                            .and_then(|d| ctx.period.month_of(d))
                            .map(|m| m as i32)
                    })
                    .collect::<Vec<_>>(),
            ),
        ],
    )?
    .lazy()
    .left_join(
        departments
            .clone()
            .lazy()
            .select([col("id"), col("jurisdiction_id")]),
        col("responsible_id"),
        col("id"),
    );

    let sort = || SortMultipleOptions::default().with_maintain_order(true);
    // Counted per unit (its id column first) and `keys`, with the unit's
    // names joined, in key order.
    let counted = |unit: &str, keys: &[&str], names: &DataFrame| -> PolarsResult<DataFrame> {
        let by: Vec<&str> = std::iter::once(unit).chain(keys.iter().copied()).collect();
        let mut items = item_frame.clone();
        if keys.contains(&"month") {
            items = items.filter(col("month").is_not_null());
        }
        with_rates(
            items
                .group_by(by.iter().map(|k| col(*k)).collect::<Vec<_>>())
                .agg(status_counts()),
        )
        .left_join(names.clone().lazy(), col(unit), col("id"))
        .sort(by, sort())
        .collect()
    };
    let mut checks = Vec::new();
    let mut rules = Vec::new();
    let mut months = Vec::new();
    let mut rule_months = Vec::new();
    for (level, unit, names) in [
        (Level::Department, "responsible_id", &departments),
        (Level::Jurisdiction, "jurisdiction_id", &jurisdictions),
    ] {
        checks.extend(check_rows(&counted(unit, &["check"], names)?, level, unit)?);
        rules.extend(check_rows(
            &counted(unit, &["check", "rule"], names)?,
            level,
            unit,
        )?);
        months.extend(month_rows(
            &counted(unit, &["check", "month"], names)?,
            level,
            unit,
        )?);
        rule_months.extend(month_rows(
            &counted(unit, &["check", "rule", "month"], names)?,
            level,
            unit,
        )?);
    }

    let finding_frame = DataFrame::new(
        findings.len(),
        vec![
            Column::new(
                "department_id".into(),
                findings
                    .iter()
                    .map(|f| f.department_id.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "category".into(),
                findings
                    .iter()
                    .map(|f| f.category.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "source".into(),
                findings
                    .iter()
                    .map(|f| f.source.as_str())
                    .collect::<Vec<_>>(),
            ),
        ],
    )?
    .lazy()
    .left_join(
        departments
            .clone()
            .lazy()
            .select([col("id"), col("jurisdiction_id")]),
        col("department_id"),
        col("id"),
    );
    let finding_aggs = || {
        [
            // Detected by dukao: by a check, or from a case's missed deadline.
            col("source")
                .eq(lit(FindingSource::Detected.as_str()))
                .or(col("source").eq(lit(FindingSource::CaseDeadline.as_str())))
                .cast(DataType::Int64)
                .sum()
                .alias("detected"),
            col("source")
                .eq(lit(FindingSource::Imported.as_str()))
                .cast(DataType::Int64)
                .sum()
                .alias("imported"),
            len().cast(DataType::Int64).alias("total"),
        ]
    };
    let f_department = finding_frame
        .clone()
        .group_by([col("department_id"), col("category")])
        .agg(finding_aggs())
        .left_join(departments.lazy(), col("department_id"), col("id"))
        .sort(["department_id", "category"], sort())
        .collect()?;
    let f_jurisdiction = finding_frame
        .group_by([col("jurisdiction_id"), col("category")])
        .agg(finding_aggs())
        .left_join(jurisdictions.lazy(), col("jurisdiction_id"), col("id"))
        .sort(["jurisdiction_id", "category"], sort())
        .collect()?;
    let mut finding_rows = finding_rows_of(&f_department, Level::Department, "department_id")?;
    finding_rows.extend(finding_rows_of(
        &f_jurisdiction,
        Level::Jurisdiction,
        "jurisdiction_id",
    )?);

    Ok(Summary {
        period: ctx.period.label(),
        as_of: format_millis(ctx.as_of),
        checks,
        findings: finding_rows,
        rules,
        months,
        rule_months,
    })
}

/// A name the aggregation carried through from a vocabulary failed to parse
/// back: a bug of this module, reported as a computation error.
fn computed(e: crate::vocab::ParseNameError) -> MetricsError {
    MetricsError::Polars(PolarsError::ComputeError(e.to_string().into()))
}

fn computed_text(message: String) -> MetricsError {
    MetricsError::Polars(PolarsError::ComputeError(message.into()))
}

fn text(df: &DataFrame, name: &str, i: usize) -> PolarsResult<String> {
    Ok(df.column(name)?.str()?.get(i).unwrap_or("").to_string())
}

fn int(df: &DataFrame, name: &str, i: usize) -> PolarsResult<i64> {
    Ok(df.column(name)?.i64()?.get(i).unwrap_or(0))
}

fn check_rows(
    df: &DataFrame,
    level: Level,
    id_column: &str,
) -> Result<Vec<CheckRow>, MetricsError> {
    let mut out = Vec::with_capacity(df.height());
    let rates = df.column("on_time_rate")?.f64()?;
    for i in 0..df.height() {
        let id = text(df, id_column, i)?;
        let check: CheckKind = text(df, "check", i)?.parse().map_err(computed)?;
        let rule: Option<Rule> = match df.column("rule") {
            Ok(_) => Some(text(df, "rule", i)?.parse().map_err(computed)?),
            Err(_) => None,
        };
        let mut counts = StatusCounts::default();
        for s in Status::ALL {
            counts.set(s, int(df, s.as_str(), i)?);
        }
        let jurisdiction_id = match level {
            Level::Department => text(df, "jurisdiction_id", i)?,
            Level::Jurisdiction => id.clone(),
        };
        out.push(CheckRow {
            level,
            name: text(df, "name", i)?,
            jurisdiction_id,
            profile: text(df, "profile", i)?,
            check,
            rule,
            items: int(df, "items", i)?,
            breaches: int(df, "breaches", i)?,
            on_time_rate: rates.get(i).filter(|r| r.is_finite()),
            counts,
            id,
        });
    }
    Ok(out)
}

fn month_rows(
    df: &DataFrame,
    level: Level,
    id_column: &str,
) -> Result<Vec<MonthRow>, MetricsError> {
    let months = df.column("month")?.i32()?;
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let month = months
            .get(i)
            .and_then(|m| u32::try_from(m).ok())
            .ok_or_else(|| computed_text(format!("row {i} of the months has no month")))?;
        let rule: Option<Rule> = match df.column("rule") {
            Ok(_) => Some(text(df, "rule", i)?.parse().map_err(computed)?),
            Err(_) => None,
        };
        out.push(MonthRow {
            level,
            id: text(df, id_column, i)?,
            check: text(df, "check", i)?.parse().map_err(computed)?,
            rule,
            month,
            items: int(df, "items", i)?,
            ok: int(df, "ok", i)?,
            breaches: int(df, "breaches", i)?,
        });
    }
    Ok(out)
}

fn finding_rows_of(
    df: &DataFrame,
    level: Level,
    id_column: &str,
) -> Result<Vec<FindingRow>, MetricsError> {
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let id = text(df, id_column, i)?;
        let category: CategoryCode = text(df, "category", i)?.parse().map_err(computed)?;
        let jurisdiction_id = match level {
            Level::Department => text(df, "jurisdiction_id", i)?,
            Level::Jurisdiction => id.clone(),
        };
        out.push(FindingRow {
            level,
            name: text(df, "name", i)?,
            jurisdiction_id,
            category,
            detected: int(df, "detected", i)?,
            imported: int(df, "imported", i)?,
            total: int(df, "total", i)?,
            id,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::findings;
    use crate::metrics::testutil::ctx_at;
    use crate::vocab::Rule;

    fn item(check: CheckKind, rule: Rule, id: &str, dept: &str, status: Status) -> CheckItem {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        let p = ctx.profile_of(dept);
        let c = &p
            .deadline(crate::rules::DeadlineKey::Correction)
            .unwrap()
            .citation;
        let item = CheckItem::new(rule, id, dept, p, c, status);
        assert_eq!(item.check, check);
        item
    }

    #[test]
    fn counts_and_rates_per_department_and_jurisdiction() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        let a = CheckKind::Approvals;
        let mut items = vec![
            item(a, Rule::Reply, "R1", "DEP-C-1", Status::OnTime),
            item(a, Rule::Reply, "R2", "DEP-C-1", Status::OnTime),
            item(a, Rule::Reply, "R3", "DEP-C-1", Status::Late),
            item(a, Rule::Reply, "R4", "DEP-C-1", Status::Pending),
            item(a, Rule::Reply, "R5", "DEP-C-2", Status::Overdue),
            item(
                CheckKind::Freshness,
                Rule::Freshness,
                "E1",
                "DEP-C-2",
                Status::NotEvaluable,
            ),
            item(a, Rule::Reply, "R6", "DEP-X-1", Status::OnTime),
            item(a, Rule::Review, "R1", "DEP-C-1", Status::Late),
        ];
        items.iter_mut().for_each(CheckItem::classify);
        let found = findings::detected(&ctx, &items);
        let s = summarize(&ctx, &items, &found).unwrap();
        let row = |level: Level, id: &str, check: CheckKind| {
            s.checks
                .iter()
                .find(|r| r.level == level && r.id == id && r.check == check)
                .unwrap()
                .clone()
        };
        let c1 = row(Level::Department, "DEP-C-1", a);
        assert_eq!(
            (
                c1.items,
                c1.counts.on_time,
                c1.counts.late,
                c1.counts.pending
            ),
            (5, 2, 2, 1)
        );
        assert_eq!(c1.breaches, 2);
        assert_eq!(c1.on_time_rate, Some(2.0 / 4.0));
        assert_eq!(c1.rule, None);
        // The same per rule: the approval's stages apart.
        let stage = |level: Level, id: &str, rule: Rule| {
            s.rules
                .iter()
                .find(|r| r.level == level && r.id == id && r.rule == Some(rule))
                .unwrap()
                .clone()
        };
        let reply = stage(Level::Department, "DEP-C-1", Rule::Reply);
        assert_eq!((reply.items, reply.breaches), (4, 1));
        assert_eq!(reply.on_time_rate, Some(2.0 / 3.0));
        let review = stage(Level::Department, "DEP-C-1", Rule::Review);
        assert_eq!((review.items, review.breaches, review.check), (1, 1, a));
        assert_eq!(review.on_time_rate, Some(0.0));
        assert_eq!(
            stage(Level::Jurisdiction, "JUR-C", Rule::Reply).items,
            5,
            "the city's replies"
        );
        assert_eq!(c1.jurisdiction_id, "JUR-C");
        assert_eq!(c1.name, "DEP-C-1 名称");
        let fr = row(Level::Department, "DEP-C-2", CheckKind::Freshness);
        assert_eq!(fr.on_time_rate, None, "nothing judged");
        let city = row(Level::Jurisdiction, "JUR-C", a);
        assert_eq!((city.items, city.counts.overdue, city.breaches), (6, 1, 3));
        assert_eq!(city.on_time_rate, Some(2.0 / 5.0));
        assert_eq!(city.name, "云州市");
        assert_eq!(row(Level::Jurisdiction, "JUR-X", a).profile, "xinxian");
        // Findings: R3's reply and R1's review, R5, approval_overdue; three
        // in the city.
        let f: Vec<_> = s
            .findings
            .iter()
            .map(|r| (r.level, r.id.as_str(), r.category, r.detected, r.total))
            .collect();
        assert_eq!(
            f,
            [
                (
                    Level::Department,
                    "DEP-C-1",
                    CategoryCode::ApprovalOverdue,
                    2,
                    2
                ),
                (
                    Level::Department,
                    "DEP-C-2",
                    CategoryCode::ApprovalOverdue,
                    1,
                    1
                ),
                (
                    Level::Jurisdiction,
                    "JUR-C",
                    CategoryCode::ApprovalOverdue,
                    3,
                    3
                ),
            ]
        );
    }

    #[test]
    fn months_count_items_where_their_deadline_fell() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        let a = CheckKind::Approvals;
        let day = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(2025, m, d);
        let due = |mut i: CheckItem, on: Option<chrono::NaiveDate>| {
            i.due = on;
            i
        };
        let mut items = vec![
            due(
                item(a, Rule::Reply, "R1", "DEP-C-1", Status::OnTime),
                day(1, 31),
            ),
            due(
                item(a, Rule::Reply, "R2", "DEP-C-1", Status::Late),
                day(1, 2),
            ),
            due(
                item(a, Rule::Reply, "R3", "DEP-C-1", Status::OnTime),
                day(3, 15),
            ),
            // Due before the period: in the year's totals, in no month.
            due(
                item(a, Rule::Reply, "R4", "DEP-C-1", Status::Late),
                chrono::NaiveDate::from_ymd_opt(2024, 12, 30),
            ),
            // No due date and nothing done: in no month.
            item(a, Rule::Reply, "R5", "DEP-C-1", Status::Pending),
            // A state as of the run (how fresh an entry is now): in no
            // month, whatever its due date.
            due(
                item(
                    CheckKind::Freshness,
                    Rule::Freshness,
                    "E1",
                    "DEP-C-1",
                    Status::Delinquent,
                ),
                day(2, 1),
            ),
        ];
        items.iter_mut().for_each(CheckItem::classify);
        let s = summarize(&ctx, &items, &[]).unwrap();
        let month = |m: u32| {
            s.months
                .iter()
                .find(|r| r.level == Level::Department && r.id == "DEP-C-1" && r.month == m)
                .cloned()
        };
        let january = month(1).unwrap();
        assert_eq!(
            (january.items, january.ok, january.breaches, january.check),
            (2, 1, 1, a)
        );
        assert_eq!(month(3).unwrap().ok, 1);
        assert!(month(2).is_none() && month(12).is_none());
        let months: i64 = s
            .months
            .iter()
            .filter(|r| r.level == Level::Department)
            .map(|r| r.items)
            .sum();
        assert_eq!(months, 3, "R4, R5 and E1 are in no month");
        assert!(
            s.months
                .iter()
                .any(|r| r.level == Level::Jurisdiction && r.month == 1)
        );
        // Per rule too: the same items, each under its rule.
        assert!(s.months.iter().all(|r| r.rule.is_none()));
        let reply_january = s
            .rule_months
            .iter()
            .find(|r| r.level == Level::Department && r.id == "DEP-C-1" && r.month == 1)
            .unwrap();
        assert_eq!(
            (reply_january.rule, reply_january.items, reply_january.ok),
            (Some(Rule::Reply), 2, 1)
        );
        let per_rule: i64 = s
            .rule_months
            .iter()
            .filter(|r| r.level == Level::Department)
            .map(|r| r.items)
            .sum();
        assert_eq!(per_rule, months);
    }

    #[test]
    fn empty_runs_summarise_to_nothing() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        let s = summarize(&ctx, &[], &[]).unwrap();
        assert!(s.checks.is_empty() && s.findings.is_empty());
        assert_eq!(s.period, "2025");
    }
}
