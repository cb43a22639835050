//! The headline figures of a year and their trends, from the stored
//! summary ([`crate::metrics::summary`]): each check's items, breaches and
//! rate over the departments in reach, each approval stage (and each rule
//! of a check that applies several) under its check, the change from last
//! year, and the rate month by month.
//!
//! The month of an item is the month its deadline fell due, or the month
//! of the act it judges ([`crate::metrics::item::TrendDay`]), the same month
//! the annual report's chart counts it in; a check of states judged as of
//! the run (数据更新) has no months. Months without a judged item are gaps
//! in a trend, never zeros; a month with fewer than [`FEWEST_DRAWN`] judged
//! items is a gap in the lines too (its counts stay in the trend table).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::escape;
use crate::documents::charts::{self, TrendLine};
use crate::http::ApiError;
use crate::metrics::item::{TrendDay, records_breaches_only};
use crate::vocab::{CategoryCode, CheckKind, Rule, Status};

/// One check's (or rule's, or month's) totals over the rows counted.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// Items judged or open.
    pub items: i64,
    /// Items that broke their deadline or rule.
    pub breaches: i64,
    /// Items on time, fresh or within leeway.
    pub ok: i64,
}

impl std::iter::Sum<Totals> for Totals {
    /// The totals of several (a year's from its months).
    fn sum<I: Iterator<Item = Totals>>(parts: I) -> Totals {
        parts.fold(Totals::default(), |all, t| Totals {
            items: all.items + t.items,
            breaches: all.breaches + t.breaches,
            ok: all.ok + t.ok,
        })
    }
}

impl Totals {
    /// Adds a summary row's counts.
    fn add(&mut self, row: &Value) {
        self.items += row["items"].as_i64().unwrap_or(0);
        self.breaches += row["breaches"].as_i64().unwrap_or(0);
        self.ok += Status::ALL
            .iter()
            .filter(|s| s.is_ok())
            .map(|s| row[s.as_str()].as_i64().unwrap_or(0))
            .sum::<i64>();
    }

    /// Adds a month row's counts (`items`, `ok`, `breaches`:
    /// [`crate::metrics::summary::MonthRow`]).
    fn add_month(&mut self, row: &Value) {
        self.items += row["items"].as_i64().unwrap_or(0);
        self.breaches += row["breaches"].as_i64().unwrap_or(0);
        self.ok += row["ok"].as_i64().unwrap_or(0);
    }

    /// `ok / (ok + breaches)`, as the summary defines the on-time rate.
    pub fn rate(&self) -> Option<f64> {
        (self.judged() > 0).then(|| self.ok as f64 / self.judged() as f64)
    }

    /// The items judged (on time or not): what the rate is a share of.
    pub fn judged(&self) -> i64 {
        self.ok + self.breaches
    }

    /// The rate, if enough items were judged to draw it in a trend
    /// ([`FEWEST_DRAWN`]).
    fn drawn_rate(&self) -> Option<f64> {
        self.rate().filter(|_| self.judged() >= FEWEST_DRAWN)
    }
}

/// The fewest judged items a month needs for its rate to be drawn in a
/// trend (a sparkline, the trend chart). With fewer, one item swings the
/// month between 0 and 100 % (a department that keeps its catalog up to
/// date has one or two entries falling due in a month), and a line through
/// such months reads as collapses that did not happen. This is the
/// bureau's presentation, not a rule: every month's counts are still in
/// the trend table, marked 未绘制.
pub const FEWEST_DRAWN: i64 = 5;

/// Which department rows of a summary are counted: all of them (the
/// summary was already cut to the reader's reach in the store query), or
/// those of some departments (a county's page).
pub enum Counted<'a> {
    /// Every department row.
    All,
    /// The rows of these departments.
    Departments(&'a [String]),
}

