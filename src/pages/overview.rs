//! 总览: the leaders' overview of a year, and the drill-down from any of
//! its cells to exactly the records behind it (with their CSV).
//!
//! Both read stored results only (the evaluation, the summary, the items
//! per check: [`crate::results`]); a result not stored yet shows that it
//! is being computed and the page reloads itself. The URL holds the whole
//! state — year, as-of instant, unit, indicator — so a link sent to a
//! colleague shows the same thing, cut to the colleague's own scope.
//!
//! The unit × indicator matrix shows each cell's state by a shape and a
//! word as well as a colour (readable in black and white and by the
//! colour-blind), and "not measured" apart from "failed":
//!
//! | shape | word | when |
//! |---|---|---|
//! | ● | 达标 | every item measured met the rule |
//! | ▲ | 有差距 | some missed it, the rate is at least 90 % |
//! | ■ | 未达标 | the rate is below 90 % |
//! | ○ | 未测 | nothing to measure this year (not applicable) |
//!
//! The 90 % line is the page's way of sorting cells for the eye, not a
//! rule of any regulation or of the scheme (the score uses the rate).

use std::fmt::Write as _;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;

use super::headline::{Counted, headline, headline_rows, trend_chart, trend_table};
use super::kept::{CSRF_SLOT, KeptPage, Lookup, PageCache, PageKey};
use super::print::{PrintChart, PrintTable, Printed};
use super::{Viewer, escape, page, signed_in_bar, url_encode, viewer};
use crate::access::{Reach, city_wide, permits};
use crate::evaluation::api::{Answer, read};
use crate::evaluation::measures::counts_against;
use crate::evaluation::year::{CountyResult, DepartmentResult, YearEvaluation};
use crate::evaluation::{Evaluated, Scheme};
use crate::http::{ApiError, AppState};
use crate::metrics::{Period, parse_as_of};
use crate::results::refresh::Want;
use crate::results::{self, Basis, ITEMS, ResultKind, Wanted};
use crate::time::{chinese_instant_text as when, parse_timestamp};
use crate::vocab::{Action, CheckKind, EvaluationStatus, Rule, Status};

/// Seconds after which a page waiting for a result reloads itself.
const RELOAD_SECS: u32 = 5;
/// The rate under which a measured cell reads 未达标 (the page's sorting for
/// the eye, see the module's documentation).
const FAILING_BELOW: f64 = 0.9;

/// The overview's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/overview", get(overview))
        .route("/overview/records", get(records))
        .route("/overview/unit", get(unit))
        .route("/overview/chart.svg", get(chart))
}

/// The state a URL holds.
#[derive(Debug, Default, Deserialize)]
pub struct View {
    /// The year (default: this year).
    pub year: Option<i32>,
    /// As of (RFC 3339 or a date); default the latest stored result.
    pub as_of: Option<String>,
    /// The department (drill-down).
    pub unit: Option<String>,
    /// The indicator (drill-down).
    pub indicator: Option<String>,
    /// `csv` for the drill-down's records as CSV.
    pub format: Option<String>,
    /// The order of the matrix's rows ([`MatrixOrder`]).
    pub sort: Option<String>,
    /// The page of a long list of records (from 1; [`RECORDS_PER_PAGE`]).
    pub page: Option<usize>,
    /// Which chart (`/overview/chart.svg`): `departments` or `counties`.
    pub chart: Option<String>,
}

/// Records a drill-down shows at once (the CSV holds them all).
const RECORDS_PER_PAGE: usize = 200;

/// The page asked of `total` records (from 1; the first when none): its
/// number, the number of pages, and the range of its records. A page past
/// the last is not found.
fn records_page(
    total: usize,
    asked: Option<usize>,
) -> Result<(usize, usize, std::ops::Range<usize>), ApiError> {
    let pages = total.div_ceil(RECORDS_PER_PAGE).max(1);
    let page = asked.unwrap_or(1);
    if page == 0 || page > pages {
        return Err(ApiError::NotFound(format!(
            "page {page}: the records fill {pages} page(s)"
        )));
    }
    let start = (page - 1) * RECORDS_PER_PAGE;
    Ok((page, pages, start..total.min(start + RECORDS_PER_PAGE)))
}

/// The order of the matrix's rows, chosen by clicking a column's header
/// (`sort=` in the URL, so a link sent on keeps it): as the evaluation
/// lists them (by jurisdiction), by score or by change (highest first), or
/// by one indicator's rate (lowest first: who to look at).
#[derive(Debug, Clone, PartialEq, Eq)]
enum MatrixOrder {
    AsListed,
    Score,
    Change,
    Indicator(String),
}

impl MatrixOrder {
    fn of(v: &View) -> Result<MatrixOrder, ApiError> {
        match v.sort.as_deref().filter(|t| !t.is_empty()) {
            None => Ok(MatrixOrder::AsListed),
            Some("score") => Ok(MatrixOrder::Score),
            Some("change") => Ok(MatrixOrder::Change),
            Some(other) => match other.strip_prefix("indicator:") {
                Some(id) if !id.is_empty() => Ok(MatrixOrder::Indicator(id.to_string())),
                _ => Err(ApiError::BadRequest(format!(
                    "sort {other:?}: the matrix sorts by score, change or indicator:<id>"
                ))),
            },
        }
    }

    /// Its name in the URL.
    fn name(&self) -> String {
        match self {
            MatrixOrder::AsListed => String::new(),
            MatrixOrder::Score => "score".into(),
            MatrixOrder::Change => "change".into(),
            MatrixOrder::Indicator(id) => format!("indicator:{id}"),
        }
    }

    /// `rows` in this order (ties, and units without the figure, keep the
    /// evaluation's order; units without it come last).
    fn sort(&self, rows: &mut [&DepartmentResult]) {
        let high_first = |x: Option<f64>| x.map(|x| -x);
        let key = |d: &DepartmentResult| -> Option<f64> {
            match self {
                MatrixOrder::AsListed => Some(0.0),
                MatrixOrder::Score => high_first(d.published),
                MatrixOrder::Change => high_first(d.change),
                MatrixOrder::Indicator(id) => d
                    .score
                    .indicators
                    .iter()
                    .find(|i| &i.id == id)
                    .filter(|i| i.applicable)
                    .and_then(|i| i.rate),
            }
        };
        rows.sort_by(|a, b| match (key(a), key(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
    }

    /// What the order says, for the table's caption.
    fn words(&self, indicator_name: impl Fn(&str) -> Option<String>) -> String {
        match self {
            MatrixOrder::AsListed => "按所属区县排列".into(),
            MatrixOrder::Score => "按得分从高到低排列".into(),
            MatrixOrder::Change => "按较上年变化从高到低排列".into(),
            MatrixOrder::Indicator(id) => format!(
                "按“{}”按时率从低到高排列",
                indicator_name(id).unwrap_or_else(|| id.clone())
            ),
        }
    }
}

/// The viewer allowed to read the evaluation and what the URL asks, or
/// the page to answer instead.
async fn opened(
    state: &AppState,
    headers: &HeaderMap,
    v: &View,
) -> Result<Result<(Viewer, Asked), Response>, ApiError> {
    let viewer = match viewer(state, headers, Action::ReadEvaluation).await? {
        Ok(viewer) => viewer,
        Err(answer) => return Ok(Err(answer)),
    };
    Ok(Ok((viewer, asked(state, v)?)))
}

/// The department the URL names, if the viewer reaches it (else 404, as
/// if it did not exist).
fn unit_in_reach<'v>(viewer: &Viewer, v: &'v View) -> Result<&'v str, ApiError> {
    let unit = v
        .unit
        .as_deref()
        .ok_or_else(|| ApiError::BadRequest("name the department (unit=)".into()))?;
    if !viewer.reach.department(unit) {
        return Err(ApiError::NotFound(format!("no department {unit:?}")));
    }
    Ok(unit)
}

/// The department the URL names as a reach of its own (its rows only), if
/// the viewer reaches it (else 404).
fn department_reach(viewer: &Viewer, v: &View) -> Result<Reach, ApiError> {
    super::narrowed_to(viewer, None, Some(unit_in_reach(viewer, v)?))
}

/// The county (or district, zone) the URL names, if it is one and the
/// viewer reaches its totals.
fn county_in_reach<'r>(
    viewer: &Viewer,
    v: &View,
    result: &'r YearEvaluation,
) -> Option<&'r CountyResult> {
    let unit = v.unit.as_deref()?;
    result
        .counties
        .iter()
        .find(|c| c.score.id == unit && viewer.reach.jurisdiction(unit))
}

