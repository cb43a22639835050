//! `corrections` (校核), in each of the two years covered: a using
//! department disputes an entry's data and the owner must resolve it within
//! its profile's `correction` limit (JC Art.32, YK Art.23, XX Art.18; the
//! bureau's measure where the text sets none, PDS and KF). Where the profile
//! allows an extension (XX Art.18, with the head's consent) 45 % of the
//! corrections are extended. 6 % stay unresolved, 10 % are resolved late
//! (40 % at departments that are slow at it), the rest on time; resolved
//! ones are `corrected` (65 %) or `confirmed` (35 %, the data was right).

use super::catalog::Catalog;
use super::clock::{at, office_secs, office_time_after};
use super::org::Org;
use super::rng::{Cumulative, Rng};
use super::writer::TableWriter;
use super::{Ctx, DemoError};
use crate::vocab::CorrectionOutcome;

struct Correction {
    entry: u32,
    raised_by: usize,
    raised: chrono::NaiveDateTime,
    extended: Option<(chrono::NaiveDateTime, u32)>,
    resolved: Option<chrono::NaiveDateTime>,
    outcome: Option<CorrectionOutcome>,
}

/// Generate and write the corrections, year by year; returns, per year
/// covered (like [`Ctx::spans`]), the late resolutions per owning department.
pub fn write(
    ctx: &Ctx,
    org: &Org,
    catalog: &Catalog,
    w: &mut TableWriter,
) -> Result<[Vec<u32>; 2], DemoError> {
    let mut rng = Rng::stream(ctx.seed, "corrections", 0);
    let mut late_per_year = [
        vec![0u32; org.departments.len()],
        vec![0u32; org.departments.len()],
    ];
    for (span, late) in ctx.spans.iter().zip(late_per_year.iter_mut()) {
        let mut all = Vec::new();
        let jan2 = span.day(1, 2);
        let dec24 = span.day(12, 24);
        for city in org.cities() {
            let depts = org.city_departments(city);
            let ids: Vec<u32> = depts
                .iter()
                .flat_map(|&d| catalog.by_dept[d].iter().copied())
                .collect();
            let popular =
                Cumulative::new(ids.iter().map(|&e| catalog.entries[e as usize].popularity));
            let own_measures: Vec<u32> = ids
                .iter()
                .copied()
                .filter(|&e| {
                    org.rules_of(catalog.entries[e as usize].dept)
                        .extension_max_wd
                        .is_some()
                })
                .collect();
            for _ in 0..ctx.count_in(span, ctx.params.corrections_per_city) {
                let day = ctx.wd.random_in(&mut rng, jan2, dec24).unwrap_or(jan2);
                let raised = at(day, office_secs(&mut rng));
                let mut e = ids[0];
                for _ in 0..50 {
                    e = if !own_measures.is_empty() && rng.chance(0.1) {
                        *rng.pick(&own_measures)
                    } else {
                        ids[popular.sample(&mut rng)]
                    };
                    if catalog.entries[e as usize].live_at(raised) {
                        break;
                    }
                }
                let owner = catalog.entries[e as usize].dept;
                let raised_by = loop {
                    let d = *rng.pick(&depts);
                    if d != owner {
                        break d;
                    }
                };
                let rules = org.rules_of(owner);
                let base = rules.correction_wd;
                let extended = match rules.extension_max_wd {
                    Some(max) if rng.chance(0.45) => {
                        let k = 1 + rng.below(u64::from(base - 1)) as u32;
                        let t = office_time_after(&mut rng, ctx.wd.add(day, k), raised);
                        Some((t, 3 + rng.below(u64::from(max - 2)) as u32, k))
                    }
                    _ => None,
                };
                let limit = base + extended.map_or(0, |x| x.1);
                let slow = org.departments[owner].traits.slow_corrections;
                let x = rng.f64();
                let k = if x < 0.06 {
                    None
                } else if x < 0.06 + if slow { 0.4 } else { 0.1 } {
                    Some(limit + 1 + rng.below(10) as u32)
                } else {
                    let lo = extended.map_or(0, |x| x.2);
                    Some(
                        lo + ((rng.f64().powi(2) * f64::from(limit - lo + 1)) as u32)
                            .min(limit - lo),
                    )
                };
                let after = extended.map_or(raised, |x| x.0);
                let resolved = k
                    .map(|k| office_time_after(&mut rng, ctx.wd.add(day, k), after))
                    .filter(|&t| t <= ctx.year_end);
                if let Some(t) = resolved {
                    if ctx.wd.between(day, t.date()) > limit {
                        late[owner] += 1;
                    }
                }
                let outcome = resolved.map(|_| {
                    if rng.chance(0.65) {
                        CorrectionOutcome::Corrected
                    } else {
                        CorrectionOutcome::Confirmed
                    }
                });
                all.push(Correction {
                    entry: e,
                    raised_by,
                    raised,
                    extended: extended.map(|x| (x.0, x.1)),
                    resolved,
                    outcome,
                });
            }
        }
        all.sort_by(|a, b| a.raised.cmp(&b.raised).then(a.entry.cmp(&b.entry)));
        let width = if all.len() >= 100_000 { 6 } else { 5 };
        for (i, c) in all.iter().enumerate() {
            w.str(&format!("COR-{}-{:0width$}", span.year, i + 1));
            w.str(&catalog.entries[c.entry as usize].id);
            w.str(&org.departments[c.raised_by].id);
            w.time(c.raised);
            w.opt_time(c.extended.map(|x| x.0));
            w.opt_int(c.extended.map(|x| i64::from(x.1)));
            w.opt_time(c.resolved);
            w.opt_str(c.outcome.map(CorrectionOutcome::as_str));
            w.end_row()?;
        }
    }
    Ok(late_per_year)
}