impl Counted<'_> {
    fn keeps(&self, row: &Value) -> bool {
        row["level"] == "department"
            && match self {
                Counted::All => true,
                Counted::Departments(ids) => row["id"]
                    .as_str()
                    .is_some_and(|id| ids.iter().any(|d| d == id)),
            }
    }
}

fn rows<'v>(summary: &'v Value, array: &str) -> &'v [Value] {
    summary[array].as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn check_of(row: &Value) -> Option<CheckKind> {
    row["check"].as_str().and_then(|c| c.parse().ok())
}

/// Each check's totals.
fn per_check(summary: &Value, counted: &Counted) -> BTreeMap<CheckKind, Totals> {
    let mut out: BTreeMap<CheckKind, Totals> = BTreeMap::new();
    for row in rows(summary, "checks").iter().filter(|r| counted.keeps(r)) {
        if let Some(check) = check_of(row) {
            out.entry(check).or_default().add(row);
        }
    }
    out
}

/// Each rule's totals, with its check.
fn per_rule(summary: &Value, counted: &Counted) -> BTreeMap<(CheckKind, Rule), Totals> {
    let mut out: BTreeMap<(CheckKind, Rule), Totals> = BTreeMap::new();
    for row in rows(summary, "rules").iter().filter(|r| counted.keeps(r)) {
        let rule = row["rule"].as_str().and_then(|r| r.parse::<Rule>().ok());
        if let (Some(check), Some(rule)) = (check_of(row), rule) {
            out.entry((check, rule)).or_default().add(row);
        }
    }
    out
}

/// A month row's month, as an index (January 0).
fn month_of(row: &Value) -> Option<usize> {
    row["month"]
        .as_u64()
        .filter(|m| (1..=12).contains(m))
        .map(|m| m as usize - 1)
}

/// Each check's totals per month, January first.
pub fn per_month(summary: &Value, counted: &Counted) -> BTreeMap<CheckKind, [Totals; 12]> {
    let mut out: BTreeMap<CheckKind, [Totals; 12]> = BTreeMap::new();
    for row in rows(summary, "months").iter().filter(|r| counted.keeps(r)) {
        if let (Some(check), Some(m)) = (check_of(row), month_of(row)) {
            out.entry(check).or_insert([Totals::default(); 12])[m].add_month(row);
        }
    }
    out
}

/// Each rule's totals per month (an approval's stages month by month).
fn per_rule_month(summary: &Value, counted: &Counted) -> BTreeMap<Rule, [Totals; 12]> {
    let mut out: BTreeMap<Rule, [Totals; 12]> = BTreeMap::new();
    for row in rows(summary, "rule_months")
        .iter()
        .filter(|r| counted.keeps(r))
    {
        let rule = row["rule"].as_str().and_then(|r| r.parse::<Rule>().ok());
        if let (Some(rule), Some(m)) = (rule, month_of(row)) {
            out.entry(rule).or_insert([Totals::default(); 12])[m].add_month(row);
        }
    }
    out
}

/// The rates of a check's months as a trend draws them: a month with too
/// few judged items is a gap ([`FEWEST_DRAWN`]).
fn drawn(months: &[Totals; 12]) -> [Option<f64>; 12] {
    std::array::from_fn(|m| months[m].drawn_rate())
}

/// A trend in words (a chart's text alternative): each month's rate as
/// drawn, and the months left out for too few items.
fn trend_words(months: &[Totals; 12]) -> String {
    let mut shown = Vec::new();
    let mut sparse = Vec::new();
    for (m, t) in months.iter().enumerate() {
        match (t.drawn_rate(), t.judged()) {
            (Some(r), _) => shown.push(format!("{}月 {:.1}%", m + 1, 100.0 * r)),
            (None, 0) => {}
            (None, _) => sparse.push(format!("{}月", m + 1)),
        }
    }
    let mut words = if shown.is_empty() {
        "各月均无足够的已判定事项".to_string()
    } else {
        format!("各月达标率：{}", shown.join("，"))
    };
    if !sparse.is_empty() {
        words.push_str(&format!(
            "；{}已判定事项不足{FEWEST_DRAWN}项，未绘制",
            sparse.join("、")
        ));
    }
    words
}

