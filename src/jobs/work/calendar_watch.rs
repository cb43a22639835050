//! The calendar watch, every day of November and December: deadlines are
//! counted in official working days (RULES.md §1), which the State
//! Council publishes for the next year late in the year. While next year's
//! calendar is not loaded, the run succeeds with a warning, so that the
//! bureau loads it (`calendar_overrides` in `dukao.toml`) before deadlines
//! start falling in the new year.

use chrono::Datelike;

use super::{Outcome, Run, WorkError};

pub(super) fn run(run: &Run<'_>) -> Result<Outcome, WorkError> {
    let next = run.day_of_period()?.year() + 1;
    let calendar = run.config.calendar()?;
    Ok(if calendar.covers(next) {
        Outcome::done(format!("{next}年工作日历已加载"))
    } else {
        Outcome {
            summary: format!("{next}年工作日历尚未加载"),
            warning: Some(format!(
                "{next}年官方工作日历（节假日与调休）尚未加载：请在国务院办公厅发布后导入（dukao.toml 的 calendar_overrides），否则{next}年的期限只能按周末计算并标注为临时结果"
            )),
        }
    })
}
