//! When each job is due: its settings (`[jobs.<name>]` in `dukao.toml`),
//! its periods and the instants they fall due.
//!
//! A job's cron expression (six fields, seconds first, Asia/Shanghai, the
//! syntax tokio-cron-scheduler reads) says at what time of day it looks;
//! the job's own calendar rule says on which days a period falls due:
//!
//! | job | period | due on |
//! |---|---|---|
//! | daily-scan, case-deadlines | a day, `2026-03-04` | every day |
//! | quarterly | a quarter, `2026Q2` | the quarter's first working day |
//! | annual-report | the year reported, `2025` | the configured day of January, default the first working day after 5 January |
//! | calendar-watch | a day | every day of November and December |
//!
//! The occurrence of a period is due at the first firing of the cron
//! expression on its day. Working days come from the official calendar; a
//! year without it is an error that names the year, never a guess.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone};
use chrono_tz::Asia::Shanghai;
use croner::Cron;
use croner::parser::{CronParser, Seconds};

use crate::calendar::{Calendar, CalendarError};
use crate::vocab::{JobName, MissedPolicy};

/// Why a job's schedule could not be read or followed.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// The cron expression does not parse.
    #[error("jobs.{job}.cron = {cron:?}: {message}")]
    Cron {
        /// The job.
        job: JobName,
        /// The expression.
        cron: String,
        /// What is wrong.
        message: String,
    },
    /// A period that is not one of the job's.
    #[error("{period:?} is not a period of {job} (expected e.g. {example})")]
    Period {
        /// The job.
        job: JobName,
        /// The text given.
        period: String,
        /// An example.
        example: &'static str,
    },
    /// A working day was needed from a year the calendar lacks.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// `january_day` on a job other than the annual report, or out of range.
    #[error("jobs.{job}: {message}")]
    Setting {
        /// The job.
        job: JobName,
        /// What is wrong.
        message: String,
    },
}

impl ScheduleError {
    /// The same in Chinese, for a page.
    pub fn chinese(&self) -> String {
        match self {
            ScheduleError::Cron { job, cron, message } => {
                format!("任务 {job} 的 cron 表达式 {cron:?} 无法解析（{message}）")
            }
            ScheduleError::Period {
                job,
                period,
                example,
            } => format!("{period:?} 不是任务 {job} 的周期（例如 {example}）"),
            ScheduleError::Calendar(e) => e.chinese(),
            ScheduleError::Setting { job, message } => {
                format!("任务 {job} 的设置有误（{message}）")
            }
        }
    }
}

/// How one job runs (`[jobs.<name>]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSettings {
    /// Whether it runs at all.
    pub enabled: bool,
    /// When it looks for due work: six-field cron, Asia/Shanghai.
    pub cron: String,
    /// What happens to occurrences missed while dukao was down.
    pub missed: MissedPolicy,
    /// With [`MissedPolicy::All`]: at most this many missed ones run.
    pub cap: u32,
    /// The annual report only: the day of January it falls due (default:
    /// the first working day after 5 January).
    pub january_day: Option<u32>,
}

impl JobSettings {
    /// The defaults of `job`.
    pub fn default_for(job: JobName) -> JobSettings {
        let (cron, missed, cap) = match job {
            JobName::DailyScan => ("0 30 5 * * *", MissedPolicy::Latest, 1),
            JobName::CaseDeadlines => ("0 0 6 * * *", MissedPolicy::Latest, 1),
            JobName::Quarterly => ("0 30 6 * * *", MissedPolicy::Latest, 1),
            JobName::AnnualReport => ("0 0 7 * * *", MissedPolicy::All, 2),
            JobName::CalendarWatch => ("0 0 9 * * *", MissedPolicy::Skip, 0),
        };
        JobSettings {
            enabled: true,
            cron: cron.to_string(),
            missed,
            cap,
            january_day: None,
        }
    }

    /// The parsed cron expression.
    pub fn parsed_cron(&self, job: JobName) -> Result<Cron, ScheduleError> {
        parse_cron(job, &self.cron)
    }

    /// Checks the settings (at configuration load).
    pub fn validate(&self, job: JobName) -> Result<(), ScheduleError> {
        self.parsed_cron(job)?;
        match (job, self.january_day) {
            (JobName::AnnualReport, Some(d)) if !(1..=31).contains(&d) => {
                Err(ScheduleError::Setting {
                    job,
                    message: format!("january_day = {d} is not a day of January"),
                })
            }
            (JobName::AnnualReport, _) | (_, None) => Ok(()),
            (
                JobName::DailyScan
                | JobName::CaseDeadlines
                | JobName::Quarterly
                | JobName::CalendarWatch,
                Some(_),
            ) => Err(ScheduleError::Setting {
                job,
                message: "january_day applies to annual-report only".into(),
            }),
        }
    }
}

