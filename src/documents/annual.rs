//! 年度政务数据共享情况报告: the bureau's report of a year to the city
//! government, sent in January for the previous year (KF Art.19–20).
//!
//! One metrics run of the year (all checks, detected and imported findings)
//! feeds the figures, the charts and — unless the year's evaluation is
//! frozen, in which case the official snapshot is used — the evaluation
//! ([`YearEvaluation::compute`] on the same items, with last year's frozen
//! scores for the change when there are some). Problems and suggestions
//! are derived from the indicators with the lowest mean rate across the
//! evaluated departments.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{
    Cited, Doc, DocumentError, Prepared, archive, charts, chinese_date, issuer_code, lapsed_note,
    paren_label, percent,
};
use crate::config::Config;
use crate::evaluation::year::CITY_RANKING;
use crate::evaluation::{Evaluated, Mode, Scheme, YearEvaluation, evaluate_judged};
use crate::metrics::findings::Finding;
use crate::metrics::summary::{self, Level, Summary};
use crate::metrics::volume::{self, Volume};
use crate::metrics::{self, CheckItem, Context, Judged, Period};
use crate::rules::Profile;
use crate::store::Store;
use crate::time::local_date;
use crate::vocab::{
    CategoryCode, CheckKind, Decision, DocumentKind, EvaluationStatus, FindingSource, Rule,
    ShareType, Stage, Status,
};

/// What a report is drafted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualRequest {
    /// The year reported on.
    pub year: i32,
    /// 成文日期.
    pub date: NaiveDate,
    /// Judge the year as of this instant (default: the end of the year, or
    /// now if earlier).
    pub as_of: Option<i64>,
    /// 签发人.
    pub signer: Option<String>,
    /// Further 抄送机关.
    pub cc: Vec<String>,
}