struct Asked {
    year: i32,
    as_of: Option<i64>,
}

fn asked(state: &AppState, v: &View) -> Result<Asked, ApiError> {
    let year = v
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&crate::time::local_date(state.clock.now())));
    Period::new(year, None, None)?;
    let as_of = match v.as_of.as_deref().filter(|t| !t.is_empty()) {
        Some(text) => Some(parse_as_of(Some(text))?),
        None => None,
    };
    Ok(Asked { year, as_of })
}

/// The query string of a view, as a link's `href` carries it in HTML
/// (values URL-encoded, separators `&amp;`).
fn query(year: i32, as_of: Option<&str>, extra: &[(&str, &str)]) -> String {
    let mut q = format!("year={year}");
    if let Some(a) = as_of.filter(|a| !a.is_empty()) {
        let _ = write!(q, "&amp;as_of={}", url_encode(a));
    }
    for (k, v) in extra {
        let _ = write!(q, "&amp;{k}={}", url_encode(v));
    }
    q
}

fn computing_page(viewer: &Viewer, title: &str, what: &str, failure: Option<&str>) -> Response {
    let failure = failure.map_or(String::new(), |f| {
        format!(
            "<p class=\"error\" role=\"alert\">上次计算失败：{}</p>",
            escape(f)
        )
    });
    let body = format!(
        "<div class=\"card\"><h1>{}</h1><p>{}正在计算，本页将在 {RELOAD_SECS} 秒后自动刷新。</p>{failure}</div>",
        escape(title),
        escape(what)
    );
    page(
        StatusCode::OK,
        title,
        &signed_in_bar(&viewer.session),
        &body,
        Some(RELOAD_SECS),
    )
}

/// What a figure rests on, in one line of plain text (the page escapes
/// it; a printed page shows it as it is).
fn basis_text(e: &Evaluated, basis: Option<&Basis>) -> String {
    let scheme = format!(
        "评估方案《{}》（{}）",
        e.result.scheme.title, e.result.scheme.version
    );
    match (e.status, basis) {
        (EvaluationStatus::Frozen, _) => format!(
            "正式结果：数据截至 {}，{} 由 {} 冻结；{scheme}",
            when(&e.result.as_of),
            when(e.frozen_at.as_deref().unwrap_or("")),
            e.frozen_by.as_deref().unwrap_or("")
        ),
        (EvaluationStatus::Live, Some(b)) => format!(
            "数据截至 {}（数据版本 {}，计算于 {}）；{scheme}",
            when(&b.as_of),
            b.data_version,
            when(&b.computed_at),
        ),
        (EvaluationStatus::Live, None) => {
            format!("数据截至 {}；{scheme}", when(&e.result.as_of))
        }
    }
}

/// What a figure rests on, in one line of HTML: [`basis_text`], and a
/// warning when the data changed since.
fn basis_line(e: &Evaluated, basis: Option<&Basis>) -> String {
    let stale = if basis.is_some_and(|b| b.stale) {
        "；<strong>数据已更新，结果正在重新计算</strong>"
    } else {
        ""
    };
    format!("{}{stale}", escape(&basis_text(e, basis)))
}

/// A score as pages print it.
fn score_text(score: Option<f64>) -> String {
    score.map_or("—".to_string(), |s| format!("{s:.2}"))
}

/// A change of score from the previous year.
fn change_text(change: Option<f64>) -> String {
    change.map_or("—".to_string(), |c| format!("{c:+.2}"))
}

/// A rank.
fn rank_text(rank: Option<impl std::fmt::Display>) -> String {
    rank.map_or("—".to_string(), |r| r.to_string())
}

/// A grade, none for a unit without measurable items.
fn grade_text(evaluable: bool, grade: &str) -> &str {
    if evaluable { grade } else { "—" }
}

/// What a page answers in: itself, or printed (`format=pdf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Page,
    Printed,
}

impl Shown {
    fn of(v: &View) -> Result<Shown, ApiError> {
        match v.format.as_deref() {
            None => Ok(Shown::Page),
            Some("pdf") => Ok(Shown::Printed),
            Some(other) => Err(ApiError::BadRequest(format!(
                "format {other:?}: this page is shown as itself or as pdf"
            ))),
        }
    }
}

/// The year's evaluation a viewer sees, and the instant it was judged as
/// of (every other figure of a page rests on the same instant).
struct Seen {
    evaluated: Evaluated,
    basis: Option<Basis>,
    judged_at: i64,
}

/// The evaluation of the asked year for the viewer, or the page saying it
/// is being computed.
async fn seen(
    state: &AppState,
    viewer: &Viewer,
    a: &Asked,
    title: &str,
) -> Result<Result<Seen, Response>, ApiError> {
    let (evaluated, basis) = match read(state, &viewer.reach, a.year, a.as_of, false).await? {
        Answer::Frozen(e) => (e, None),
        Answer::Stored(e, b) => (e, Some(b)),
        Answer::Computing(failure) => {
            let page = computing_page(viewer, title, "年度评估结果", failure.as_deref());
            return Ok(Err(page));
        }
    };
    let judged_at = parse_timestamp(&evaluated.result.as_of).map_err(|e| {
        ApiError::Internal(format!("stored as-of {:?}: {e}", evaluated.result.as_of))
    })?;
    Ok(Ok(Seen {
        evaluated,
        basis,
        judged_at,
    }))
}

/// The summary judged at `judged_at` (computed with the evaluation, whose
/// own refresh renews both), cut to `reach`; a missing one is asked for
/// and `None` until it is stored.
async fn summary_at(
    state: &AppState,
    reach: &Reach,
    year: i32,
    judged_at: i64,
) -> Result<Option<Value>, ApiError> {
    let period = Period::new(year, None, None)?;
    let stored = results::load(
        &state.store,
        ResultKind::Summary,
        &period.label(),
        Wanted::AsOf(judged_at),
        reach,
    )
    .await?;
    if stored.is_none() {
        state.results.request(Want::AsOf(period, judged_at));
    }
    Ok(stored.map(|s| s.value))
}

/// The trends' section: the chart of each check's rate per month (an image
/// of the page's own, `chart=trend`, for `unit` when it is a unit's page)
/// and its figures as a folded table.
fn trend_section(
    summary: &Value,
    counted: &Counted,
    (year, as_of): (i32, Option<&str>),
    unit: Option<&str>,
) -> String {
    let mut extra = vec![("chart", "trend")];
    if let Some(unit) = unit {
        extra.push(("unit", unit));
    }
    format!(
        "<section aria-labelledby=\"trend\"><h2 id=\"trend\">各月趋势</h2>\
         <figure><img src=\"/overview/chart.svg?{}\" width=\"900\" height=\"460\" \
         alt=\"各监测项按月达标率折线图，数据见下表\"><figcaption>各监测项按月达标率（事项计入其期限届满或行为发生的月份；\
         无已判定事项的月份不连线）</figcaption></figure>\n{}</section>\n",
        query(year, as_of, &extra),
        trend_table(summary, counted),
    )
}

/// A unit's trends, or a line saying they are being computed (the page is
/// then not kept, so the next view shows them).
fn trend_or_computing(
    summary: Option<&Value>,
    counted: &Counted,
    view: (i32, Option<&str>),
    unit: &str,
) -> String {
    match summary {
        Some(s) => trend_section(s, counted, view, Some(unit)),
        None => {
            "<section><h2>各月趋势</h2><p>各项监测汇总正在计算，请稍后刷新。</p></section>\n".into()
        }
    }
}