/// Parses a six-field cron expression as tokio-cron-scheduler does.
pub fn parse_cron(job: JobName, cron: &str) -> Result<Cron, ScheduleError> {
    CronParser::builder()
        .seconds(Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(cron)
        .map_err(|e| ScheduleError::Cron {
            job,
            cron: cron.to_string(),
            message: e.to_string(),
        })
}

/// One occurrence of a job: its period and when it falls due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The period key.
    pub period: String,
    /// When it falls due (ms).
    pub due_at: i64,
}

/// How far back a job looks for missed occurrences on a ledger that has
/// none of it yet (a new installation, a job just enabled), in days.
pub fn lookback_days(job: JobName) -> i64 {
    match job {
        JobName::DailyScan | JobName::CaseDeadlines => 7,
        JobName::Quarterly => 100,
        JobName::AnnualReport => 400,
        JobName::CalendarWatch => 2,
    }
}

/// The period of `job` falling due on `day`, if one does.
pub fn period_due_on(
    job: JobName,
    settings: &JobSettings,
    calendar: &Calendar,
    day: NaiveDate,
) -> Result<Option<String>, ScheduleError> {
    Ok(match job {
        JobName::DailyScan | JobName::CaseDeadlines => Some(day.to_string()),
        JobName::CalendarWatch => (day.month() >= 11).then(|| day.to_string()),
        JobName::Quarterly => {
            let quarter = (day.month() - 1) / 3 + 1;
            let first = NaiveDate::from_ymd_opt(day.year(), (quarter - 1) * 3 + 1, 1)
                .expect("a quarter's first day");
            (first_working_day_from(calendar, first)? == day)
                .then(|| format!("{}Q{quarter}", day.year()))
        }
        JobName::AnnualReport => (annual_day(settings, calendar, day.year())? == day)
            .then(|| (day.year() - 1).to_string()),
    })
}

/// The day the annual report of `year - 1` falls due in January of `year`.
pub fn annual_day(
    settings: &JobSettings,
    calendar: &Calendar,
    year: i32,
) -> Result<NaiveDate, ScheduleError> {
    match settings.january_day {
        Some(d) => NaiveDate::from_ymd_opt(year, 1, d).ok_or(ScheduleError::Setting {
            job: JobName::AnnualReport,
            message: format!("january_day = {d} is not a day of January"),
        }),
        None => first_working_day_from(
            calendar,
            NaiveDate::from_ymd_opt(year, 1, 6).expect("6 January"),
        ),
    }
}

fn first_working_day_from(
    calendar: &Calendar,
    from: NaiveDate,
) -> Result<NaiveDate, ScheduleError> {
    let mut day = from;
    while !calendar.is_working_day(day)? {
        day = day.succ_opt().expect("a next day");
    }
    Ok(day)
}

/// The first firing of `cron` on `day`, if it fires that day (ms).
fn firing_on(cron: &Cron, day: NaiveDate) -> Option<i64> {
    let midnight = Shanghai
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()?;
    let next: DateTime<_> = cron.find_next_occurrence(&midnight, true).ok()?;
    (next.date_naive() == day).then(|| next.timestamp_millis())
}

/// The occurrences of `job` falling due in `(after, until]`, oldest first.
pub fn due_between(
    job: JobName,
    settings: &JobSettings,
    calendar: &Calendar,
    after: i64,
    until: i64,
) -> Result<Vec<Due>, ScheduleError> {
    let cron = settings.parsed_cron(job)?;
    let mut out = Vec::new();
    let mut day = crate::time::local_date(after);
    let last = crate::time::local_date(until);
    while day <= last {
        if let Some(due_at) = firing_on(&cron, day).filter(|t| *t > after && *t <= until) {
            if let Some(period) = period_due_on(job, settings, calendar, day)? {
                out.push(Due { period, due_at });
            }
        }
        day = day.succ_opt().expect("a next day");
    }
    Ok(out)
}

/// The next occurrence of `job` after `now` within a year and a half, if
/// any (`jobs list`).
pub fn next_after(
    job: JobName,
    settings: &JobSettings,
    calendar: &Calendar,
    now: i64,
) -> Result<Option<Due>, ScheduleError> {
    const HORIZON_MS: i64 = 550 * 86_400_000;
    let cron = settings.parsed_cron(job)?;
    let mut day = crate::time::local_date(now);
    let last = crate::time::local_date(now + HORIZON_MS);
    while day <= last {
        if let Some(due_at) = firing_on(&cron, day).filter(|t| *t > now) {
            if let Some(period) = period_due_on(job, settings, calendar, day)? {
                return Ok(Some(Due { period, due_at }));
            }
        }
        day = day.succ_opt().expect("a next day");
    }
    Ok(None)
}

