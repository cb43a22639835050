//! `open_applications` (依申请开放, YK Art.29), in each of the two years
//! covered: applications by citizens (62 %, identified by a valid GB 11643
//! citizen identity number) and organisations (38 %, a valid GB 32100
//! credit code) for entries open on application. 72 % are answered on the
//! spot; the others within the profile's `open_application` limit (YK:
//! 10 working days) or, where no regulation sets one, at the departments'
//! pace ([`OPEN_ANSWER_PACE_WD`]), except 12 % answered later and 5 % never
//! answered. Answers approve 80 % (92 % on the spot).

use chrono::{NaiveDate, TimeDelta};

use super::catalog::Catalog;
use super::clock::{at, office_secs, office_time_after, plus_secs};
#[cfg(doc)]
use super::org::OPEN_ANSWER_PACE_WD;
use super::org::{CodeStyle, Org, credit_code};
use super::rng::{Cumulative, Rng};
use super::writer::TableWriter;
use super::{Ctx, DemoError};
use crate::identifiers::citizen_id_check_char;
use crate::vocab::{ApplicantKind, Decision, JurisdictionLevel, OpenType};

/// Region codes of applicants from elsewhere (real format, various provinces).
const OTHER_REGIONS: [u32; 10] = [
    110105, 310115, 440305, 330106, 510107, 420106, 610113, 370102, 140105, 410105,
];

/// A valid citizen identity number: region, birth date, sequence, check.
pub fn citizen_id(rng: &mut Rng, region: u32) -> String {
    let first = NaiveDate::from_ymd_opt(1950, 1, 1).expect("date");
    let birth = first + TimeDelta::days(rng.range(0, 20_450));
    let first17 = format!(
        "{region:06}{}{:03}",
        birth.format("%Y%m%d"),
        rng.below(1000)
    );
    let check = citizen_id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

struct Application {
    entry: u32,
    kind: ApplicantKind,
    code: String,
    submitted: chrono::NaiveDateTime,
    on_the_spot: bool,
    answered: Option<chrono::NaiveDateTime>,
    decision: Decision,
}

/// Generate and write the open-data applications, year by year.
pub fn write(
    ctx: &Ctx,
    org: &Org,
    catalog: &Catalog,
    w: &mut TableWriter,
) -> Result<(), DemoError> {
    let mut rng = Rng::stream(ctx.seed, "open_applications", 0);
    for span in &ctx.spans {
        let mut all = Vec::new();
        for city in org.cities() {
            let depts = org.city_departments(city);
            let ids: Vec<u32> = depts
                .iter()
                .flat_map(|&d| catalog.by_dept[d].iter().copied())
                .filter(|&e| catalog.entries[e as usize].open == OpenType::OnApplication)
                .collect();
            if ids.is_empty() {
                continue;
            }
            let sampler = Cumulative::new(
                ids.iter()
                    .map(|&e| catalog.entries[e as usize].popularity.sqrt()),
            );
            let regions: Vec<u32> = org
                .jurisdictions
                .iter()
                .filter(|j| j.city == city && j.level != JurisdictionLevel::Zone)
                .map(|j| j.code)
                .collect();
            for _ in 0..ctx.count_in(span, ctx.params.open_apps_per_city) {
                let day = if rng.chance(0.9) {
                    ctx.wd
                        .random_in(&mut rng, span.first, span.last)
                        .unwrap_or(span.first)
                } else {
                    span.first + TimeDelta::days(rng.range(0, (span.last - span.first).num_days()))
                };
                let submitted = at(day, office_secs(&mut rng));
                let mut e = ids[0];
                for _ in 0..50 {
                    e = ids[sampler.sample(&mut rng)];
                    if catalog.entries[e as usize].live_at(submitted) {
                        break;
                    }
                }
                let kind = if rng.chance(0.62) {
                    ApplicantKind::Person
                } else {
                    ApplicantKind::Organisation
                };
                let code = if kind == ApplicantKind::Person {
                    let region = if rng.chance(0.6) {
                        *rng.pick(&regions)
                    } else {
                        *rng.pick(&OTHER_REGIONS)
                    };
                    citizen_id(&mut rng, region)
                } else {
                    let prefix = ["91", "92", "52", "12"][rng.weighted(&[80.0, 10.0, 5.0, 5.0])];
                    let style = if prefix.starts_with('9') {
                        CodeStyle::Enterprise
                    } else {
                        CodeStyle::Digits
                    };
                    let region = *rng.pick(&regions);
                    credit_code(&mut rng, prefix, region, style)
                };
                let on_the_spot = rng.chance(0.72);
                let (answered, decision) = if on_the_spot {
                    let t =
                        plus_secs(&mut rng, submitted, 120, 2_400).min(ctx.year_end.max(submitted));
                    (
                        Some(t),
                        if rng.chance(0.92) {
                            Decision::Approved
                        } else {
                            Decision::Refused
                        },
                    )
                } else {
                    let limit = org
                        .rules_of(catalog.entries[e as usize].dept)
                        .open_answer_pace_wd();
                    let x = rng.f64();
                    let k = if x < 0.05 {
                        None
                    } else if x < 0.17 {
                        Some(limit + 1 + rng.below(15) as u32)
                    } else {
                        Some(1 + rng.below(u64::from(limit)) as u32)
                    };
                    match k
                        .map(|k| office_time_after(&mut rng, ctx.wd.add(day, k), submitted))
                        .filter(|&t| t <= ctx.year_end)
                    {
                        Some(t) => (
                            Some(t),
                            if rng.chance(0.8) {
                                Decision::Approved
                            } else {
                                Decision::Refused
                            },
                        ),
                        None => (None, Decision::Pending),
                    }
                };
                all.push(Application {
                    entry: e,
                    kind,
                    code,
                    submitted,
                    on_the_spot,
                    answered,
                    decision,
                });
            }
        }
        all.sort_by(|a, b| a.submitted.cmp(&b.submitted).then(a.entry.cmp(&b.entry)));
        let width = if all.len() >= 100_000 { 6 } else { 5 };
        for (i, a) in all.iter().enumerate() {
            w.str(&format!("OPA-{}-{:0width$}", span.year, i + 1));
            w.str(&catalog.entries[a.entry as usize].id);
            w.str(a.kind.as_str());
            w.str(&a.code);
            w.time(a.submitted);
            w.bool(a.on_the_spot);
            w.opt_time(a.answered);
            w.str(a.decision.as_str());
            w.end_row()?;
        }
    }
    Ok(())
}