async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(v): Query<View>,
) -> Result<Response, ApiError> {
    let (viewer, a) = match opened(&state, &headers, &v).await? {
        Ok(opened) => opened,
        Err(answer) => return Ok(answer),
    };
    let shown = Shown::of(&v)?;
    let order = MatrixOrder::of(&v)?;
    let key = match kept_or_key(&state, &viewer, &uri, shown).await? {
        Ok(key) => key,
        Err(kept) => return Ok(kept),
    };
    let title = format!("{}年政务数据共享总览", a.year);
    let Seen {
        evaluated,
        basis,
        judged_at,
    } = match seen(&state, &viewer, &a, &title).await? {
        Ok(seen) => seen,
        Err(page) => return Ok(page),
    };
    let summary = summary_at(&state, &viewer.reach, a.year, judged_at).await?;
    // The previous year, as it stands now (its own latest result): its
    // totals, which the change from last year compares with.
    let before = Period::new(a.year - 1, None, None)?;
    let previous = match results::load_arrays(
        &state.store,
        ResultKind::Summary,
        &before.label(),
        Wanted::Latest,
        &viewer.reach,
        &["checks", "rules"],
    )
    .await?
    {
        Some(stored) => Some(stored.value),
        None => {
            state.results.request(Want::Latest(before));
            None
        }
    };
    if shown == Shown::Printed {
        return print_overview(
            &title,
            basis_text(&evaluated, basis.as_ref()),
            summary.as_ref(),
            previous.as_ref(),
            &evaluated.result,
        )?
        .respond(&format!("overview-{}.pdf", a.year))
        .await;
    }
    let as_of_text = v.as_of.as_deref();
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>{}</h1>\n<p class=\"basis\">{}</p>\n<nav class=\"years\" aria-label=\"年度\">\
         <a href=\"/overview?{}\">‹ {}年</a> <a href=\"/overview?{}\">{}年 ›</a>\
         <a href=\"/overview?{}\">下载 PDF</a></nav>\n",
        escape(&title),
        basis_line(&evaluated, basis.as_ref()),
        query(a.year - 1, None, &[]),
        a.year - 1,
        query(a.year + 1, None, &[]),
        a.year + 1,
        query(a.year, as_of_text, &[("format", "pdf")]),
    );
    match &summary {
        Some(s) => {
            body.push_str(&headline(s, previous.as_ref())?);
            body.push_str(&trend_section(s, &Counted::All, (a.year, as_of_text), None));
        }
        None => body.push_str("<p>各项监测汇总正在计算。</p>\n"),
    }
    // The rectification cases as they stand today, this year's and last.
    let cases_of = |year: i32| {
        let filter = crate::cases::record::Filter {
            year: Some(year),
            ..Default::default()
        };
        let (store, reach) = (&state.store, &viewer.reach);
        async move {
            crate::cases::record::list(store, reach, &filter)
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))
        }
    };
    body.push_str(&super::rectification::section(
        &cases_of(a.year).await?,
        &cases_of(a.year - 1).await?,
        a.year,
        crate::time::local_date(state.clock.now()),
    )?);
    let departments: Vec<&DepartmentResult> = evaluated.result.departments.iter().collect();
    let here = format!("/overview?{}", query(a.year, as_of_text, &[]));
    body.push_str(&matrix(&departments, &order, &here, a.year, as_of_text));
    body.push_str(&counties(&evaluated.result, a.year, as_of_text));
    body.push_str(&charts(&evaluated.result, a.year, as_of_text));
    let mut next_run = None;
    if permits(viewer.session.user.role, Action::ReadJobs)
        && (!city_wide(Action::ReadJobs) || matches!(viewer.reach, Reach::City))
    {
        let (section, next) = jobs(&state).await?;
        body.push_str(&section);
        next_run = next;
    }
    let stale = basis.as_ref().is_some_and(|b| b.stale);
    let refresh = stale.then_some(RELOAD_SECS * 6);
    // Kept while the marks hold, until the result "as of now" is due for
    // renewal or a job's next run comes; not kept while a part of it is
    // being computed.
    let whole = !stale && summary.is_some() && previous.is_some();
    let until = [renewal_due(&state, &a, judged_at, basis.as_ref()), next_run]
        .into_iter()
        .flatten()
        .min();
    let kept = KeptPage::new(title, body).reloading(refresh).until(until);
    Ok(state
        .pages
        .answer(key.filter(|_| whole), kept, &viewer.session))
}

/// The page kept for this URL (`Err`), or the key to keep it under once
/// rendered (`None` when it is printed: a PDF is not kept).
async fn kept_or_key(
    state: &AppState,
    viewer: &Viewer,
    uri: &Uri,
    shown: Shown,
) -> Result<Result<Option<PageKey>, Response>, ApiError> {
    if shown == Shown::Printed {
        return Ok(Ok(None));
    }
    Ok(match PageCache::look(state, viewer, uri)? {
        Lookup::Kept(page) => Err(page),
        Lookup::Render(key) => Ok(Some(key)),
    })
}

/// When a page resting on the evaluation "as of now" must be rendered
/// again (its result is then due for renewal, [`crate::results`]); never
/// for a frozen one or one as of a given instant.
fn renewal_due(state: &AppState, a: &Asked, judged_at: i64, basis: Option<&Basis>) -> Option<i64> {
    (a.as_of.is_none() && basis.is_some())
        .then(|| judged_at + state.config.results.refresh_after_ms())
}

/// `page` for the viewer, resting on the evaluation judged at `judged_at`
/// with `basis`: kept under `key` unless that result is stale, and at most
/// until it is due for renewal ([`renewal_due`]).
fn answer_resting_on(
    state: &AppState,
    viewer: &Viewer,
    a: &Asked,
    (judged_at, basis): (i64, Option<&Basis>),
    key: Option<PageKey>,
    page: KeptPage,
) -> Response {
    let stale = basis.is_some_and(|b| b.stale);
    let page = page.until(renewal_due(state, a, judged_at, basis));
    state
        .pages
        .answer(key.filter(|_| !stale), page, &viewer.session)
}

/// A cell's state: its shape, word and class.
fn cell_state(
    applicable: bool,
    rate: Option<f64>,
    missed: usize,
) -> (&'static str, &'static str, &'static str) {
    match (applicable, rate) {
        (false, _) | (true, None) => ("○", "未测", "na"),
        (true, Some(_)) if missed == 0 => ("●", "达标", "ok"),
        (true, Some(r)) if r >= FAILING_BELOW => ("▲", "有差距", "warn"),
        (true, Some(_)) => ("■", "未达标", "bad"),
    }
}

/// The department × indicator matrix, its rows in `order`; `here` is the
/// page's own link (escaped, without `sort`), which each sortable column's
/// header extends with its order.
fn matrix(
    departments: &[&DepartmentResult],
    order: &MatrixOrder,
    here: &str,
    year: i32,
    as_of: Option<&str>,
) -> String {
    let Some(first) = departments.first() else {
        return "<p>没有可显示的部门。</p>\n".to_string();
    };
    let mut rows = departments.to_vec();
    order.sort(&mut rows);
    let name_of = |id: &str| {
        first
            .score
            .indicators
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.name.clone())
    };
    let header = |label: &str, by: MatrixOrder| {
        let sorted = if &by == order {
            let direction = match by {
                MatrixOrder::Indicator(_) => "ascending",
                MatrixOrder::AsListed | MatrixOrder::Score | MatrixOrder::Change => "descending",
            };
            format!(" aria-sort=\"{direction}\"")
        } else {
            String::new()
        };
        format!(
            "<th scope=\"col\"{sorted}><a href=\"{here}&amp;sort={}#matrix\" title=\"按此列排序\">{}</a></th>",
            url_encode(&by.name()),
            escape(label)
        )
    };
    let mut out = format!(
        "<section aria-labelledby=\"matrix\"><h2 id=\"matrix\">部门 × 指标</h2>\n\
         <p class=\"legend\">● 达标　▲ 有差距（按时率不低于90%）　■ 未达标（低于90%）　○ 未测（本年无可测事项）。点击单元格查看扣分的记录，点击列名排序。</p>\n\
         <div class=\"scroll\"><table class=\"matrix\"><caption>{}{}</caption><thead><tr>\
         <th scope=\"col\"><a href=\"{here}#matrix\">部门</a></th>{}<th scope=\"col\">等级</th><th scope=\"col\">排名</th>{}",
        escape(&order.words(name_of)),
        if *order == MatrixOrder::AsListed {
            String::new()
        } else {
            format!("（<a href=\"{here}#matrix\">恢复默认顺序</a>）")
        },
        header("得分", MatrixOrder::Score),
        header("较上年", MatrixOrder::Change),
    );
    for ind in &first.score.indicators {
        out.push_str(&header(&ind.name, MatrixOrder::Indicator(ind.id.clone())));
    }
    out.push_str("</tr></thead><tbody>\n");
    for d in rows {
        out.push_str(&matrix_row(d, year, as_of));
    }
    out.push_str("</tbody></table></div></section>\n");
    out
}

