//! The annual job, in January: freezes the previous year's evaluation (if
//! no leader froze it yet) and drafts the annual sharing report
//! (年度政务数据共享情况报告) for a leader to review and issue; numbering
//! happens when it is issued. [`annual_deadline`] follows the report until
//! it is issued, with the reporting duties the city's profile states and
//! their dates where the regulation gives one (开封 Art.20: the
//! departments report the previous year by the end of January; the
//! bureau's own report to the government has no date in the text, and is
//! shown without one).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Outcome, Run, WorkError};
use crate::access::Reach;
use crate::config::Config;
use crate::documents::annual::{self, AnnualRequest};
use crate::documents::archive;
use crate::documents::engine::Engine;
use crate::evaluation::{EvaluationError, snapshot};
use crate::org::Org;
use crate::store::Store;
use crate::vocab::DocumentKind;

/// Who the scheduler freezes in the name of.
pub const FROZEN_BY: &str = "督考定时任务（年度）";

pub(super) async fn run(run: &Run<'_>) -> Result<Outcome, WorkError> {
    let year = run.year_of_period()?;
    let mut lines = Vec::new();
    // As the annual report judges the year: as of its end (or now, if
    // earlier), so that the report and the frozen result agree.
    let end = crate::metrics::Period::new(year, None, None)
        .map_err(crate::results::compute::ComputeError::from)?
        .end_ms();
    let as_of = run.now.min(end - 1);
    match snapshot::freeze(run.store, run.config, year, as_of, FROZEN_BY).await {
        Ok(frozen) => lines.push(format!(
            "{year}年度评估结果已冻结（截至 {}，评估方案 {}）",
            frozen.result.as_of, frozen.result.scheme.version
        )),
        Err(EvaluationError::AlreadyFrozen {
            frozen_at,
            frozen_by,
            ..
        }) => lines.push(format!(
            "{year}年度评估结果已由 {frozen_by} 于 {frozen_at} 冻结"
        )),
        Err(e) => return Err(e.into()),
    }
    let request = AnnualRequest {
        year,
        date: run.today(),
        as_of: None,
        signer: None,
        cc: Vec::new(),
    };
    let prepared = annual::prepare(run.store, run.config, &request).await?;
    let pdf = prepared.render_draft(Engine::shared()?).await?;
    let path = run.write_draft(&format!("annual-report-{year}.pdf"), &pdf)?;
    lines.push(format!("年度报告草稿已生成（{path}），待领导审核签发"));
    let deadline = annual_deadline(run.store, run.config, year).await?;
    let warning = deadline
        .duties
        .iter()
        .filter_map(|d| {
            d.due.map(|due| {
                format!(
                    "{}：{}前（{}）",
                    d.what,
                    crate::time::chinese_date(due),
                    d.cite
                )
            })
        })
        .next();
    Ok(Outcome {
        summary: lines.join("；"),
        warning,
    })
}

/// A reporting duty of the year and its date, as the profile states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duty {
    /// Who reports.
    pub who: String,
    /// To whom.
    pub to: String,
    /// What.
    pub what: String,
    /// The last day, where the regulation gives one.
    pub due: Option<NaiveDate>,
    /// The article.
    pub cite: String,
}

/// Where the annual report of a year stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnualDeadline {
    /// The year reported on.
    pub year: i32,
    /// The issued report's number and date, once issued.
    pub issued: Option<(String, String)>,
    /// The reporting duties of the city's profile for that year.
    pub duties: Vec<Duty>,
}

/// Where the annual report of `year` stands, and the reporting duties the
/// city's profile gives with their dates.
pub async fn annual_deadline(
    store: &Store,
    config: &Config,
    year: i32,
) -> Result<AnnualDeadline, WorkError> {
    let profiles = config.profiles()?;
    let org = Org::load(store, &profiles, &config.default_profile).await?;
    let duties = match org.root() {
        Some(root) => match profiles.by_id(&root.profile) {
            Some(profile) => profile
                .evaluation
                .reporting
                .iter()
                .map(|d| Duty {
                    who: d.who.clone(),
                    to: d.to.clone(),
                    what: d.what.clone(),
                    due: d.due_month.and_then(|m| end_of_month(year + 1, m)),
                    cite: profile.cite(&d.citation),
                })
                .collect(),
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    let issued = archive::list(store, Some(DocumentKind::Annual), None, &Reach::City)
        .await?
        .into_iter()
        .find(|d| d.data_year == i64::from(year))
        .map(|d| (d.number, d.issued_on));
    Ok(AnnualDeadline {
        year,
        issued,
        duties,
    })
}

fn end_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    next.pred_opt().filter(|d| d.year() == year)
}
