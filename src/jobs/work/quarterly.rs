//! The quarterly checks, on the first working day of a quarter: the
//! quarter just ended is judged and stored (营口's quarterly catalog
//! maintenance, 新县's quarterly data floor are judged per quarter), and
//! the grants expiring within 30 days are counted for their providers.

use super::{Outcome, Run, WorkError};
use crate::metrics::Period;
use crate::results::compute::{self, ComputeError, Recording};
use crate::vocab::{Rule, Status};

pub(super) async fn run(run: &Run<'_>) -> Result<Outcome, WorkError> {
    let (year, quarter) = run
        .period
        .split_once('Q')
        .and_then(|(y, q)| Some((y.parse::<i32>().ok()?, q.parse::<u32>().ok()?)))
        .ok_or_else(|| WorkError::Period(run.period.to_string()))?;
    let (ended_year, ended_quarter) = if quarter == 1 {
        (year - 1, 4)
    } else {
        (year, quarter - 1)
    };
    let ended = Period::new(ended_year, Some(ended_quarter), None).map_err(ComputeError::from)?;
    let past = compute::compute(
        run.store,
        run.config,
        ended,
        run.now,
        run.now,
        Recording::ResultsOnly,
    )
    .await?;
    let count = |rule: Rule| {
        past.judged
            .items
            .iter()
            .filter(|i| i.rule == rule && i.status.is_breach())
            .count()
    };
    let this = Period::new(year, None, None).map_err(ComputeError::from)?;
    let now = compute::compute(
        run.store,
        run.config,
        this,
        run.now,
        run.now,
        Recording::ResultsOnly,
    )
    .await?;
    let expiring = now
        .judged
        .items
        .iter()
        .filter(|i| i.status == Status::Expiring)
        .count();
    Ok(Outcome::done(format!(
        "{}：目录定期维护未达标 {} 项，数据季度更新未达标 {} 项；30 日内到期的授权 {} 项",
        ended.label(),
        count(Rule::FullMaintenance),
        count(Rule::FreshnessFloor),
        expiring
    )))
}