fn matrix_row(d: &DepartmentResult, year: i32, as_of: Option<&str>) -> String {
    let score = score_text(d.published);
    let rank = rank_text(d.rank);
    let change = change_text(d.change);
    let grade = grade_text(d.score.evaluable, &d.score.grade);
    let page = query(year, as_of, &[("unit", d.score.id.as_str())]);
    let mut out = format!(
        "<tr><th scope=\"row\"><a href=\"/overview/unit?{page}\">{}</a><br><small>{}</small></th><td>{score}</td><td>{}</td><td>{rank}</td><td>{change}</td>",
        escape(&d.score.name),
        escape(&d.jurisdiction_name),
        escape(grade)
    );
    for ind in &d.score.indicators {
        let (shape, word, class) = cell_state(ind.applicable, ind.rate, ind.missed.len());
        let rate = ind
            .rate
            .map_or(String::new(), |r| format!(" {:.1}%", r * 100.0));
        let text = format!("{shape} {word}{rate}");
        if ind.missed.is_empty() {
            let _ = write!(out, "<td class=\"{class}\">{}</td>", escape(&text));
        } else {
            let link = query(
                year,
                as_of,
                &[
                    ("unit", d.score.id.as_str()),
                    ("indicator", ind.id.as_str()),
                ],
            );
            let _ = write!(
                out,
                "<td class=\"{class}\"><a href=\"/overview/records?{link}\" title=\"{} 条记录\">{}</a></td>",
                ind.missed.len(),
                escape(&text)
            );
        }
    }
    out.push_str("</tr>\n");
    out
}

fn counties(result: &YearEvaluation, year: i32, as_of: Option<&str>) -> String {
    if result.counties.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<section aria-labelledby=\"counties\"><h2 id=\"counties\">区县</h2>\n\
         <table class=\"figures\"><thead><tr><th scope=\"col\">区县</th><th scope=\"col\">得分</th>\
         <th scope=\"col\">等级</th><th scope=\"col\">排名</th><th scope=\"col\">较上年</th></tr></thead><tbody>\n",
    );
    for c in &result.counties {
        let score = score_text(c.published);
        let rank = rank_text(c.rank);
        let change = change_text(c.change);
        let grade = grade_text(c.score.evaluable, &c.score.grade);
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\"><a href=\"/overview/unit?{}\">{}</a></th><td>{score}</td><td>{}</td><td>{rank}</td><td>{change}</td></tr>",
            query(year, as_of, &[("unit", c.score.id.as_str())]),
            escape(&c.score.name),
            escape(grade)
        );
    }
    out.push_str("</tbody></table></section>\n");
    out
}

/// 总览 printed: the headline figures, the counties and the departments'
/// scores as tables, and the charts.
fn print_overview(
    title: &str,
    basis: String,
    summary: Option<&Value>,
    previous: Option<&Value>,
    result: &YearEvaluation,
) -> Result<Printed, ApiError> {
    let mut tables = Vec::new();
    if let Some(summary) = summary {
        tables.push(PrintTable {
            heading: "主要监测指标".into(),
            header: ["监测项", "事项", "违反期限或规定", "达标率", "较上年"]
                .map(String::from)
                .to_vec(),
            rows: headline_rows(summary, previous)
                .into_iter()
                .map(|row| {
                    vec![
                        format!("{}{}", if row.rule { "　其中：" } else { "" }, row.label),
                        row.totals.items.to_string(),
                        row.totals.breaches.to_string(),
                        row.rate,
                        row.change,
                    ]
                })
                .collect(),
        });
    }
    if !result.counties.is_empty() {
        tables.push(PrintTable {
            heading: "区县".into(),
            header: ["区县", "得分", "等级", "排名", "较上年"]
                .map(String::from)
                .to_vec(),
            rows: result
                .counties
                .iter()
                .map(|c| {
                    vec![
                        c.score.name.clone(),
                        score_text(c.published),
                        grade_text(c.score.evaluable, &c.score.grade).to_string(),
                        rank_text(c.rank),
                        change_text(c.change),
                    ]
                })
                .collect(),
        });
    }
    tables.push(department_table(
        &result.departments.iter().collect::<Vec<_>>(),
    ));
    let fail = |e: crate::documents::DocumentError| ApiError::Internal(e.to_string());
    let mut charts = Vec::new();
    if let Some(summary) = summary {
        charts.push(PrintChart {
            svg: trend_chart(summary, &Counted::All)?,
            caption: "各监测项按月达标率（事项计入其期限届满或行为发生的月份）".into(),
        });
    }
    charts.push(PrintChart {
        svg: crate::documents::charts::department_scores(result).map_err(fail)?,
        caption: "部门得分分布".into(),
    });
    if !result.counties.is_empty() {
        charts.push(PrintChart {
            svg: crate::documents::charts::county_scores(result).map_err(fail)?,
            caption: "区县得分对比（按排名）".into(),
        });
    }
    Ok(Printed {
        title: title.to_string(),
        basis,
        tables,
        charts,
    })
}

/// The departments' scores as a printed table.
fn department_table(departments: &[&DepartmentResult]) -> PrintTable {
    PrintTable {
        heading: "部门".into(),
        header: ["部门", "所属", "得分", "等级", "排名", "较上年"]
            .map(String::from)
            .to_vec(),
        rows: departments
            .iter()
            .map(|d| {
                vec![
                    d.score.name.clone(),
                    d.jurisdiction_name.clone(),
                    score_text(d.published),
                    grade_text(d.score.evaluable, &d.score.grade).to_string(),
                    rank_text(d.rank),
                    change_text(d.change),
                ]
            })
            .collect(),
    }
}

/// A chart of the year's evaluation: the annual report's own, drawn by the
/// same code (plotters SVG).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chart {
    /// The departments' score distribution.
    Departments,
    /// The counties' scores, by rank.
    Counties,
    /// Each check's rate per month (over the reach, or of the unit named).
    Trend,
}

