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

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::Row;

use super::charts;
use super::{
    Cited, Doc, DocumentError, DocumentKind, Prepared, chinese_date, issuer_code, paren_label,
    percent,
};
use crate::config::Config;
use crate::evaluation::run::load_snapshot;
use crate::evaluation::year::CITY_RANKING;
use crate::evaluation::{Scheme, YearEvaluation};
use crate::metrics::summary::{self, Level, Summary};
use crate::metrics::table::category_chinese;
use crate::metrics::{CheckItem, CheckKind, Context, Period, Rule, Stage, Status, findings};
use crate::rules::CategoryCode;
use crate::store::Store;
use crate::time::local_date;

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
    pub requests: usize,
    pub approved: usize,
    pub refused: usize,
    pub pending: usize,
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
    pub requests: usize,
    pub unconditional: usize,
    pub conditional: usize,
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

/// Runs the year's metrics and evaluation and prepares the report.
pub async fn prepare(
    store: &Store,
    config: &Config,
    request: &AnnualRequest,
) -> Result<Prepared, DocumentError> {
    let period = Period::new(request.year, None, None)?;
    let as_of = request
        .as_of
        .unwrap_or_else(|| (period.end_ms() - 1).min(crate::time::now_millis()));
    let ctx = Context::load(store, config, period, as_of).await?;
    let items = crate::metrics::run_checks(&ctx, store, &CheckKind::ALL, &mut Vec::new()).await?;
    let mut all = findings::detected(&ctx, &items);
    all.extend(findings::imported(&ctx, store).await?);
    let summary = summary::summarize(&ctx, &items, &all)?;

    let (evaluation, status) = match load_snapshot(store, request.year).await? {
        Some(s) => (
            s.result,
            format!(
                "（评估结果已于{}冻结）",
                chinese_date(local_date(s.frozen_at))
            ),
        ),
        None => {
            let scheme = Scheme::for_year(config.evaluation_schemes.as_deref(), request.year)
                .map_err(crate::evaluation::EvaluationError::from)?;
            let mut e = YearEvaluation::compute(&ctx, &scheme, &items, &all);
            if let Some(previous) = load_snapshot(store, request.year - 1).await? {
                e = e.with_previous(&previous.result, "frozen");
            }
            (e, "（评估结果尚未冻结，为实时计算结果）".to_string())
        }
    };

    let root = ctx
        .jurisdictions
        .values()
        .find(|j| j.parent_id.is_none())
        .cloned()
        .ok_or_else(|| DocumentError::NotFound("no root jurisdiction (the city)".into()))?;
    let issuer_id = root.authority_id.clone().ok_or_else(|| {
        DocumentError::Invalid(format!(
            "{} has no data authority to issue the report",
            root.name
        ))
    })?;
    let issuer_name = ctx.departments[&issuer_id].name.clone();
    let profile = ctx
        .profiles
        .by_id(&root.profile)
        .expect("checked profiles")
        .clone();

    let basis = match (
        profile.evaluation.reporting.first(),
        profile.evaluation.duties.first(),
    ) {
        (Some(duty), _) => {
            let c = Cited::of(&profile, &duty.citation);
            format!("根据{}“{}”的规定，", c.cite, c.quote)
        }
        (None, Some(duty)) => {
            let c = Cited::of(&profile, duty);
            format!("根据{}“{}”的规定，", c.cite, c.quote)
        }
        (None, None) => String::new(),
    };

    let figures = Figures::gather(store, &ctx).await?;
    let docs = issued_counts(store, request.year).await?;
    let overview = Overview {
        jurisdictions: ctx
            .jurisdictions
            .values()
            .filter(|j| j.parent_id.is_some())
            .count(),
        departments: ctx.departments.len(),
        entries: figures.entries.iter().map(|e| e.1).sum(),
        requests: figures.requests.len(),
        approved: figures
            .requests
            .iter()
            .filter(|r| r.decision == "approved")
            .count(),
        refused: figures
            .requests
            .iter()
            .filter(|r| r.decision == "refused")
            .count(),
        pending: figures
            .requests
            .iter()
            .filter(|r| r.decision == "pending")
            .count(),
        grants: figures.grants,
        calls: figures.calls,
        corrections: count_rule(&items, &[Rule::Correction]),
        findings: all.len(),
        notices: docs.0,
        circulars: docs.1,
    };

    let entries_of = |t: &str| {
        figures
            .entries
            .iter()
            .filter(|e| e.0 == t)
            .map(|e| e.1)
            .sum::<i64>()
    };
    let catalog = CatalogFigures {
        entries: overview.entries,
        unconditional: entries_of("unconditional"),
        conditional: entries_of("conditional"),
        none: entries_of("none"),
        updates: count_rule(&items, &[Rule::CatalogUpdate]),
        updates_rate: percent(rate(&items, &[Rule::CatalogUpdate])),
        breaches: items
            .iter()
            .filter(|i| i.check == CheckKind::Catalog && i.status.is_breach())
            .count(),
        fresh_items: count_rule(&items, &[Rule::Freshness, Rule::FreshnessFloor]),
        fresh_rate: percent(rate(&items, &[Rule::Freshness, Rule::FreshnessFloor])),
    };

    let name_of = |id: &str| {
        ctx.departments
            .get(id)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let top = |counts: BTreeMap<&str, usize>| -> String {
        let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let list: Vec<String> = v
            .iter()
            .take(3)
            .map(|(id, n)| format!("{}（{n}件）", name_of(id)))
            .collect();
        if list.is_empty() {
            "无".into()
        } else {
            list.join("、")
        }
    };
    let mut providers: BTreeMap<&str, usize> = BTreeMap::new();
    let mut requesters: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &figures.requests {
        *providers.entry(r.provider.as_str()).or_default() += 1;
        *requesters.entry(r.requester.as_str()).or_default() += 1;
    }
    let supply = Supply {
        requests: figures.requests.len(),
        unconditional: figures
            .requests
            .iter()
            .filter(|r| r.share_type == "unconditional")
            .count(),
        conditional: figures
            .requests
            .iter()
            .filter(|r| r.share_type == "conditional")
            .count(),
        top_providers: top(providers),
        top_requesters: top(requesters),
    };

    let stages: Vec<StageFigures> = [
        (Stage::Review, "符合性审查"),
        (Stage::Reply, "提供部门答复"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (stage, name))| {
        let of: Vec<&CheckItem> = items.iter().filter(|it| it.stage == Some(*stage)).collect();
        let n = |s: &[Status]| of.iter().filter(|it| s.contains(&it.status)).count();
        let (on_time, late, overdue) = (
            n(&[Status::OnTime]),
            n(&[Status::Late]),
            n(&[Status::Overdue]),
        );
        StageFigures {
            label: paren_label(i + 1),
            name: name.to_string(),
            items: of.len(),
            on_time,
            late,
            overdue,
            open: n(&[Status::Pending, Status::AtRisk]),
            rate: percent(ratio(on_time, on_time + late + overdue)),
        }
    })
    .collect();

    let grant_count = |rule: Rule, statuses: &[Status]| {
        items
            .iter()
            .filter(|i| i.rule == rule && statuses.contains(&i.status))
            .count()
    };
    let grants = GrantFigures {
        grants: figures.grants,
        never_used: grant_count(Rule::NeverUsed, &[Status::Revocable, Status::Resolved]),
        idle: grant_count(Rule::Idle, &[Status::Revocable]),
        used_after_end: grant_count(Rule::UsedAfterEnd, &[Status::Violation]),
        max_age: grant_count(Rule::MaxAge, &[Status::Violation]),
    };
    let corr: Vec<&CheckItem> = items
        .iter()
        .filter(|i| i.rule == Rule::Correction)
        .collect();
    let cn = |s: Status| corr.iter().filter(|i| i.status == s).count();
    let corrections = CorrectionFigures {
        items: corr.len(),
        on_time: cn(Status::OnTime),
        late: cn(Status::Late),
        overdue: cn(Status::Overdue),
        rate: percent(ratio(
            cn(Status::OnTime),
            cn(Status::OnTime) + cn(Status::Late) + cn(Status::Overdue),
        )),
    };

    let findings_fig = finding_figures(&all);
    let evaluation_fig = evaluation_figures(&evaluation, status);
    let (problems, suggestions) = weakest(&evaluation);

    let charts = Charts {
        monthly: monthly_chart(&figures, &items)?,
        overdue: overdue_chart(&ctx, &items)?,
        scores: charts::score_distribution(
            &evaluation
                .departments
                .iter()
                .filter_map(|d| d.published)
                .collect::<Vec<_>>(),
        )?,
        counties: charts::county_comparison(
            &evaluation
                .counties
                .iter()
                .filter_map(|c| c.published.map(|p| (c.score.name.clone(), p)))
                .collect::<Vec<_>>(),
        )?,
    };
    let appendix = Appendix {
        metrics_title: format!("{}年度各部门政务数据共享工作主要指标", request.year),
        metrics: metrics_rows(&summary),
        evaluation_title: format!("{}年度政务数据共享工作评估排名", request.year),
        evaluation: evaluation_rows(&evaluation),
    };

    let title_parts = vec![
        issuer_name.clone(),
        format!("关于{}年度", request.year),
        "政务数据共享情况的报告".to_string(),
    ];
    let addressee = format!("{}人民政府", root.name);
    let mut doc = Doc::new(&issuer_name, request.date, title_parts, addressee.clone());
    let title = doc.title.clone();
    doc.upward = true;
    doc.signer = request.signer.clone();
    doc.attachments = vec![
        appendix.metrics_title.clone(),
        appendix.evaluation_title.clone(),
    ];
    doc.cc = request.cc.clone();
    let data = AnnualData {
        doc,
        year: request.year,
        area: root.name.clone(),
        basis,
        overview,
        catalog,
        supply,
        stages,
        refusals_without_reason: count_rule(&items, &[Rule::RefusalReason]),
        grants,
        corrections,
        findings: findings_fig,
        evaluation: evaluation_fig,
        problems,
        suggestions,
        charts,
        appendix,
    };
    Ok(Prepared {
        kind: DocumentKind::Annual,
        issuer_id,
        issuer_name,
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

struct RequestRow {
    submitted: NaiveDate,
    share_type: String,
    decision: String,
    provider: String,
    requester: String,
}

/// The store's figures that the items do not carry.
struct Figures {
    /// Entries in force at the end of the year per share type.
    entries: Vec<(String, i64)>,
    requests: Vec<RequestRow>,
    grants: i64,
    calls: i64,
}

impl Figures {
    async fn gather(store: &Store, ctx: &Context) -> Result<Figures, DocumentError> {
        let (start, end) = (
            ctx.period.start_ms(),
            ctx.period.end_ms().min(ctx.as_of + 1),
        );
        let entries = sqlx::query(
            "SELECT share_type, COUNT(*) FROM catalog_entries \
             WHERE published_at < $1 AND (withdrawn_at IS NULL OR withdrawn_at >= $1) GROUP BY share_type",
        )
        .bind(end)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let requests = sqlx::query(
            "SELECT submitted_at, share_type, decision, provider_id, requester_id FROM share_requests \
             WHERE submitted_at >= $1 AND submitted_at < $2",
        )
        .bind(start)
        .bind(end)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(RequestRow {
                submitted: local_date(r.try_get::<i64, _>(0)?),
                share_type: r.try_get(1)?,
                decision: r.try_get(2)?,
                provider: r.try_get(3)?,
                requester: r.try_get(4)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let grants: i64 =
            sqlx::query("SELECT COUNT(*) FROM grants WHERE granted_at >= $1 AND granted_at < $2")
                .bind(start)
                .bind(end)
                .fetch_one(store.pool())
                .await?
                .try_get(0)?;
        let calls: Option<i64> = sqlx::query(
            "SELECT CAST(SUM(calls) AS BIGINT) FROM access_log WHERE at >= $1 AND at < $2",
        )
        .bind(start)
        .bind(end)
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
        Ok(Figures {
            entries,
            requests,
            grants,
            calls: calls.unwrap_or(0),
        })
    }
}

/// Notices and circulars issued about the year.
async fn issued_counts(store: &Store, year: i32) -> Result<(i64, i64), DocumentError> {
    let mut out = (0, 0);
    for r in sqlx::query(
        "SELECT kind, COUNT(*) FROM issued_documents WHERE data_year = $1 \
         AND NOT EXISTS (SELECT 1 FROM issued_documents r WHERE r.replaces_id = issued_documents.id) \
         GROUP BY kind",
    )
    .bind(i64::from(year))
    .fetch_all(store.pool())
    .await?
    {
        let kind: String = r.try_get(0)?;
        let n: i64 = r.try_get(1)?;
        match kind.as_str() {
            "notice" => out.0 = n,
            "circular" => out.1 = n,
            _ => {}
        }
    }
    Ok(out)
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

fn monthly_chart(figures: &Figures, items: &[CheckItem]) -> Result<String, DocumentError> {
    let mut requests = [0u64; 12];
    for r in &figures.requests {
        requests[r.submitted.month0() as usize] += 1;
    }
    let mut judged = [(0usize, 0usize); 12];
    for i in items.iter().filter(|i| is_approval(i)) {
        let Some(start) = i.clock_start else { continue };
        let m = local_date(start).month0() as usize;
        if i.status == Status::OnTime {
            judged[m].0 += 1;
            judged[m].1 += 1;
        } else if matches!(i.status, Status::Late | Status::Overdue) {
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
        match i.status {
            Status::OnTime => e.1 += 1,
            Status::Late | Status::Overdue => {
                e.0 += 1;
                e.1 += 1;
            }
            _ => {}
        }
    }
    let mut rows: Vec<(String, f64)> = per
        .into_iter()
        .filter(|(_, (bad, n))| *n >= MIN_JUDGED_FOR_RATE && *bad > 0)
        .map(|(id, (bad, n))| {
            let name = ctx
                .departments
                .get(id)
                .map(|d| d.name.clone())
                .unwrap_or_else(|| id.to_string());
            (name, bad as f64 / n as f64)
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(OVERDUE_BARS);
    charts::overdue_by_department(&rows)
}

fn finding_figures(all: &[findings::Finding]) -> FindingFigures {
    let mut per: BTreeMap<CategoryCode, (usize, usize)> = BTreeMap::new();
    for f in all {
        let e = per.entry(f.category).or_default();
        match f.source {
            findings::Source::Detected => e.0 += 1,
            findings::Source::Imported => e.1 += 1,
        }
    }
    let detected: usize = per.values().map(|v| v.0).sum();
    let imported: usize = per.values().map(|v| v.1).sum();
    let mut rows: Vec<[String; 4]> = per
        .iter()
        .map(|(c, (d, i))| {
            [
                category_chinese(*c).to_string(),
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

fn evaluation_figures(e: &YearEvaluation, status: String) -> EvaluationFigures {
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
/// departments: a problem and a suggestion each.
fn weakest(e: &YearEvaluation) -> (Vec<Point>, Vec<Point>) {
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
        let (title, text) = suggestion(&id, &name);
        suggestions.push(Point {
            label: paren_label(n + 1),
            title,
            text,
        });
    }
    (problems, suggestions)
}

/// The bureau's standing suggestion for a weak indicator of the default scheme.
fn suggestion(id: &str, name: &str) -> (String, String) {
    let (title, text) = match id {
        "catalog_current" => (
            "健全目录动态更新机制",
            "督促各部门在法律法规修订或职能调整后按规定时限更新政务数据目录，按季度开展目录全面维护，将目录更新情况纳入日常监测和季度通报。",
        ),
        "data_published" => (
            "规范共享属性认定",
            "组织各部门逐条核查有条件共享和不予共享目录的法律、政策依据，依据不足的一律调整为无条件共享，并在平台上公开依据。",
        ),
        "data_fresh" => (
            "提升数据更新时效",
            "要求各部门按目录声明的更新周期更新数据，对长期未更新的数据资源实行清单管理，逾期未更新的纳入整改通知。",
        ),
        "corrections_in_time" => (
            "加快数据校核更正",
            "建立数据质量问题快速响应机制，明确校核责任人，确保在规定时限内完成校核更正并反馈。",
        ),
        "requests_in_time" => (
            "压缩共享审批时限",
            "优化共享申请审核和答复流程，对临期申请实行平台自动提醒，对超期未答复的申请逐件督办，确保在规定工作日内办结。",
        ),
        "grants_used" => (
            "提高授权数据使用效能",
            "对授权后长期未使用的数据开展清理，依规收回闲置授权，引导使用部门按需申请、有效使用共享数据。",
        ),
        _ => {
            return (
                format!("改进{name}"),
                format!("针对{name}指标失分较多的部门开展专项督导，明确整改措施和时限。"),
            );
        }
    };
    (title.to_string(), text.to_string())
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