/// Checks that `period` names a period of `job`.
pub fn parse_period(job: JobName, period: &str) -> Result<String, ScheduleError> {
    let bad = |example| ScheduleError::Period {
        job,
        period: period.to_string(),
        example,
    };
    match job {
        JobName::DailyScan | JobName::CaseDeadlines | JobName::CalendarWatch => {
            NaiveDate::parse_from_str(period, "%Y-%m-%d")
                .map(|d| d.to_string())
                .map_err(|_| bad("2026-03-04"))
        }
        JobName::Quarterly => {
            let (year, quarter) = period.split_once('Q').ok_or_else(|| bad("2026Q2"))?;
            match (year.parse::<i32>(), quarter.parse::<u32>()) {
                (Ok(y), Ok(q)) if (1..=4).contains(&q) && (1900..=9998).contains(&y) => {
                    Ok(format!("{y}Q{q}"))
                }
                _ => Err(bad("2026Q2")),
            }
        }
        JobName::AnnualReport => match period.parse::<i32>() {
            Ok(y) if (1900..=9998).contains(&y) => Ok(y.to_string()),
            _ => Err(bad("2025")),
        },
    }
}

/// The period `job` works on by default when run by hand at `now`: the
/// latest one due (today; this quarter; last year).
pub fn current_period(job: JobName, now: i64) -> String {
    let today = crate::time::local_date(now);
    match job {
        JobName::DailyScan | JobName::CaseDeadlines | JobName::CalendarWatch => today.to_string(),
        JobName::Quarterly => format!("{}Q{}", today.year(), (today.month() - 1) / 3 + 1),
        JobName::AnnualReport => (today.year() - 1).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;

    fn at(text: &str) -> i64 {
        parse_timestamp(text).unwrap()
    }

    #[test]
    fn daily_scan_falls_due_at_its_cron_time_each_day() {
        let s = JobSettings::default_for(JobName::DailyScan);
        let due = due_between(
            JobName::DailyScan,
            &s,
            Calendar::builtin(),
            at("2026-03-03T06:00:00"),
            at("2026-03-05T06:00:00"),
        )
        .unwrap();
        assert_eq!(
            due,
            vec![
                Due {
                    period: "2026-03-04".into(),
                    due_at: at("2026-03-04T05:30:00")
                },
                Due {
                    period: "2026-03-05".into(),
                    due_at: at("2026-03-05T05:30:00")
                },
            ]
        );
    }

    #[test]
    fn the_annual_report_falls_due_on_the_first_working_day_after_5_january() {
        let s = JobSettings::default_for(JobName::AnnualReport);
        // 6 January 2026 is a Tuesday, a working day.
        assert_eq!(
            annual_day(&s, Calendar::builtin(), 2026).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 6).unwrap()
        );
        let due = due_between(
            JobName::AnnualReport,
            &s,
            Calendar::builtin(),
            at("2025-12-01T00:00:00"),
            at("2026-02-01T00:00:00"),
        )
        .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].period, "2025");
        assert_eq!(due[0].due_at, at("2026-01-06T07:00:00"));
        let configured = JobSettings {
            january_day: Some(10),
            ..s
        };
        assert_eq!(
            annual_day(&configured, Calendar::builtin(), 2026).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 10).unwrap()
        );
    }

    #[test]
    fn the_quarterly_job_waits_for_the_first_working_day_of_the_quarter() {
        // 1–7 October are the National Day holidays: the fourth quarter's
        // first working day is 9 October 2025 (the 11th is a make-up day).
        let s = JobSettings::default_for(JobName::Quarterly);
        let due = due_between(
            JobName::Quarterly,
            &s,
            Calendar::builtin(),
            at("2025-09-20T00:00:00"),
            at("2025-10-31T00:00:00"),
        )
        .unwrap();
        assert_eq!(due.len(), 1, "{due:?}");
        assert_eq!(due[0].period, "2025Q4");
        assert_eq!(
            crate::time::local_date(due[0].due_at),
            NaiveDate::from_ymd_opt(2025, 10, 9).unwrap()
        );
    }

    #[test]
    fn a_year_without_calendar_is_an_error_not_a_guess() {
        let s = JobSettings::default_for(JobName::Quarterly);
        let far = at("2090-03-20T00:00:00");
        let err = due_between(
            JobName::Quarterly,
            &s,
            Calendar::builtin(),
            far,
            far + 30 * 86_400_000,
        )
        .unwrap_err();
        assert!(matches!(err, ScheduleError::Calendar(_)), "{err}");
    }

    #[test]
    fn periods_parse_per_job_and_bad_settings_are_named() {
        assert_eq!(parse_period(JobName::AnnualReport, "2025").unwrap(), "2025");
        assert_eq!(
            parse_period(JobName::Quarterly, "2026Q2").unwrap(),
            "2026Q2"
        );
        assert!(parse_period(JobName::Quarterly, "2026Q5").is_err());
        assert!(parse_period(JobName::DailyScan, "2026-02-30").is_err());
        let bad = JobSettings {
            cron: "every morning".into(),
            ..JobSettings::default_for(JobName::DailyScan)
        };
        let err = bad.validate(JobName::DailyScan).unwrap_err().to_string();
        assert!(
            err.starts_with("jobs.daily-scan.cron = \"every morning\""),
            "{err}"
        );
        let misplaced = JobSettings {
            january_day: Some(8),
            ..JobSettings::default_for(JobName::DailyScan)
        };
        assert!(misplaced.validate(JobName::DailyScan).is_err());
    }
}
