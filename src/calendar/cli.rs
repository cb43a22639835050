//! `dukao calendar`: the due date of a deadline, whether a day is a working
//! day, and the years covered.

use std::process::ExitCode;

use crate::config::Config;

/// The calendar questions.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum CalendarCommand {
    /// Print the due date (YYYY-MM-DD) of a deadline of N working days counted
    /// from an event: the event's day is not counted, day 1 is the next
    /// working day, the deadline is the end of day N (Asia/Shanghai).
    Deadline {
        /// The event: a date (2025-09-30) or an RFC 3339 time
        /// (2025-09-30T23:59:00+08:00; without offset, Asia/Shanghai).
        #[arg(long)]
        from: String,
        /// Working days allowed.
        #[arg(long)]
        working_days: u32,
        /// For a year without official calendar data, count weekends only and
        /// say so on standard error, instead of failing.
        #[arg(long)]
        provisional: bool,
    },
    /// Print `true` if the date is an official working day, else `false`.
    Workday {
        /// The date (YYYY-MM-DD).
        date: chrono::NaiveDate,
    },
    /// List the years covered and the State Council notice of each.
    Years,
}

/// Runs `dukao calendar`.
pub fn run_calendar(config: &Config, command: &CalendarCommand) -> anyhow::Result<ExitCode> {
    let calendar = config.calendar()?;
    match command {
        CalendarCommand::Deadline {
            from,
            working_days,
            provisional,
        } => {
            let date = match chrono::NaiveDate::parse_from_str(from, "%Y-%m-%d") {
                Ok(date) => date,
                Err(_) => crate::time::local_date(
                    crate::time::parse_timestamp(from)
                        .map_err(|e| anyhow::anyhow!("--from {from:?}: {e}"))?,
                ),
            };
            if *provisional {
                let due = calendar.add_working_days_provisional(date, *working_days);
                if due.provisional {
                    eprintln!(
                        "warning: provisional result: no official calendar data for {:?}; weekends only were counted",
                        due.missing_years
                    );
                }
                println!("{}", due.value.format("%Y-%m-%d"));
            } else {
                let due = calendar.add_working_days(date, *working_days)?;
                println!("{}", due.format("%Y-%m-%d"));
            }
        }
        CalendarCommand::Workday { date } => {
            println!("{}", calendar.is_working_day(*date)?);
        }
        CalendarCommand::Years => {
            for year in calendar.years() {
                if let Some((title, number)) = calendar.notice(year) {
                    println!("{year}  {number}  {title}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