impl Chart {
    fn of(v: &View) -> Result<Chart, ApiError> {
        match v.chart.as_deref() {
            Some("departments") => Ok(Chart::Departments),
            Some("counties") => Ok(Chart::Counties),
            Some("trend") => Ok(Chart::Trend),
            other => Err(ApiError::NotFound(format!(
                "chart {other:?}: 总览 draws departments, counties and trend"
            ))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Chart::Departments => "departments",
            Chart::Counties => "counties",
            Chart::Trend => "trend",
        }
    }
}

/// The charts' section: each chart an image of the page's own
/// (`/overview/chart.svg`, same year, as-of and reach as the page), with
/// alt text and a caption that say what it shows; the tables above hold
/// the same figures in words.
fn charts(result: &YearEvaluation, year: i32, as_of: Option<&str>) -> String {
    let mut out = String::from(
        "<section aria-labelledby=\"charts\"><h2 id=\"charts\">图表</h2><div class=\"charts\">",
    );
    let scored = result
        .departments
        .iter()
        .filter(|d| d.published.is_some())
        .count();
    let src = |chart: Chart| {
        format!(
            "/overview/chart.svg?{}",
            query(year, as_of, &[("chart", chart.name())])
        )
    };
    let _ = write!(
        out,
        "<figure><img src=\"{}\" width=\"900\" height=\"460\" alt=\"部门得分分布：{} 个部门按十分一档的得分区间计数\">\
         <figcaption>部门得分分布（{} 个有得分的部门）</figcaption></figure>",
        src(Chart::Departments),
        scored,
        scored
    );
    if !result.counties.is_empty() {
        let _ = write!(
            out,
            "<figure><img src=\"{}\" width=\"900\" height=\"460\" alt=\"区县得分对比：按排名列出各区县得分\">\
             <figcaption>区县得分对比（按排名）</figcaption></figure>",
            src(Chart::Counties)
        );
    }
    out.push_str("</div></section>\n");
    out
}

/// `GET /overview/chart.svg?year=&as_of=&chart=`: one of 总览's charts, for
/// the viewer's reach, kept like the page.
async fn chart(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(v): Query<View>,
) -> Result<Response, ApiError> {
    let (viewer, a) = match opened(&state, &headers, &v).await? {
        Ok(opened) => opened,
        Err(answer) => return Ok(answer),
    };
    let chart = Chart::of(&v)?;
    let key = match kept_or_key(&state, &viewer, &uri, Shown::Page).await? {
        Ok(key) => key,
        Err(kept) => return Ok(kept),
    };
    let Seen {
        evaluated,
        basis,
        judged_at,
    } = match seen(&state, &viewer, &a, "图表").await? {
        Ok(seen) => seen,
        Err(page) => return Ok(page),
    };
    let fail = |e: crate::documents::DocumentError| ApiError::Internal(e.to_string());
    let svg = match chart {
        Chart::Departments => {
            crate::documents::charts::department_scores(&evaluated.result).map_err(fail)?
        }
        Chart::Counties if evaluated.result.counties.is_empty() => {
            return Err(ApiError::NotFound("no county in reach".into()));
        }
        Chart::Counties => {
            crate::documents::charts::county_scores(&evaluated.result).map_err(fail)?
        }
        Chart::Trend => {
            // The reach of the page the chart is on: the viewer's, a
            // county's subtree or one department, as a query condition.
            let (reach, departments) = match v.unit.as_deref() {
                None => (viewer.reach.clone(), None),
                Some(_) => match county_in_reach(&viewer, &v, &evaluated.result) {
                    Some(county) => (
                        super::narrowed(&viewer, Some(&county.score.id))?,
                        Some(county.department_ids.as_slice()),
                    ),
                    None => (department_reach(&viewer, &v)?, None),
                },
            };
            let Some(summary) = summary_at(&state, &reach, a.year, judged_at).await? else {
                return Ok(computing_page(&viewer, "图表", "各月监测汇总", None));
            };
            let counted = departments.map_or(Counted::All, Counted::Departments);
            trend_chart(&summary, &counted)?
        }
    };
    let kept = KeptPage::chart(svg);
    let resting = (judged_at, basis.as_ref());
    Ok(answer_resting_on(&state, &viewer, &a, resting, key, kept))
}

/// The jobs' section, and the instant of the soonest next run (when the
/// section's "next run" moves on).
async fn jobs(state: &AppState) -> Result<(String, Option<i64>), ApiError> {
    let status = crate::jobs::status(&state.store, &state.config, state.clock.now()).await?;
    let next_run = status
        .iter()
        .filter_map(|j| j.next.as_ref())
        .filter_map(|(_, at)| parse_timestamp(at).ok())
        .min();
    let mut out = String::from(
        "<section aria-labelledby=\"jobs\"><h2 id=\"jobs\">定时任务</h2>\n\
         <table class=\"figures\"><thead><tr><th scope=\"col\">任务</th><th scope=\"col\">上次运行</th>\
         <th scope=\"col\">下次运行</th></tr></thead><tbody>\n",
    );
    for j in &status {
        let last = j.last.as_ref().map_or("尚未运行".to_string(), |o| {
            format!(
                "{} {}：{}",
                o.period,
                o.state.chinese(),
                o.error.as_deref().or(o.outcome.as_deref()).unwrap_or("")
            )
        });
        let next = match (&j.next, &j.next_error_chinese) {
            (Some((period, at)), _) => format!("{period}（{}）", when(at)),
            (None, Some(e)) => format!("无法确定：{e}"),
            (None, None) => "—".to_string(),
        };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
            escape(j.title),
            escape(&last),
            escape(&next)
        );
    }
    out.push_str("</tbody></table>\n");
    if let Some(a) = status.iter().find_map(|j| j.annual_report.as_ref()) {
        let state_text = match &a.issued {
            Some((number, on)) => format!("{}年度报告已签发：{number}（{on}）", a.year),
            None => format!("{}年度报告尚未签发", a.year),
        };
        let _ = writeln!(out, "<p>{}</p>", escape(&state_text));
    }
    out.push_str("</section>\n");
    Ok((out, next_run))
}