/// One line of the headline figures: a check, or one of its rules (an
/// approval's stages) under it.
pub struct HeadlineRow {
    /// The check's or the rule's name.
    pub label: &'static str,
    /// A rule's line, under its check's.
    pub rule: bool,
    /// Its totals.
    pub totals: Totals,
    /// The on-time rate, in words.
    pub rate: String,
    /// The change from last year, in words.
    pub change: String,
    /// A check's or a rule's totals per month (none for states,
    /// [`TrendDay::State`], and for a rule counted, not rated).
    pub months: Option<[Totals; 12]>,
    /// A rule that records its breaches only
    /// ([`crate::metrics::item::records_breaches_only`]): its line gives
    /// the count and its change, not a rate.
    pub counted: bool,
}

/// The headline figures: each check's totals over the departments in
/// reach and, where a check applies several rules, each rule's (for the
/// approvals: review, reply, reasons for refusal — the approval's stages).
pub fn headline_rows(summary: &Value, previous: Option<&Value>) -> Vec<HeadlineRow> {
    let all = Counted::All;
    let before_checks = previous.map(|p| per_check(p, &all)).unwrap_or_default();
    let before_rules = previous.map(|p| per_rule(p, &all)).unwrap_or_default();
    let rules = per_rule(summary, &all);
    let months = per_month(summary, &all);
    let rule_months = per_rule_month(summary, &all);
    let change = |now: Option<f64>, then: Option<f64>| match (now, then) {
        (Some(r), Some(p)) => format!("{:+.1} 个百分点", 100.0 * (r - p)),
        _ if previous.is_none() => "上年数据计算中".to_string(),
        _ => "—".to_string(),
    };
    let rate = |r: Option<f64>| r.map_or("未测".to_string(), |r| format!("{:.1}%", 100.0 * r));
    let mut out = Vec::new();
    for (check, totals) in per_check(summary, &all) {
        out.push(HeadlineRow {
            label: check.chinese(),
            rule: false,
            totals,
            rate: rate(totals.rate()),
            change: change(
                totals.rate(),
                before_checks.get(&check).and_then(Totals::rate),
            ),
            months: TrendDay::has_months(check)
                .then(|| months.get(&check).copied().unwrap_or_default()),
            counted: false,
        });
        let of_check: Vec<_> = rules.iter().filter(|((c, _), _)| *c == check).collect();
        if of_check.len() < 2 {
            continue;
        }
        for ((_, rule), totals) in of_check {
            let before = before_rules.get(&(check, *rule));
            if records_breaches_only(*rule) {
                out.push(HeadlineRow {
                    label: rule.chinese(),
                    rule: true,
                    totals: *totals,
                    rate: format!("{} 件", totals.breaches),
                    change: match before {
                        Some(b) => format!("{:+} 件", totals.breaches - b.breaches),
                        None if previous.is_none() => "上年数据计算中".to_string(),
                        None => "—".to_string(),
                    },
                    months: None,
                    counted: true,
                });
                continue;
            }
            out.push(HeadlineRow {
                label: rule.chinese(),
                rule: true,
                totals: *totals,
                rate: rate(totals.rate()),
                change: change(totals.rate(), before.and_then(Totals::rate)),
                months: (TrendDay::of(*rule) != TrendDay::State)
                    .then(|| rule_months.get(rule).copied().unwrap_or_default()),
                counted: false,
            });
        }
    }
    out
}

/// Why a rule of breaches only has a count and no rate.
const COUNTED_WORDS: &str = "本项只记录违规行为（每一项都是违规），按件数计，不计达标率";

/// Why a check of states has no trend.
const STATE_WORDS: &str = "按数据截至时点的状态判定，一次判定不反映此前各月";

