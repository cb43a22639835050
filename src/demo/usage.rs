//! `access_log`: how grantees use their grants. Each grant gets a usage
//! pattern when it is made:
//!
//! | pattern | share | behaviour |
//! |---|---|---|
//! | never | 5 % | no call at all (JC Art.31: may be revoked after 3 months) |
//! | burst | 15 % | used for 10–75 days after the grant, then idle |
//! | regular | 46 % | most working days (a quarter of them system-to-system, around the clock) |
//! | batch | 20 % | a job every 7, 14 or 30 days |
//! | sporadic | 14 % | now and then |
//!
//! and 15 % of the grants that expire or are revoked during the two years
//! covered keep being called for 10–60 days afterwards. Rows are hourly-ish
//! buckets with a call count. The log covers both years, and for the grants
//! made before them (carried over) also their first months, the unused
//! window of the profiles (JC Art.31: three months), so that the first year
//! judges their first use as the platform's full log would. It is
//! generated day by day (over the grants whose window contains the day)
//! and sorted by time within each day, so it streams to disk in time order
//! without ever being held in memory.

use chrono::{Months, NaiveDate, NaiveDateTime, TimeDelta};

use super::clock::{at, office_secs};
use super::requests::Grant;
use super::rng::{Rng, mix};
use super::writer::TableWriter;
use super::{Ctx, DemoError};

/// How a grant is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Never called.
    Never,
    /// Called for a while after the grant, then idle.
    Burst,
    /// Called on most working days.
    Regular,
    /// Called by a periodic job.
    Batch,
    /// Called now and then.
    Sporadic,
}

/// Usage of one grant.
#[derive(Debug, Clone)]
pub struct Usage {
    /// The pattern.
    pub pattern: Pattern,
    /// Mean rows on an active day.
    pub rows_per_day: f32,
    /// Period of a batch job, in days.
    pub period: u16,
    /// Phase of a batch job.
    pub phase: u16,
    /// Last day of a burst.
    pub burst_until: Option<NaiveDate>,
    /// Called until this day although expired or revoked.
    pub overrun_until: Option<NaiveDate>,
    /// System-to-system use around the clock.
    pub all_hours: bool,
    /// Seed of the per-day draws.
    pub seed: u64,
}

/// Draw the usage of a grant made at `granted`; `rows_per_day` is the
/// scale's mean number of rows on an active day.
pub fn assign(rng: &mut Rng, granted: NaiveDateTime, rows_per_day: f64) -> Usage {
    let pattern = [
        Pattern::Never,
        Pattern::Burst,
        Pattern::Regular,
        Pattern::Batch,
        Pattern::Sporadic,
    ][rng.weighted(&[5.0, 15.0, 46.0, 20.0, 14.0])];
    let burst_until =
        (pattern == Pattern::Burst).then(|| granted.date() + TimeDelta::days(rng.range(10, 75)));
    let period = *rng.pick(&[7u16, 7, 14, 30]);
    Usage {
        pattern,
        rows_per_day: (rows_per_day * rng.lognormal(0.8, 0.7)) as f32,
        period,
        phase: rng.below(u64::from(period)) as u16,
        burst_until,
        overrun_until: None,
        all_hours: pattern == Pattern::Regular && rng.chance(0.25),
        seed: rng.next_u64(),
    }
}