/// 部门: one department's year — score, grade, rank and change, each
/// indicator with the records that cost points, the deductions, its
/// rectification cases and the documents issued to it.
async fn unit(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(v): Query<View>,
) -> Result<Response, ApiError> {
    let (viewer, a) = match opened(&state, &headers, &v).await? {
        Ok(opened) => opened,
        Err(answer) => return Ok(answer),
    };
    let shown = Shown::of(&v)?;
    let order = MatrixOrder::of(&v)?;
    let key = match kept_or_key(&state, &viewer, &uri, shown).await? {
        Ok(key) => key,
        Err(kept) => return Ok(kept),
    };
    let title = format!("{}年 单位评估", a.year);
    let Seen {
        evaluated,
        basis,
        judged_at,
    } = match seen(&state, &viewer, &a, &title).await? {
        Ok(seen) => seen,
        Err(page) => return Ok(page),
    };
    if let Some(county) = county_in_reach(&viewer, &v, &evaluated.result) {
        let departments: Vec<&DepartmentResult> = evaluated
            .result
            .departments
            .iter()
            .filter(|d| county.department_ids.contains(&d.score.id))
            .collect();
        if shown == Shown::Printed {
            let printed = Printed {
                title: format!("{} · {}年区县评估", county.score.name, a.year),
                basis: basis_text(&evaluated, basis.as_ref()),
                tables: vec![
                    PrintTable {
                        heading: "得分".into(),
                        header: ["得分", "等级", "排名", "较上年"]
                            .map(String::from)
                            .to_vec(),
                        rows: vec![vec![
                            score_text(county.published),
                            grade_text(county.score.evaluable, &county.score.grade).to_string(),
                            rank_text(county.rank),
                            change_text(county.change),
                        ]],
                    },
                    department_table(&departments),
                ],
                charts: Vec::new(),
            };
            return printed
                .respond(&format!("county-{}-{}.pdf", county.score.id, a.year))
                .await;
        }
        let reach = super::narrowed(&viewer, Some(&county.score.id))?;
        let summary = summary_at(&state, &reach, a.year, judged_at).await?;
        let mut html = county_page(
            &evaluated,
            basis.as_ref(),
            (county, &departments),
            &order,
            a.year,
            v.as_of.as_deref(),
        );
        html.push_str(&trend_or_computing(
            summary.as_ref(),
            &Counted::Departments(&county.department_ids),
            (a.year, v.as_of.as_deref()),
            &county.score.id,
        ));
        let kept = KeptPage::new(format!("{} · {}年", county.score.name, a.year), html);
        let resting = (judged_at, basis.as_ref());
        let key = key.filter(|_| summary.is_some());
        return Ok(answer_resting_on(&state, &viewer, &a, resting, key, kept));
    }
    let unit = unit_in_reach(&viewer, &v)?;
    let d = evaluated
        .result
        .department(unit)
        .ok_or_else(|| ApiError::NotFound(format!("no department {unit:?} in {}", a.year)))?;
    let as_of = v.as_of.as_deref();
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"basis\">{}；{}年</p>\n<p><a href=\"/overview?{}\">返回总览</a>　\
         <a href=\"/overview/unit?{}\">下载 PDF</a></p>\n",
        escape(&d.score.name),
        escape(&d.jurisdiction_name),
        a.year,
        query(a.year, as_of, &[]),
        query(a.year, as_of, &[("unit", unit), ("format", "pdf")]),
    );
    let _ = write!(
        body,
        "<section><h2>得分</h2><dl><dt>得分</dt><dd>{}</dd><dt>等级</dt><dd>{}</dd>\
         <dt>排名</dt><dd>{}（{}）</dd><dt>较上年</dt><dd>{}</dd></dl><p class=\"basis\">{}</p></section>\n",
        d.published
            .map_or("—（本年无可测事项）".to_string(), |s| format!(
                "{s:.2}"
            )),
        escape(grade_text(d.score.evaluable, &d.score.grade)),
        rank_text(d.rank),
        if d.ranking == crate::evaluation::year::CITY_RANKING {
            "市直部门"
        } else {
            "本区县部门"
        },
        change_text(d.change),
        basis_line(&evaluated, basis.as_ref()),
    );
    let own = department_reach(&viewer, &v)?;
    let summary = summary_at(&state, &own, a.year, judged_at).await?;
    body.push_str(
        "<section><h2>指标</h2><table class=\"figures\"><thead><tr><th scope=\"col\">指标</th>\
         <th scope=\"col\">依据</th><th scope=\"col\">权重</th><th scope=\"col\">状态</th>\
         <th scope=\"col\">达标/事项</th><th scope=\"col\">失分</th><th scope=\"col\">扣分记录</th></tr></thead><tbody>\n",
    );
    for ind in &d.score.indicators {
        let (shape, word, class) = cell_state(ind.applicable, ind.rate, ind.missed.len());
        let rate = ind
            .rate
            .map_or(String::new(), |r| format!(" {:.1}%", r * 100.0));
        let records = if ind.missed.is_empty() {
            "—".to_string()
        } else {
            format!(
                "<a href=\"/overview/records?{}\">{} 条</a>",
                query(
                    a.year,
                    as_of,
                    &[("unit", unit), ("indicator", ind.id.as_str())]
                ),
                ind.missed.len()
            )
        };
        let _ = writeln!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{:.1}</td><td class=\"{class}\">{}</td>\
             <td>{}/{}</td><td>{:.2}</td><td>{records}</td></tr>",
            escape(&ind.name),
            escape(&ind.serves),
            ind.weight,
            escape(&format!("{shape} {word}{rate}")),
            ind.met,
            ind.total,
            ind.lost,
        );
    }
    body.push_str("</tbody></table></section>\n");
    body.push_str(
        "<section><h2>扣分项</h2><table class=\"figures\"><thead><tr><th scope=\"col\">扣分项</th>\
         <th scope=\"col\">依据</th><th scope=\"col\">扣分</th><th scope=\"col\">问题</th></tr></thead><tbody>\n",
    );
    for x in &d.score.deductions {
        let _ = writeln!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{:.2}{}</td><td>{} 条</td></tr>",
            escape(&x.name),
            escape(&x.serves),
            x.points,
            if x.capped { "（已达上限）" } else { "" },
            x.findings.len()
        );
    }
    body.push_str("</tbody></table></section>\n");
    body.push_str(&trend_or_computing(
        summary.as_ref(),
        &Counted::All,
        (a.year, as_of),
        unit,
    ));
    let filter = crate::cases::record::Filter {
        year: Some(a.year),
        ..Default::default()
    };
    let cases = crate::cases::record::list(&state.store, &own, &filter)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let today = crate::time::local_date(state.clock.now());
    if shown == Shown::Printed {
        return print_unit(a.year, d, (&evaluated, basis.as_ref()), &cases, today)
            .respond(&format!("department-{unit}-{}.pdf", a.year))
            .await;
    }
    body.push_str("<section><h2>整改案件</h2>");
    if cases.is_empty() {
        body.push_str("<p>本年度没有整改案件。</p>");
    } else {
        body.push_str(
            "<table class=\"figures\"><thead><tr><th scope=\"col\">案件</th><th scope=\"col\">状态</th>\
             <th scope=\"col\">整改期限</th><th scope=\"col\">问题</th></tr></thead><tbody>\n",
        );
        for c in &cases {
            let _ = writeln!(
                body,
                "<tr><th scope=\"row\"><a href=\"/cases/{id}\">第 {id} 号</a></th><td>{}</td><td>{}</td><td>{} 条</td></tr>",
                escape(c.state.chinese()),
                super::cases::deadline_words(c, today),
                c.findings.len(),
                id = c.id,
            );
        }
        body.push_str("</tbody></table>");
    }
    if permits(viewer.session.user.role, Action::OpenCase) {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/cases\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <input type=\"hidden\" name=\"department_id\" value=\"{}\">\
             <input type=\"hidden\" name=\"year\" value=\"{}\">\
             <p class=\"basis\">立案督办：把该部门 {} 年尚未立案、尚未下发通知书的全部问题归入一个新案件，随后可预览并签发整改通知书。</p>\
             <button type=\"submit\">立案督办</button></form>",
            CSRF_SLOT,
            escape(unit),
            a.year,
            a.year
        );
    }
    body.push_str("</section>\n");
    let documents: Vec<_> =
        crate::documents::archive::list(&state.store, None, None, &viewer.reach)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .into_iter()
            .filter(|doc| doc.subject_id == unit && doc.data_year == i64::from(a.year))
            .collect();
    body.push_str("<section><h2>文书</h2>");
    if documents.is_empty() {
        body.push_str("<p>本年度没有发给该部门的文书。</p>");
    } else {
        body.push_str("<ul>");
        for doc in &documents {
            let _ = write!(
                body,
                "<li><a href=\"/api/v1/documents/{}/pdf\">{}</a>　{}（{}）</li>",
                doc.id,
                escape(&doc.number),
                escape(&doc.title),
                escape(&doc.issued_on)
            );
        }
        body.push_str("</ul>");
    }
    body.push_str("</section>\n");
    let kept = KeptPage::new(format!("{} · {}年", d.score.name, a.year), body);
    let resting = (judged_at, basis.as_ref());
    let key = key.filter(|_| summary.is_some());
    Ok(answer_resting_on(&state, &viewer, &a, resting, key, kept))
}

/// 区县: a county's (district's, zone's) year — its score, grade, rank
/// among the counties and change — and its departments' matrix, each cell
/// linking to its records as on 总览.
fn county_page(
    evaluated: &Evaluated,
    basis: Option<&Basis>,
    (c, departments): (&CountyResult, &[&DepartmentResult]),
    order: &MatrixOrder,
    year: i32,
    as_of: Option<&str>,
) -> String {
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"basis\">{}年；<a href=\"/overview?{}\">返回总览</a></p>\n\
         <section><h2>得分</h2><dl><dt>得分</dt><dd>{}</dd><dt>等级</dt><dd>{}</dd>\
         <dt>排名</dt><dd>{}（区县）</dd><dt>较上年</dt><dd>{}</dd><dt>参评部门</dt><dd>{} 个</dd></dl>\
         <p class=\"basis\">{}</p><p><a href=\"/overview/unit?{}\">下载 PDF</a></p></section>\n",
        escape(&c.score.name),
        year,
        query(year, as_of, &[]),
        score_text(c.published),
        escape(grade_text(c.score.evaluable, &c.score.grade)),
        rank_text(c.rank),
        change_text(c.change),
        c.score.departments_scored,
        basis_line(evaluated, basis),
        query(
            year,
            as_of,
            &[("unit", c.score.id.as_str()), ("format", "pdf")]
        ),
    );
    let here = format!(
        "/overview/unit?{}",
        query(year, as_of, &[("unit", c.score.id.as_str())])
    );
    body.push_str(&matrix(departments, order, &here, year, as_of));
    body
}