/// A trend cell: the sparkline of the months' rates, labelled with them;
/// when no month holds enough items to draw, words saying so instead of an
/// empty line.
pub fn trend_cell(months: &[Totals; 12]) -> Result<String, ApiError> {
    let words = escape(&trend_words(months));
    if drawn(months).iter().all(Option::is_none) {
        return Ok(format!(
            "<span class=\"na\" title=\"{words}\">各月均不足{FEWEST_DRAWN}项</span>"
        ));
    }
    let svg = charts::sparkline(&drawn(months)).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(format!(
        "<span class=\"spark\" role=\"img\" aria-label=\"{words}\" title=\"{words}\">{svg}</span>"
    ))
}

/// The headline section: the figures (each check with its trend line and
/// its change from last year), then the findings per category.
pub fn headline(summary: &Value, previous: Option<&Value>) -> Result<String, ApiError> {
    let mut out = String::from(
        "<section aria-labelledby=\"headline\"><h2 id=\"headline\">主要监测指标</h2>\n\
         <div class=\"scroll\"><table class=\"figures\"><thead><tr><th scope=\"col\">监测项</th><th scope=\"col\">事项</th>\
         <th scope=\"col\">违反期限或规定</th><th scope=\"col\" title=\"按时办结或合规的事项占已判定事项的比例\">达标率</th>\
         <th scope=\"col\" title=\"各月达标率：事项计入其期限届满或行为发生的月份\">各月趋势</th>\
         <th scope=\"col\">较上年</th></tr></thead><tbody>\n",
    );
    for row in headline_rows(summary, previous) {
        let trend = match &row.months {
            Some(months) => trend_cell(months)?,
            None if row.counted => {
                format!("<span class=\"na\" title=\"{COUNTED_WORDS}\">按件计</span>")
            }
            None => format!("<span class=\"na\" title=\"{STATE_WORDS}\">不分月</span>"),
        };
        let _ = writeln!(
            out,
            "<tr{}><th scope=\"row\">{}{}</th><td>{}</td><td>{}</td><td>{}</td><td class=\"trend\">{trend}</td><td>{}</td></tr>",
            if row.rule { " class=\"sub\"" } else { "" },
            if row.rule { "其中：" } else { "" },
            escape(row.label),
            row.totals.items,
            row.totals.breaches,
            row.rate,
            row.change,
        );
    }
    out.push_str("</tbody></table></div>\n");
    let mut per_category: BTreeMap<CategoryCode, i64> = BTreeMap::new();
    for row in rows(summary, "findings")
        .iter()
        .filter(|r| r["level"] == "department")
    {
        if let Some(c) = row["category"]
            .as_str()
            .and_then(|c| c.parse::<CategoryCode>().ok())
        {
            *per_category.entry(c).or_default() += row["total"].as_i64().unwrap_or(0);
        }
    }
    if !per_category.is_empty() {
        out.push_str(
            "<h3>问题分类</h3><table class=\"figures\"><thead><tr><th scope=\"col\">类别</th>\
             <th scope=\"col\">条数</th></tr></thead><tbody>\n",
        );
        for (category, n) in &per_category {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{n}</td></tr>",
                escape(category.chinese())
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
    Ok(out)
}

/// The trend chart's lines: each check's rate per month over the rows
/// counted.
pub fn trend_lines(summary: &Value, counted: &Counted) -> Vec<TrendLine> {
    per_month(summary, counted)
        .into_iter()
        .map(|(check, months)| TrendLine {
            name: check.chinese().to_string(),
            look: CheckKind::ALL.iter().position(|c| *c == check).unwrap_or(0),
            rates: drawn(&months),
        })
        .collect()
}

/// The trend chart (plotters SVG, the annual report's drawing code).
pub fn trend_chart(summary: &Value, counted: &Counted) -> Result<String, ApiError> {
    charts::monthly_rates(&trend_lines(summary, counted))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// The trend chart's figures as a table (its text alternative, folded):
/// one row per check, one column per month; and which checks have no
/// months, and why.
pub fn trend_table(summary: &Value, counted: &Counted) -> String {
    let states: Vec<&str> = CheckKind::ALL
        .into_iter()
        .filter(|c| !TrendDay::has_months(*c))
        .map(CheckKind::chinese)
        .collect();
    let mut out = if states.is_empty() {
        String::new()
    } else {
        format!(
            "<p class=\"legend\">{}{STATE_WORDS}，不在图中。</p>\n",
            escape(&states.join("、"))
        )
    };
    let per_month = per_month(summary, counted);
    if per_month.is_empty() {
        return out;
    }
    let _ = write!(
        out,
        "<details><summary>各月达标率数据（括号内为达标/已判定事项数；已判定事项不足{FEWEST_DRAWN}项的月份比率起落大，不绘入趋势线）</summary><div class=\"scroll\"><table class=\"figures\">\
         <thead><tr><th scope=\"col\">监测项</th>",
    );
    for m in 1..=12 {
        let _ = write!(out, "<th scope=\"col\">{m}月</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for (check, months) in &per_month {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th>",
            escape(check.chinese())
        );
        for m in months {
            let _ = write!(
                out,
                "<td>{}</td>",
                m.rate().map_or("—".to_string(), |r| format!(
                    "{:.1}%（{}/{}{}）",
                    100.0 * r,
                    m.ok,
                    m.judged(),
                    if m.drawn_rate().is_some() {
                        ""
                    } else {
                        "，未绘制"
                    }
                ))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div></details>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The rates of a check's months, every month judged.
    fn rates(months: &[Totals; 12]) -> [Option<f64>; 12] {
        std::array::from_fn(|m| months[m].rate())
    }

    fn row(id: &str, check: &str, ok: i64, late: i64) -> Value {
        json!({
            "level": "department", "id": id, "check": check,
            "items": ok + late, "on_time": ok, "late": late, "breaches": late,
        })
    }

    fn month(id: &str, month: u32, ok: i64, late: i64) -> Value {
        json!({
            "level": "department", "id": id, "check": "approvals", "month": month,
            "items": ok + late, "ok": ok, "breaches": late,
        })
    }

    #[test]
    fn months_are_rates_of_their_own_items_and_gaps_stay_gaps() {
        let summary = json!({
            "checks": [row("D1", "approvals", 7, 3), row("D1", "freshness", 1, 1)],
            "rules": [],
            "findings": [],
            "months": [
                month("D1", 1, 3, 1),
                month("D2", 1, 1, 0),
                month("D1", 3, 0, 2),
                {"level": "jurisdiction", "id": "J", "check": "approvals", "month": 2, "items": 9, "ok": 9, "breaches": 0},
            ],
        });
        let all = per_month(&summary, &Counted::All);
        let approvals = rates(&all[&CheckKind::Approvals]);
        assert_eq!(approvals[0], Some(4.0 / 5.0));
        assert_eq!(
            approvals[1], None,
            "jurisdiction rows are not counted twice"
        );
        assert_eq!(approvals[2], Some(0.0));
        let d2 = ["D2".to_string()];
        let one = per_month(&summary, &Counted::Departments(&d2));
        assert_eq!(rates(&one[&CheckKind::Approvals])[0], Some(1.0));
        assert_eq!(rates(&one[&CheckKind::Approvals])[2], None);
        assert_eq!(
            trend_words(&all[&CheckKind::Approvals]),
            "各月达标率：1月 80.0%；3月已判定事项不足5项，未绘制"
        );
        assert_eq!(
            drawn(&all[&CheckKind::Approvals])[..3],
            [Some(0.8), None, None],
            "two items in March: not drawn"
        );

        let rows = headline_rows(&summary, None);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].months.unwrap()[0].rate(), Some(0.8));
        assert!(rows[1].months.is_none(), "freshness is a state: no months");
        let html = headline(&summary, None).unwrap();
        assert!(html.contains("各月趋势") && html.contains("<svg"), "{html}");
        assert!(
            html.contains("aria-label=\"各月达标率：1月 80.0%；3月已判定事项不足5项，未绘制\"")
        );
        assert!(html.contains("不分月"));
        let table = trend_table(&summary, &Counted::All);
        assert!(
            table.contains("数据更新按数据截至时点的状态判定"),
            "{table}"
        );
        assert!(
            table.contains(
                "<th scope=\"row\">共享审批</th><td>80.0%（4/5）</td><td>—</td><td>0.0%（0/2，未绘制）</td>"
            ),
            "{table}"
        );
    }

    #[test]
    fn each_stage_has_its_own_months() {
        let rule = |r: &str, ok: i64, late: i64| {
            json!({
                "level": "department", "id": "D1", "check": "approvals", "rule": r,
                "items": ok + late, "on_time": ok, "late": late, "breaches": late,
            })
        };
        let rule_month = |r: &str, month: u32, ok: i64, late: i64| {
            json!({
                "level": "department", "id": "D1", "check": "approvals", "rule": r,
                "month": month, "items": ok + late, "ok": ok, "breaches": late,
            })
        };
        let summary = json!({
            "checks": [row("D1", "approvals", 16, 4)],
            "rules": [rule("review", 10, 0), rule("reply", 6, 4)],
            "findings": [],
            "months": [month("D1", 1, 16, 4)],
            "rule_months": [rule_month("review", 1, 10, 0), rule_month("reply", 1, 6, 4)],
        });
        let rows = headline_rows(&summary, None);
        let stages: Vec<bool> = rows.iter().map(|r| r.rule).collect();
        assert_eq!(
            stages,
            [false, true, true],
            "the check, then review and reply"
        );
        let january = |i: usize| rows[i].months.unwrap()[0];
        assert_eq!(january(0).judged(), 20);
        assert_eq!((january(1).ok, january(1).breaches), (10, 0));
        assert_eq!((january(2).ok, january(2).breaches), (6, 4));
        let html = headline(&summary, None).unwrap();
        assert_eq!(html.matches("<span class=\"spark\"").count(), 3, "{html}");
        // A stage whose months all hold too few items to draw says so.
        let few = json!({
            "checks": [row("D1", "approvals", 3, 1)],
            "rules": [rule("review", 2, 0), rule("reply", 1, 1)],
            "findings": [],
            "months": [month("D1", 1, 3, 1)],
            "rule_months": [rule_month("review", 1, 2, 0), rule_month("reply", 1, 1, 1)],
        });
        let html = headline(&few, None).unwrap();
        assert!(!html.contains("<span class=\"spark\""), "{html}");
        assert_eq!(html.matches("各月均不足5项").count(), 3, "{html}");
    }

    #[test]
    fn a_rule_of_breaches_only_is_counted_not_rated() {
        let rule = |r: &str, ok: i64, late: i64| {
            json!({
                "level": "department", "id": "D1", "check": "approvals", "rule": r,
                "items": ok + late, "on_time": ok, "late": late, "violation": 0, "breaches": late,
            })
        };
        let summary = |refused: i64| {
            json!({
                "checks": [row("D1", "approvals", 10, refused)],
                "rules": [rule("review", 10, 0), rule("refusal_reason", 0, refused)],
                "findings": [],
                "months": [],
                "rule_months": [],
            })
        };
        let (now, before) = (summary(3), summary(2));
        let rows = headline_rows(&now, Some(&before));
        let refusal = rows.last().unwrap();
        assert!(refusal.counted && refusal.months.is_none());
        assert_eq!(
            (refusal.rate.as_str(), refusal.change.as_str()),
            ("3 件", "+1 件")
        );
        assert_eq!(rows[1].rate, "100.0%", "review keeps its rate");
        let html = headline(&now, Some(&before)).unwrap();
        assert!(
            html.contains("按件计") && !html.contains(">0.0%<"),
            "{html}"
        );
    }
}
