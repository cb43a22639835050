//! `data_updates`: one row per refresh of an entry's data on the platform
//! in each of the two years covered, following the entry's declared cycle,
//! with misses, entries that fall behind during a year and a few that are
//! not refreshed at all in a year. Realtime and daily entries record at
//! most one refresh a day (the last sync), which keeps the table at about
//! 1–1.5 million rows a year for a city.

use chrono::{Datelike, NaiveDate, TimeDelta};

use super::catalog::{Catalog, Entry, Lag};
use super::clock::{at, office_secs};
use super::rng::Rng;
use super::writer::TableWriter;
use super::{Ctx, DemoError, Span};
use crate::vocab::UpdateCycle;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn last_of_month(y: i32, m: u32) -> NaiveDate {
    let next = if m == 12 {
        ymd(y + 1, 1, 1)
    } else {
        ymd(y, m + 1, 1)
    };
    next.pred_opt().expect("valid date")
}

/// Write every entry's refreshes during the two years, entry by entry
/// (one PRNG stream each), in time order.
pub fn write(ctx: &Ctx, catalog: &Catalog, w: &mut TableWriter) -> Result<(), DemoError> {
    let mut days: Vec<(NaiveDate, u32)> = Vec::new();
    for (i, e) in catalog.entries.iter().enumerate() {
        let mut rng = Rng::stream(ctx.seed, "data_updates", i as u64);
        for (span, lag) in ctx.spans.iter().zip(e.lags) {
            let behind = match lag {
                Lag::Behind(d) => Some(d),
                Lag::Dormant => continue,
                Lag::OnCycle => None,
            };
            days.clear();
            refreshes(ctx, span, e, &mut rng, &mut days);
            for &(d, secs) in days.iter() {
                if behind.is_some_and(|b| d >= b) && rng.chance(0.85) {
                    continue;
                }
                w.str(&e.id);
                w.time(at(d, secs));
                w.end_row()?;
            }
        }
    }
    Ok(())
}

/// The days (and times) an entry on its cycle is refreshed in `span`.
fn refreshes(ctx: &Ctx, span: &Span, e: &Entry, rng: &mut Rng, days: &mut Vec<(NaiveDate, u32)>) {
    let year = span.year;
    let first = span.first.max(e.published.date() + TimeDelta::days(1));
    let last = match e.withdrawn {
        Some(t) => span.last.min(t.date() - TimeDelta::days(1)),
        None => span.last,
    };
    if first > last {
        return;
    }
    // One candidate day in `a..=b` clipped to the window, with probability `p`.
    let one_in =
        |rng: &mut Rng, a: NaiveDate, b: NaiveDate, p: f64, days: &mut Vec<(NaiveDate, u32)>| {
            if rng.chance(p) {
                if let Some(d) = ctx.wd.random_in(rng, a.max(first), b.min(last)) {
                    days.push((d, office_secs(rng)));
                }
            }
        };
    match e.cycle {
        UpdateCycle::Realtime | UpdateCycle::Daily => {
            let mut d = first;
            while d <= last {
                let working = ctx.wd.is_working(d);
                let p = match (e.cycle, working) {
                    (UpdateCycle::Realtime, _) => 0.93,
                    (_, true) => 0.9,
                    (_, false) => 0.12,
                };
                if rng.chance(p) {
                    let secs = if e.cycle == UpdateCycle::Realtime {
                        rng.below(86_400) as u32
                    } else if rng.chance(0.7) {
                        3_600 + rng.below(5 * 3_600) as u32
                    } else {
                        office_secs(rng)
                    };
                    days.push((d, secs));
                }
                d = d.succ_opt().expect("valid date");
            }
        }
        UpdateCycle::Weekly => {
            let mut monday =
                first - TimeDelta::days(i64::from(first.weekday().num_days_from_monday()));
            while monday <= last {
                one_in(rng, monday, monday + TimeDelta::days(6), 0.9, days);
                monday += TimeDelta::days(7);
            }
        }
        UpdateCycle::Monthly => {
            for m in 1..=12 {
                let (a, b) = if rng.chance(0.85) {
                    (ymd(year, m, 1), ymd(year, m, 10))
                } else {
                    (ymd(year, m, 11), last_of_month(year, m))
                };
                one_in(rng, a, b, 0.94, days);
            }
        }
        UpdateCycle::Quarterly | UpdateCycle::Semiannual => {
            let months: &[u32] = if e.cycle == UpdateCycle::Quarterly {
                &[1, 4, 7, 10]
            } else {
                &[1, 7]
            };
            for &m in months {
                let (a, b) = if rng.chance(0.8) {
                    (ymd(year, m, 1), ymd(year, m, 10))
                } else {
                    (ymd(year, m, 11), last_of_month(year, m + 2))
                };
                one_in(rng, a, b, 0.95, days);
            }
        }
        UpdateCycle::Annual => {
            let (a, b) = if rng.chance(0.7) {
                (ymd(year, 1, 1), ymd(year, 3, 31))
            } else {
                (ymd(year, 4, 1), ymd(year, 12, 31))
            };
            one_in(rng, a, b, 0.95, days);
        }
        UpdateCycle::Irregular => {
            for _ in 0..rng.poisson(3.0) {
                one_in(rng, first, last, 1.0, days);
            }
            days.sort_unstable();
        }
    }
}