/// A department's page printed: its score, indicators, deductions and cases.
fn print_unit(
    year: i32,
    d: &DepartmentResult,
    (evaluated, basis): (&Evaluated, Option<&Basis>),
    cases: &[crate::cases::Case],
    today: chrono::NaiveDate,
) -> Printed {
    let strings = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let mut tables = vec![PrintTable {
        heading: "得分".into(),
        header: strings(&["得分", "等级", "排名", "较上年"]),
        rows: vec![vec![
            score_text(d.published),
            grade_text(d.score.evaluable, &d.score.grade).to_string(),
            rank_text(d.rank),
            change_text(d.change),
        ]],
    }];
    tables.push(PrintTable {
        heading: "指标".into(),
        header: strings(&["指标", "依据", "权重", "状态", "达标/事项", "失分"]),
        rows: d
            .score
            .indicators
            .iter()
            .map(|ind| {
                let (shape, word, _) = cell_state(ind.applicable, ind.rate, ind.missed.len());
                let rate = ind
                    .rate
                    .map_or(String::new(), |r| format!(" {:.1}%", r * 100.0));
                vec![
                    ind.name.clone(),
                    ind.serves.clone(),
                    format!("{:.1}", ind.weight),
                    format!("{shape} {word}{rate}"),
                    format!("{}/{}", ind.met, ind.total),
                    format!("{:.2}", ind.lost),
                ]
            })
            .collect(),
    });
    tables.push(PrintTable {
        heading: "扣分项".into(),
        header: strings(&["扣分项", "依据", "扣分", "问题"]),
        rows: d
            .score
            .deductions
            .iter()
            .map(|x| {
                vec![
                    x.name.clone(),
                    x.serves.clone(),
                    format!(
                        "{:.2}{}",
                        x.points,
                        if x.capped { "（已达上限）" } else { "" }
                    ),
                    format!("{} 条", x.findings.len()),
                ]
            })
            .collect(),
    });
    tables.push(PrintTable {
        heading: "整改案件".into(),
        header: strings(&["案件", "状态", "整改期限", "问题"]),
        rows: cases
            .iter()
            .map(|c| {
                vec![
                    format!("第 {} 号", c.id),
                    c.state.chinese().to_string(),
                    super::cases::deadline_text(c, today).0,
                    format!("{} 条", c.findings.len()),
                ]
            })
            .collect(),
    });
    Printed {
        title: format!("{} · {year}年部门评估", d.score.name),
        basis: format!("{}；{}", d.jurisdiction_name, basis_text(evaluated, basis)),
        tables,
        charts: Vec::new(),
    }
}

/// One record behind a cell, as the drill-down lists it.
struct Record {
    id: String,
    check: CheckKind,
    rule: Rule,
    status: Status,
    due: String,
    done_at: String,
    late: String,
    /// Working days late, for sorting (none when not late).
    late_days: Option<i64>,
    citation: String,
}

/// The order of a drill-down's records (`sort=` in the URL, chosen by
/// clicking the 期限 or 逾期工作日 header; the CSV follows it too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordOrder {
    /// As the check lists them.
    AsListed,
    /// Earliest due date first; records without one last.
    Due,
    /// Most working days late first; records not late last.
    Late,
}

impl RecordOrder {
    fn of(v: &View) -> Result<RecordOrder, ApiError> {
        match v.sort.as_deref() {
            None | Some("") => Ok(RecordOrder::AsListed),
            Some("due") => Ok(RecordOrder::Due),
            Some("late") => Ok(RecordOrder::Late),
            Some(other) => Err(ApiError::BadRequest(format!(
                "sort={other:?}: records sort by due or late"
            ))),
        }
    }

    /// Its value in a URL (none for the default).
    fn name(self) -> Option<&'static str> {
        match self {
            RecordOrder::AsListed => None,
            RecordOrder::Due => Some("due"),
            RecordOrder::Late => Some("late"),
        }
    }

    /// The column it sorts by, and the direction `aria-sort` says.
    fn column(self) -> Option<(usize, &'static str)> {
        match self {
            RecordOrder::AsListed => None,
            RecordOrder::Due => Some((3, "ascending")),
            RecordOrder::Late => Some((6, "descending")),
        }
    }

    fn words(self) -> &'static str {
        match self {
            RecordOrder::AsListed => "按监测项列出的顺序",
            RecordOrder::Due => "按期限排序（最早的在前）",
            RecordOrder::Late => "按逾期工作日排序（最多的在前）",
        }
    }

    fn sort(self, rows: &mut [Record]) {
        match self {
            RecordOrder::AsListed => {}
            // `YYYY-MM-DD` sorts as text; an empty due date goes last.
            RecordOrder::Due => rows.sort_by(|a, b| {
                (a.due.is_empty(), &a.due, &a.id).cmp(&(b.due.is_empty(), &b.due, &b.id))
            }),
            RecordOrder::Late => {
                rows.sort_by(|a, b| b.late_days.cmp(&a.late_days).then_with(|| a.id.cmp(&b.id)))
            }
        }
    }
}

const RECORD_COLUMNS: [&str; 8] = [
    "记录编号",
    "监测项",
    "规则",
    "期限",
    "完成时间",
    "状态",
    "逾期工作日",
    "依据",
];

impl Record {
    fn of(item: &Value) -> Option<Record> {
        let text = |k: &str| item[k].as_str().unwrap_or("").to_string();
        Some(Record {
            id: text("id"),
            check: item["check"].as_str()?.parse().ok()?,
            rule: item["rule"].as_str()?.parse().ok()?,
            status: item["status"].as_str()?.parse().ok()?,
            due: text("due"),
            done_at: text("done_at"),
            late: item["working_days_late"]
                .as_i64()
                .map_or(String::new(), |n| n.to_string()),
            late_days: item["working_days_late"].as_i64(),
            citation: text("citation_text"),
        })
    }

    fn cells(&self) -> [String; 8] {
        [
            self.id.clone(),
            self.check.chinese().to_string(),
            self.rule.chinese().to_string(),
            self.due.clone(),
            self.done_at.clone(),
            self.status.chinese().to_string(),
            self.late.clone(),
            self.citation.clone(),
        ]
    }
}