/// The inputs of `templates/annual.typ` (each section's figures).
#[derive(Debug, Clone, Serialize)]
pub struct AnnualData {
    /// The common part.
    pub doc: Doc,
    /// The year.
    pub year: i32,
    /// The city's name.
    pub area: String,
    /// The opening: the reporting duty in the regulation's words.
    pub basis: String,
    /// 总体情况.
    pub overview: Overview,
    /// 目录编制和更新.
    pub catalog: CatalogFigures,
    /// 共享数据供需.
    pub supply: Supply,
    /// 审批时效 per stage.
    pub stages: Vec<StageFigures>,
    /// Refusals without reasons.
    pub refusals_without_reason: usize,
    /// 授权使用.
    pub grants: GrantFigures,
    /// 数据校核.
    pub corrections: CorrectionFigures,
    /// 问题发现和整改.
    pub findings: FindingFigures,
    /// 评估结果.
    pub evaluation: EvaluationFigures,
    /// 存在的问题.
    pub problems: Vec<Point>,
    /// 工作建议.
    pub suggestions: Vec<Point>,
    /// The four charts as SVG.
    pub charts: Charts,
    /// 附表.
    pub appendix: Appendix,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overview {
    pub jurisdictions: usize,
    pub departments: usize,
    pub entries: i64,
    pub requests: i64,
    pub approved: i64,
    pub refused: i64,
    pub pending: i64,
    pub grants: i64,
    pub calls: i64,
    pub corrections: usize,
    pub findings: usize,
    pub notices: i64,
    pub circulars: i64,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct CatalogFigures {
    pub entries: i64,
    pub unconditional: i64,
    pub conditional: i64,
    pub none: i64,
    pub updates: usize,
    pub updates_rate: Option<String>,
    pub breaches: usize,
    pub fresh_items: usize,
    pub fresh_rate: Option<String>,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct Supply {
    pub requests: i64,
    pub unconditional: i64,
    pub conditional: i64,
    pub top_providers: String,
    pub top_requesters: String,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Serialize)]
pub struct StageFigures {
    pub label: String,
    pub name: String,
    pub items: usize,
    pub on_time: usize,
    pub late: usize,
    pub overdue: usize,
    pub open: usize,
    pub rate: Option<String>,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct GrantFigures {
    pub grants: i64,
    pub never_used: usize,
    pub idle: usize,
    pub used_after_end: usize,
    pub max_age: usize,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct CorrectionFigures {
    pub items: usize,
    pub on_time: usize,
    pub late: usize,
    pub overdue: usize,
    pub rate: Option<String>,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct FindingFigures {
    pub total: usize,
    pub detected: usize,
    pub imported: usize,
    /// Per category: name, detected, imported, total.
    pub rows: Vec<[String; 4]>,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvaluationFigures {
    /// The scheme, cited by title and version.
    pub scheme: String,
    /// `（结果已于…冻结）` or `（实时计算结果，尚未冻结）`.
    pub status: String,
    pub departments: usize,
    pub counties: usize,
    /// `优秀3个、良好5个…`.
    pub grades: String,
    pub top: String,
    pub bottom: String,
    pub county_order: String,
    /// What a reader of the changes must know (partial years, no comparison).
    pub notes: Vec<String>,
}

/// A problem or a suggestion.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// `（一）`.
    pub label: String,
    /// Its heading.
    pub title: String,
    /// Its text.
    pub text: String,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct Charts {
    pub monthly: String,
    pub overdue: String,
    pub scores: String,
    pub counties: String,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct Appendix {
    pub metrics_title: String,
    pub metrics: Vec<[String; 8]>,
    pub evaluation_title: String,
    pub evaluation: Vec<[String; 6]>,
}

/// Departments with fewer judged approval items are left out of the
/// overdue-rate chart (a rate of one late item out of two says little).
const MIN_JUDGED_FOR_RATE: usize = 5;
/// Bars of the overdue-rate chart.
const OVERDUE_BARS: usize = 12;

/// The year, judged once: every section of the report is drawn from it.
struct Year {
    ctx: Context,
    judged: Judged,
    summary: Summary,
    volume: Volume,
    evaluated: Evaluated,
    /// The scheme that applies to the year (its indicators' advice).
    scheme: Option<Scheme>,
    /// Documents issued about the year, per kind.
    issued: BTreeMap<DocumentKind, i64>,
}

impl Year {
    async fn judge(
        store: &Store,
        config: &Config,
        request: &AnnualRequest,
    ) -> Result<Year, DocumentError> {
        let period = Period::new(request.year, None, None)?;
        let as_of = request
            .as_of
            .unwrap_or_else(|| (period.end_ms() - 1).min(crate::time::now_millis()));
        let ctx = Context::load(store, config, period, as_of).await?;
        let judged = metrics::judge(&ctx, store).await?;
        let summary = summary::summarize(&ctx, &judged.items, &judged.findings)?;
        let volume = volume::load(&ctx, store).await?;
        let evaluated = evaluate_judged(store, config, &ctx, &judged, Mode::Official).await?;
        let scheme = Scheme::applicable(config.evaluation_schemes.as_deref(), request.year)
            .map_err(crate::evaluation::EvaluationError::from)?;
        let issued = archive::issued_per_kind(store, request.year).await?;
        Ok(Year {
            ctx,
            judged,
            summary,
            volume,
            evaluated,
            scheme,
            issued,
        })
    }

    fn items(&self) -> &[CheckItem] {
        &self.judged.items
    }

    fn issued(&self, kind: DocumentKind) -> i64 {
        self.issued.get(&kind).copied().unwrap_or(0)
    }
}

/// Runs the year's metrics and evaluation and prepares the report.
pub async fn prepare(
    store: &Store,
    config: &Config,
    request: &AnnualRequest,
) -> Result<Prepared, DocumentError> {
    let y = Year::judge(store, config, request).await?;
    let org = &y.ctx.org;
    let root = org
        .root()
        .cloned()
        .ok_or_else(|| DocumentError::NotFound("no root jurisdiction (the city)".into()))?;
    let issuer = org.authority_of(&root.id).ok_or_else(|| {
        DocumentError::Invalid(format!(
            "{} has no data authority to issue the report",
            root.name
        ))
    })?;
    let profile = y
        .ctx
        .profiles
        .by_id(&root.profile)
        .expect("checked profiles")
        .clone();
    let appendix = Appendix {
        metrics_title: format!("{}年度各部门政务数据共享工作主要指标", request.year),
        metrics: metrics_rows(&y.summary),
        evaluation_title: format!("{}年度政务数据共享工作评估排名", request.year),
        evaluation: evaluation_rows(&y.evaluated.result),
    };
    let addressee = format!("{}人民政府", root.name);
    let title_parts = vec![
        issuer.name.clone(),
        format!("关于{}年度", request.year),
        "政务数据共享情况的报告".to_string(),
    ];
    let mut doc = Doc::new(&issuer.name, request.date, title_parts, addressee.clone());
    let title = doc.title.clone();
    doc.upward = true;
    doc.signer = request.signer.clone();
    doc.attachments = vec![
        appendix.metrics_title.clone(),
        appendix.evaluation_title.clone(),
    ];
    doc.cc = request.cc.clone();
    doc.note = lapsed_note(&profile, request.date);
    let (problems, suggestions) = weakest(&y.evaluated.result, y.scheme.as_ref());
    let data = AnnualData {
        doc,
        year: request.year,
        area: root.name.clone(),
        basis: basis(&profile),
        overview: overview(&y),
        catalog: catalog(&y),
        supply: supply(&y),
        stages: stages(y.items()),
        refusals_without_reason: count_rule(y.items(), &[Rule::RefusalReason]),
        grants: grants(&y),
        corrections: corrections(y.items()),
        findings: finding_figures(&y.judged.findings),
        evaluation: evaluation_figures(&y.evaluated),
        problems,
        suggestions,
        charts: charts_of(&y)?,
        appendix,
    };
    Ok(Prepared {
        kind: DocumentKind::Annual,
        issuer_id: issuer.department_id,
        issuer_name: issuer.name,
        number_prefix: format!(
            "{}{}",
            issuer_code(&root),
            DocumentKind::Annual.number_mark()
        ),
        addressee,
        title,
        subject_id: root.id.clone(),
        data_year: request.year,
        issued_on: request.date,
        deadline: None,
        covers: Vec::new(),
        data: serde_json::to_value(&data).expect("report data serialises"),
    })
}

/// The opening: the reporting duty in the regulation's words.
fn basis(profile: &Profile) -> String {
    let duty = profile
        .evaluation
        .reporting
        .first()
        .map(|duty| &duty.citation)
        .or_else(|| profile.evaluation.duties.first());
    match duty {
        Some(c) => {
            let c = Cited::of(profile, c);
            format!("根据{}“{}”的规定，", c.cite, c.quote)
        }
        None => String::new(),
    }
}

fn overview(y: &Year) -> Overview {
    let v = &y.volume;
    Overview {
        jurisdictions: y
            .ctx
            .org
            .jurisdictions
            .values()
            .filter(|j| !j.is_root())
            .count(),
        departments: y.ctx.org.departments.len(),
        entries: v.entries_total(),
        requests: v.requests.total,
        approved: v.requests_decided(Decision::Approved),
        refused: v.requests_decided(Decision::Refused),
        pending: v.requests_decided(Decision::Pending),
        grants: v.grants,
        calls: v.calls,
        corrections: count_rule(y.items(), &[Rule::Correction]),
        findings: y.judged.findings.len(),
        notices: y.issued(DocumentKind::Notice),
        circulars: y.issued(DocumentKind::Circular),
    }
}

fn catalog(y: &Year) -> CatalogFigures {
    let (v, items) = (&y.volume, y.items());
    CatalogFigures {
        entries: v.entries_total(),
        unconditional: v.entries_of_type(ShareType::Unconditional),
        conditional: v.entries_of_type(ShareType::Conditional),
        none: v.entries_of_type(ShareType::NotShared),
        updates: count_rule(items, &[Rule::CatalogUpdate]),
        updates_rate: percent(rate(items, &[Rule::CatalogUpdate])),
        breaches: items
            .iter()
            .filter(|i| i.check == CheckKind::Catalog && i.status.is_breach())
            .count(),
        fresh_items: count_rule(items, &[Rule::Freshness, Rule::FreshnessFloor]),
        fresh_rate: percent(rate(items, &[Rule::Freshness, Rule::FreshnessFloor])),
    }
}

fn supply(y: &Year) -> Supply {
    let org = &y.ctx.org;
    let top = |counts: &BTreeMap<String, i64>| -> String {
        let mut v: Vec<(&String, &i64)> = counts.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let list: Vec<String> = v
            .iter()
            .take(3)
            .map(|(id, n)| format!("{}（{n}件）", org.name_of(id)))
            .collect();
        if list.is_empty() {
            "无".into()
        } else {
            list.join("、")
        }
    };
    let r = &y.volume.requests;
    Supply {
        requests: r.total,
        unconditional: y.volume.requests_of_type(ShareType::Unconditional),
        conditional: y.volume.requests_of_type(ShareType::Conditional),
        top_providers: top(&r.by_provider),
        top_requesters: top(&r.by_requester),
    }
}

fn stages(items: &[CheckItem]) -> Vec<StageFigures> {
    [Stage::Review, Stage::Reply]
        .iter()
        .enumerate()
        .map(|(i, stage)| {
            let of: Vec<&CheckItem> = items.iter().filter(|it| it.stage == Some(*stage)).collect();
            let n = |s: &[Status]| of.iter().filter(|it| s.contains(&it.status)).count();
            let (on_time, late, overdue) = (
                n(&[Status::OnTime]),
                n(&[Status::Late]),
                n(&[Status::Overdue]),
            );
            StageFigures {
                label: paren_label(i + 1),
                name: stage.chinese().to_string(),
                items: of.len(),
                on_time,
                late,
                overdue,
                open: n(&[Status::Pending, Status::AtRisk]),
                rate: percent(ratio(on_time, on_time + late + overdue)),
            }
        })
        .collect()
}

fn grants(y: &Year) -> GrantFigures {
    let count = |rule: Rule, statuses: &[Status]| {
        y.items()
            .iter()
            .filter(|i| i.rule == rule && statuses.contains(&i.status))
            .count()
    };
    GrantFigures {
        grants: y.volume.grants,
        never_used: count(Rule::NeverUsed, &[Status::Revocable, Status::Resolved]),
        idle: count(Rule::Idle, &[Status::Revocable]),
        used_after_end: count(Rule::UsedAfterEnd, &[Status::Violation]),
        max_age: count(Rule::MaxAge, &[Status::Violation]),
    }
}

fn corrections(items: &[CheckItem]) -> CorrectionFigures {
    let corr: Vec<&CheckItem> = items
        .iter()
        .filter(|i| i.rule == Rule::Correction)
        .collect();
    let cn = |s: Status| corr.iter().filter(|i| i.status == s).count();
    CorrectionFigures {
        items: corr.len(),
        on_time: cn(Status::OnTime),
        late: cn(Status::Late),
        overdue: cn(Status::Overdue),
        rate: percent(ratio(
            cn(Status::OnTime),
            cn(Status::OnTime) + cn(Status::Late) + cn(Status::Overdue),
        )),
    }
}

fn charts_of(y: &Year) -> Result<Charts, DocumentError> {
    let e = &y.evaluated.result;
    Ok(Charts {
        monthly: monthly_chart(&y.ctx.period, &y.volume, y.items())?,
        overdue: overdue_chart(&y.ctx, y.items())?,
        scores: charts::department_scores(e)?,
        counties: charts::county_scores(e)?,
    })
}

fn count_rule(items: &[CheckItem], rules: &[Rule]) -> usize {
    items.iter().filter(|i| rules.contains(&i.rule)).count()
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// `ok / (ok + breaches)` over the items of `rules` (summary's rate).
fn rate(items: &[CheckItem], rules: &[Rule]) -> Option<f64> {
    let of = items.iter().filter(|i| rules.contains(&i.rule));
    let (mut ok, mut bad) = (0, 0);
    for i in of {
        if i.status.is_ok() {
            ok += 1;
        } else if i.status.is_breach() {
            bad += 1;
        }
    }
    ratio(ok, ok + bad)
}

fn is_approval(i: &CheckItem) -> bool {
    matches!(i.rule, Rule::Review | Rule::Reply)
}

/// A review or reply as the charts count it: `Some(true)` done in time,
/// `Some(false)` late or overdue, `None` not judged yet.
fn in_time(i: &CheckItem) -> Option<bool> {
    if i.status.is_ok() {
        Some(true)
    } else if i.status.is_breach() {
        Some(false)
    } else {
        None
    }
}

/// Requests per month of submission, and the approvals' on-time rate per
/// month as 总览's trend counts it (the month an item fell due,
/// [`CheckItem::trend_day`]), so the report and the page agree.
fn monthly_chart(
    period: &Period,
    volume: &Volume,
    items: &[CheckItem],
) -> Result<String, DocumentError> {
    let requests: [u64; 12] = std::array::from_fn(|m| volume.requests.by_month[m].max(0) as u64);
    let mut judged = [(0usize, 0usize); 12];
    for i in items.iter().filter(|i| is_approval(i)) {
        let Some(month) = i.trend_day().and_then(|d| period.month_of(d)) else {
            continue;
        };
        let m = month as usize - 1;
        if let Some(ok) = in_time(i) {
            judged[m].0 += usize::from(ok);
            judged[m].1 += 1;
        }
    }
    let rates: [Option<f64>; 12] = std::array::from_fn(|m| ratio(judged[m].0, judged[m].1));
    charts::monthly(&requests, &rates)
}

fn overdue_chart(ctx: &Context, items: &[CheckItem]) -> Result<String, DocumentError> {
    let mut per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for i in items.iter().filter(|i| is_approval(i)) {
        let e = per.entry(i.responsible_id.as_str()).or_default();
        if let Some(ok) = in_time(i) {
            e.0 += usize::from(!ok);
            e.1 += 1;
        }
    }
    let mut rows: Vec<(String, f64)> = per
        .into_iter()
        .filter(|(_, (bad, n))| *n >= MIN_JUDGED_FOR_RATE && *bad > 0)
        .map(|(id, (bad, n))| (ctx.org.name_of(id), bad as f64 / n as f64))
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(OVERDUE_BARS);
    charts::overdue_by_department(&rows)
}

fn finding_figures(all: &[Finding]) -> FindingFigures {
    let mut per: BTreeMap<CategoryCode, (usize, usize)> = BTreeMap::new();
    for f in all {
        let e = per.entry(f.category).or_default();
        // A case's missed deadline is dukao's own monitoring, as detections are.
        match f.source {
            FindingSource::Detected | FindingSource::CaseDeadline => e.0 += 1,
            FindingSource::Imported => e.1 += 1,
        }
    }
    let detected: usize = per.values().map(|v| v.0).sum();
    let imported: usize = per.values().map(|v| v.1).sum();
    let mut rows: Vec<[String; 4]> = per
        .iter()
        .map(|(c, (d, i))| {
            [
                c.chinese().to_string(),
                d.to_string(),
                i.to_string(),
                (d + i).to_string(),
            ]
        })
        .collect();
    rows.push([
        "合计".into(),
        detected.to_string(),
        imported.to_string(),
        (detected + imported).to_string(),
    ]);
    FindingFigures {
        total: all.len(),
        detected,
        imported,
        rows,
    }
}

fn evaluation_figures(evaluated: &Evaluated) -> EvaluationFigures {
    let e = &evaluated.result;
    let status = match evaluated.status {
        EvaluationStatus::Frozen => format!(
            "（评估结果已于{}冻结）",
            evaluated
                .frozen_at
                .as_deref()
                .and_then(|at| crate::time::parse_timestamp(at).ok())
                .map(|ms| chinese_date(local_date(ms)))
                .unwrap_or_default()
        ),
        EvaluationStatus::Live => "（评估结果尚未冻结，为实时计算结果）".to_string(),
    };
    let city: Vec<_> = e
        .departments
        .iter()
        .filter(|d| d.ranking == CITY_RANKING && d.published.is_some())
        .collect();
    let list = |v: &[&crate::evaluation::year::DepartmentResult]| -> String {
        let s: Vec<String> = v
            .iter()
            .map(|d| format!("{}（{:.2}分）", d.score.name, d.published.unwrap_or(0.0)))
            .collect();
        if s.is_empty() {
            "无".into()
        } else {
            s.join("、")
        }
    };
    let bottom: Vec<_> = city.iter().rev().take(3).rev().copied().collect();
    let grades: Vec<String> = e
        .grades
        .iter()
        .map(|g| {
            format!(
                "{}部门{}个、县（市、区）{}个",
                g.grade, g.departments, g.counties
            )
        })
        .collect();
    EvaluationFigures {
        scheme: format!("《{}》（{}版）", e.scheme.title, e.scheme.version),
        status,
        notes: e.comparison_notes(),
        departments: e.departments.iter().filter(|d| d.score.evaluable).count(),
        counties: e.counties.iter().filter(|c| c.score.evaluable).count(),
        grades: grades.join("，"),
        top: list(&city.iter().take(3).copied().collect::<Vec<_>>()),
        bottom: list(&bottom),
        county_order: {
            let s: Vec<String> = e
                .counties
                .iter()
                .filter_map(|c| {
                    c.published
                        .map(|p| format!("{}（{:.2}分）", c.score.name, p))
                })
                .collect();
            if s.is_empty() {
                "无".into()
            } else {
                s.join("、")
            }
        },
    }
}

/// The three indicators with the lowest mean rate across the evaluated
/// departments: a problem each, and the scheme's advice for it as a
/// suggestion (a generic one where the scheme gives none).
fn weakest(e: &YearEvaluation, scheme: Option<&Scheme>) -> (Vec<Point>, Vec<Point>) {
    let mut per: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for d in e.departments.iter().filter(|d| d.score.evaluable) {
        for i in d.score.indicators.iter().filter(|i| i.applicable) {
            if let Some(r) = i.rate {
                per.entry((i.id.clone(), i.name.clone()))
                    .or_default()
                    .push(r);
            }
        }
    }
    let mut means: Vec<((String, String), f64, usize, usize)> = per
        .into_iter()
        .map(|(k, v)| {
            let below = v.iter().filter(|r| **r < 0.8).count();
            (k, v.iter().sum::<f64>() / v.len() as f64, below, v.len())
        })
        .collect();
    means.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let mut problems = Vec::new();
    let mut suggestions = Vec::new();
    for (n, ((id, name), mean, below, units)) in means.into_iter().take(3).enumerate() {
        problems.push(Point {
            label: paren_label(n + 1),
            title: format!("{name}有待加强"),
            text: format!(
                "该项指标全市平均达标率为{:.1}%，在参评的{units}个部门中有{below}个部门低于80%，是本年度得分率最低的指标之一。",
                mean * 100.0
            ),
        });
        let advice = scheme
            .and_then(|s| s.indicators.iter().find(|i| i.id == id))
            .and_then(|i| i.advice.as_ref());
        let (title, text) = match advice {
            Some(a) => (a.title.clone(), a.text.clone()),
            None => (
                format!("改进{name}"),
                format!("针对{name}指标失分较多的部门开展专项督导，明确整改措施和时限。"),
            ),
        };
        suggestions.push(Point {
            label: paren_label(n + 1),
            title,
            text,
        });
    }
    (problems, suggestions)
}

fn metrics_rows(summary: &Summary) -> Vec<[String; 8]> {
    let mut per: BTreeMap<(&str, &str), BTreeMap<CheckKind, (Option<f64>, i64)>> = BTreeMap::new();
    for r in summary
        .checks
        .iter()
        .filter(|r| r.level == Level::Department)
    {
        per.entry((r.id.as_str(), r.name.as_str()))
            .or_default()
            .insert(r.check, (r.on_time_rate, r.breaches));
    }
    let mut found: BTreeMap<&str, i64> = BTreeMap::new();
    for f in summary
        .findings
        .iter()
        .filter(|f| f.level == Level::Department)
    {
        *found.entry(f.id.as_str()).or_default() += f.total;
    }
    for f in summary
        .findings
        .iter()
        .filter(|f| f.level == Level::Department)
    {
        per.entry((f.id.as_str(), f.name.as_str())).or_default();
    }
    per.iter()
        .enumerate()
        .map(|(i, ((id, name), checks))| {
            let rate = |k: CheckKind| {
                percent(checks.get(&k).and_then(|c| c.0))
                    .map(|p| format!("{p}%"))
                    .unwrap_or_else(|| "—".into())
            };
            [
                (i + 1).to_string(),
                name.to_string(),
                rate(CheckKind::Approvals),
                rate(CheckKind::Catalog),
                rate(CheckKind::Freshness),
                rate(CheckKind::Corrections),
                checks
                    .get(&CheckKind::Grants)
                    .map(|c| c.1)
                    .unwrap_or(0)
                    .to_string(),
                found.get(id).copied().unwrap_or(0).to_string(),
            ]
        })
        .collect()
}

fn evaluation_rows(e: &YearEvaluation) -> Vec<[String; 6]> {
    let county_name = |ranking: &str| {
        e.counties
            .iter()
            .find(|c| c.score.id == ranking)
            .map(|c| format!("{}部门", c.score.name))
            .unwrap_or_else(|| ranking.to_string())
    };
    let change = |c: Option<f64>| match c {
        Some(c) if c > 0.0 => format!("+{c:.2}"),
        Some(c) => format!("{c:.2}"),
        None => "—".into(),
    };
    let mut rows: Vec<[String; 6]> = e
        .departments
        .iter()
        .map(|d| {
            [
                d.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
                d.score.name.clone(),
                if d.ranking == CITY_RANKING {
                    "市直部门".to_string()
                } else {
                    county_name(&d.ranking)
                },
                d.published
                    .map(|p| format!("{p:.2}"))
                    .unwrap_or_else(|| "不参评".into()),
                if d.score.evaluable {
                    d.score.grade.clone()
                } else {
                    "—".into()
                },
                change(d.change),
            ]
        })
        .collect();
    rows.extend(e.counties.iter().map(|c| {
        [
            c.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
            c.score.name.clone(),
            "县（市、区）".to_string(),
            c.published
                .map(|p| format!("{p:.2}"))
                .unwrap_or_else(|| "不参评".into()),
            c.score.grade.clone(),
            change(c.change),
        ]
    }));
    rows
}