/// A uniform number in `[0, 1)` from 64 random bits.
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Write the access log of the two years, day by day, and of the grants
/// made before them their first `unused_months` (the longest `grant_unused`
/// window of the profiles in use, JC Art.31), so that whether they were
/// used in time can be judged; `None`: nothing before the two years.
pub fn write(
    ctx: &Ctx,
    grants: &[Grant],
    unused_months: Option<u32>,
    w: &mut TableWriter,
) -> Result<(), DemoError> {
    // Per grant: first and last day it may be used (exclusive of the day
    // of granting and of the day it ends).
    let windows: Vec<(NaiveDate, NaiveDate)> = grants
        .iter()
        .map(|g| {
            let first = g.granted.date() + TimeDelta::days(1);
            let last = match g.usage.overrun_until {
                Some(d) => d,
                None => g.end().date() - TimeDelta::days(1),
            };
            let last = match (g.usage.pattern, g.usage.burst_until) {
                (Pattern::Burst, Some(b)) if g.usage.overrun_until.is_none() => last.min(b),
                _ => last,
            };
            (first, last)
        })
        .collect();
    // Per grant made before the two years: the end of its first-use window
    // (exclusive); the log holds its use before the years only until then.
    let early: Vec<Option<NaiveDate>> = grants
        .iter()
        .map(|g| {
            let months = unused_months.filter(|_| g.granted.date() < ctx.start)?;
            let until = g.granted.checked_add_months(Months::new(months))?;
            Some(until.date().min(ctx.start))
        })
        .collect();
    // Grants that are ever called in the log, by the first day of their
    // window; the ones whose window contains the day are `active`.
    let mut by_first: Vec<u32> = (0..grants.len() as u32)
        .filter(|&gi| {
            let (first, last) = windows[gi as usize];
            grants[gi as usize].usage.pattern != Pattern::Never
                && first <= last
                && (last >= ctx.start || early[gi as usize].is_some_and(|u| first < u))
                && first <= ctx.year_last
        })
        .collect();
    by_first.sort_by_key(|&gi| (windows[gi as usize].0, gi));
    let mut next = 0;
    let mut active: Vec<u32> = Vec::new();
    let mut rows: Vec<(u32, u32, u32)> = Vec::new();
    let mut day = by_first
        .first()
        .map_or(ctx.start, |&gi| windows[gi as usize].0.min(ctx.start));
    while day <= ctx.year_last {
        // Days since the history began: the per-day draws of a grant do not
        // depend on where the log starts.
        let day_no = (day - ctx.history_start).num_days() as u64;
        let working = ctx.wd.is_working(day);
        rows.clear();
        while next < by_first.len() && windows[by_first[next] as usize].0 <= day {
            active.push(by_first[next]);
            next += 1;
        }
        active.retain(|&gi| windows[gi as usize].1 >= day);
        for &gi in &active {
            let gi = gi as usize;
            if day < ctx.start && early[gi].is_none_or(|until| day >= until) {
                continue;
            }
            let g = &grants[gi];
            let u = &g.usage;
            let h = mix(u.seed, day_no);
            let overrun = u.overrun_until.is_some() && day >= g.end().date();
            let pattern = if overrun { Pattern::Regular } else { u.pattern };
            let p = match pattern {
                Pattern::Regular if working => 0.88,
                Pattern::Regular if u.all_hours => 0.7,
                Pattern::Regular => 0.06,
                Pattern::Burst if u.burst_until.is_some_and(|b| day > b) => 0.0,
                Pattern::Burst if working => 0.75,
                Pattern::Burst => 0.05,
                Pattern::Batch => {
                    if (day_no + u64::from(u.phase)) % u64::from(u.period) == 0 {
                        0.92
                    } else {
                        0.0
                    }
                }
                Pattern::Sporadic if working => 0.05,
                Pattern::Sporadic => 0.01,
                Pattern::Never => 0.0,
            };
            // Below one row per active day, fewer days of regular use are
            // active instead.
            let lambda = f64::from(u.rows_per_day);
            let thin = if pattern == Pattern::Regular {
                lambda.min(1.0)
            } else {
                1.0
            };
            if unit(h) >= p * thin {
                continue;
            }
            let mut r = Rng::new(h);
            let extra = (lambda - 1.0).max(0.0);
            let (k, median_calls) = match pattern {
                Pattern::Batch => (1 + r.below(2) as u32, 200.0),
                Pattern::Sporadic => (1 + r.poisson(0.3 * extra), 3.0),
                Pattern::Burst => (1 + r.poisson(extra), 20.0),
                _ => (1 + r.poisson(extra), 8.0),
            };
            for _ in 0..k {
                let secs = if u.all_hours || pattern == Pattern::Batch && r.chance(0.6) {
                    r.below(86_400) as u32
                } else {
                    office_secs(&mut r)
                };
                let calls = r.lognormal(median_calls, 1.0).round().max(1.0) as u32;
                rows.push((secs, gi as u32, calls));
            }
        }
        rows.sort_unstable();
        // One row per grant and second: merge the rare collisions.
        rows.dedup_by(|later, kept| {
            if later.0 == kept.0 && later.1 == kept.1 {
                kept.2 += later.2;
                true
            } else {
                false
            }
        });
        for &(secs, gi, calls) in &rows {
            w.str(&grants[gi as usize].id);
            w.time(at(day, secs));
            w.int(i64::from(calls));
            w.end_row()?;
        }
        day = day.succ_opt().expect("valid date");
    }
    Ok(())
}