async fn records(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(v): Query<View>,
) -> Result<Response, ApiError> {
    let (viewer, a) = match opened(&state, &headers, &v).await? {
        Ok(opened) => opened,
        Err(answer) => return Ok(answer),
    };
    let unit = unit_in_reach(&viewer, &v)?;
    let key = if v.format.is_none() {
        match kept_or_key(&state, &viewer, &uri, Shown::Page).await? {
            Ok(key) => key,
            Err(kept) => return Ok(kept),
        }
    } else {
        None
    };
    let indicator_id = v
        .indicator
        .as_deref()
        .ok_or_else(|| ApiError::BadRequest("name the indicator (indicator=)".into()))?;
    let title = format!("{}年 扣分记录", a.year);
    let Seen {
        evaluated,
        judged_at: as_of_ms,
        basis,
    } = match seen(&state, &viewer, &a, &title).await? {
        Ok(seen) => seen,
        Err(page) => return Ok(page),
    };
    let department = evaluated
        .result
        .department(unit)
        .ok_or_else(|| ApiError::NotFound(format!("no department {unit:?} in {}", a.year)))?;
    let indicator = department
        .score
        .indicators
        .iter()
        .find(|i| i.id == indicator_id)
        .ok_or_else(|| ApiError::NotFound(format!("no indicator {indicator_id:?}")))?;
    let scheme = Scheme::for_year(state.config.evaluation_schemes.as_deref(), a.year)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let metric = scheme
        .indicators
        .iter()
        .find(|i| i.id == indicator.id)
        .map(|i| i.metric)
        .ok_or_else(|| {
            ApiError::NotFound(format!("indicator {indicator_id:?} is not in the scheme"))
        })?;
    // The records come from the items stored with the result (same as-of),
    // read for this department only: the viewer reaches it (checked above),
    // and the parts query then fetches its part and no other's.
    let period = Period::new(a.year, None, None)?;
    let own = Reach::Department {
        id: unit.to_string(),
        jurisdiction_id: department.jurisdiction_id.clone(),
    };
    let mut rows = Vec::new();
    for kind in CheckKind::ALL {
        let stored = results::load(
            &state.store,
            ResultKind::Check(kind),
            &period.label(),
            Wanted::AsOf(as_of_ms),
            &own,
        )
        .await?;
        let Some(stored) = stored else {
            state.results.request(Want::AsOf(period, as_of_ms));
            return Ok(computing_page(&viewer, &title, "扣分记录明细", None));
        };
        let items = stored.value[ITEMS]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        rows.extend(
            items
                .iter()
                .filter(|i| i["responsible_id"] == unit)
                .filter_map(Record::of)
                .filter(|r| counts_against(r.rule, r.status, metric)),
        );
    }
    let order = RecordOrder::of(&v)?;
    order.sort(&mut rows);
    if v.format.as_deref() == Some("csv") {
        return Ok(csv(&rows, &format!("{unit}-{indicator_id}-{}.csv", a.year)));
    }
    // The drill-down's own URL parameters, with its order.
    let mut own: Vec<(&str, &str)> = vec![("unit", unit), ("indicator", indicator_id)];
    own.extend(order.name().map(|n| ("sort", n)));
    let with = |more: &[(&'static str, &str)]| {
        let mut all = own.clone();
        all.extend_from_slice(more);
        query(a.year, v.as_of.as_deref(), &all)
    };
    let (page_no, pages, on_page) = records_page(rows.len(), v.page)?;
    let mut body = format!(
        "<h1>{}：{}</h1>\n<p class=\"basis\">{}年，{}；按时率 {}，扣分记录 {} 条。</p>\n\
         <p><a href=\"/overview?{}\">返回总览</a>　<a href=\"/overview/records?{}\">下载 CSV</a></p>\n",
        escape(&department.score.name),
        escape(&indicator.name),
        a.year,
        basis_line(&evaluated, None),
        indicator
            .rate
            .map_or("未测".to_string(), |r| format!("{:.1}%", r * 100.0)),
        rows.len(),
        query(a.year, v.as_of.as_deref(), &[]),
        with(&[("format", "csv")]),
    );
    let _ = write!(
        body,
        "<div class=\"scroll\"><table class=\"figures\" id=\"records\"><caption>{}{}</caption><thead><tr>",
        order.words(),
        if order == RecordOrder::AsListed {
            String::new()
        } else {
            let listed = query(
                a.year,
                v.as_of.as_deref(),
                &[("unit", unit), ("indicator", indicator_id)],
            );
            format!("（<a href=\"/overview/records?{listed}#records\">恢复默认顺序</a>）")
        }
    );
    for (i, c) in RECORD_COLUMNS.iter().enumerate() {
        let by = [RecordOrder::Due, RecordOrder::Late]
            .into_iter()
            .find(|o| o.column().is_some_and(|(column, _)| column == i));
        let sorted = match order.column() {
            Some((column, direction)) if column == i => format!(" aria-sort=\"{direction}\""),
            _ => String::new(),
        };
        match by.and_then(RecordOrder::name) {
            Some(name) => {
                let link = query(
                    a.year,
                    v.as_of.as_deref(),
                    &[("unit", unit), ("indicator", indicator_id), ("sort", name)],
                );
                let _ = write!(
                    body,
                    "<th scope=\"col\"{sorted}><a href=\"/overview/records?{link}#records\" title=\"按此列排序\">{c}</a></th>"
                );
            }
            None => {
                let _ = write!(body, "<th scope=\"col\"{sorted}>{c}</th>");
            }
        }
    }
    body.push_str("</tr></thead><tbody>\n");
    for r in &rows[on_page] {
        body.push_str("<tr>");
        for (i, cell) in r.cells().iter().enumerate() {
            if i == 0 {
                let _ = write!(body, "<th scope=\"row\">{}</th>", escape(cell));
            } else {
                let _ = write!(body, "<td>{}</td>", escape(cell));
            }
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</tbody></table></div>\n");
    if pages > 1 {
        let link = |n: usize, text: &str| {
            format!(
                "<a href=\"/overview/records?{}\">{text}</a>",
                with(&[("page", &n.to_string())])
            )
        };
        let _ = write!(
            body,
            "<nav class=\"pages\" aria-label=\"分页\"><p>第 {page_no}/{pages} 页（每页 {RECORDS_PER_PAGE} 条；CSV 含全部 {} 条）　{}　{}</p></nav>\n",
            rows.len(),
            if page_no > 1 {
                link(page_no - 1, "‹ 上一页")
            } else {
                String::new()
            },
            if page_no < pages {
                link(page_no + 1, "下一页 ›")
            } else {
                String::new()
            },
        );
    }

    let kept = KeptPage::new(title, body).until(renewal_due(&state, &a, as_of_ms, basis.as_ref()));
    Ok(state.pages.answer(key, kept, &viewer.session))
}

/// The records as CSV (UTF-8 with a byte-order mark, which spreadsheet
/// programs on office PCs need to read Chinese).
fn csv(rows: &[Record], filename: &str) -> Response {
    let mut out = String::from("\u{feff}");
    out.push_str(&RECORD_COLUMNS.join(","));
    out.push_str("\r\n");
    for r in rows {
        let cells: Vec<String> = r.cells().iter().map(|c| csv_field(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    let disposition = format!("attachment; filename=\"{}\"", filename.replace('"', ""));
    let mut response = out.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

fn csv_field(text: &str) -> String {
    // A leading =, +, - or @ would be a formula to a spreadsheet.
    let guarded = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_say_their_state_in_shape_and_word() {
        assert_eq!(cell_state(false, None, 0), ("○", "未测", "na"));
        assert_eq!(cell_state(true, Some(1.0), 0), ("●", "达标", "ok"));
        assert_eq!(cell_state(true, Some(0.95), 3), ("▲", "有差距", "warn"));
        assert_eq!(cell_state(true, Some(0.5), 9), ("■", "未达标", "bad"));
    }

    #[test]
    fn links_and_csv_are_escaped() {
        assert_eq!(
            query(2025, Some("2025-12-31T08:00:00+08:00"), &[("unit", "D 1")]),
            "year=2025&amp;as_of=2025-12-31T08%3A00%3A00%2B08%3A00&amp;unit=D%201"
        );
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }

    #[test]
    fn long_lists_of_records_are_cut_into_pages() {
        let n = RECORDS_PER_PAGE;
        assert_eq!(records_page(0, None).unwrap(), (1, 1, 0..0));
        assert_eq!(records_page(n, None).unwrap(), (1, 1, 0..n));
        assert_eq!(records_page(2 * n + 1, Some(2)).unwrap(), (2, 3, n..2 * n));
        assert_eq!(
            records_page(2 * n + 1, Some(3)).unwrap(),
            (3, 3, 2 * n..2 * n + 1)
        );
        assert!(records_page(2 * n + 1, Some(4)).is_err());
        assert!(records_page(5, Some(0)).is_err());
    }

    #[test]
    fn records_sort_by_due_date_and_by_days_late() {
        let record = |id: &str, due: &str, late: Option<i64>| Record {
            id: id.into(),
            check: CheckKind::Approvals,
            rule: Rule::Reply,
            status: Status::Late,
            due: due.into(),
            done_at: String::new(),
            late: late.map_or(String::new(), |n| n.to_string()),
            late_days: late,
            citation: String::new(),
        };
        let mut rows = vec![
            record("A", "2025-03-02", Some(2)),
            record("B", "", None),
            record("C", "2025-01-10", Some(9)),
        ];
        let ids = |rows: &[Record]| rows.iter().map(|r| r.id.clone()).collect::<String>();
        RecordOrder::Due.sort(&mut rows);
        assert_eq!(ids(&rows), "CAB");
        RecordOrder::Late.sort(&mut rows);
        assert_eq!(ids(&rows), "CAB");
        rows.swap(0, 1);
        RecordOrder::Late.sort(&mut rows);
        assert_eq!(ids(&rows), "CAB", "most days late first, none last");
        let view = |sort: &str| View {
            sort: Some(sort.into()),
            ..View::default()
        };
        assert_eq!(RecordOrder::of(&view("late")).unwrap(), RecordOrder::Late);
        assert_eq!(
            RecordOrder::of(&View::default()).unwrap(),
            RecordOrder::AsListed
        );
        assert!(RecordOrder::of(&view("score")).is_err());
    }

    #[test]
    fn the_matrix_sorts_by_its_columns() {
        let view = |sort: &str| View {
            sort: Some(sort.to_string()),
            ..View::default()
        };
        assert_eq!(
            MatrixOrder::of(&View::default()).unwrap(),
            MatrixOrder::AsListed
        );
        assert_eq!(MatrixOrder::of(&view("score")).unwrap(), MatrixOrder::Score);
        assert_eq!(
            MatrixOrder::of(&view("indicator:I2")).unwrap(),
            MatrixOrder::Indicator("I2".into())
        );
        assert!(MatrixOrder::of(&view("indicator:")).is_err());
        assert!(MatrixOrder::of(&view("colour")).is_err());
        for order in [
            MatrixOrder::Score,
            MatrixOrder::Change,
            MatrixOrder::Indicator("I2".into()),
        ] {
            assert_eq!(MatrixOrder::of(&view(&order.name())).unwrap(), order);
        }
    }
}
