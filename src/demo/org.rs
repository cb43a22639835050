//! Jurisdictions and departments: the cities and their counties, districts
//! and zones, each with its authority and its departments, their credit
//! codes (GB 32100) and the habits that make some of them late.

use std::collections::BTreeSet;

use super::names::{self, AUTHORITY, CITIES, CITY_DEPTS, COUNTY_DEPT_KEYS, DeptKind, ZONE_DEPTS};
use super::rng::Rng;
use super::{DemoError, ScaleParams};
use crate::identifiers::{credit_code_check_char, organization_code_check_char};
use crate::rules::{ClockStart, DeadlineKey, DeadlineKind, DeadlineRule, Profile, Profiles};
use crate::vocab::JurisdictionLevel;

/// The pace of an authority's review of a share request where its
/// regulation sets no limit (all but JC): the platform's habit, which no
/// text makes a deadline.
pub const REVIEW_PACE_WD: u32 = 2;

/// The pace of an answer to an open-data application not answered on the
/// spot where the regulation sets no limit (all but YK): the departments'
/// habit, not a deadline.
pub const OPEN_ANSWER_PACE_WD: u32 = 10;

/// The deadlines of a regulation profile that the generator needs to make
/// events really on time or really late (RULES.md §1), read from the loaded
/// profile ([`Profiles::builtin`]): no number of a regulation is repeated
/// here.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// Profile name (interchange `jurisdictions.profile`).
    pub profile: &'static str,
    /// Authority's compliance review of a share request (`review`, JC
    /// Art.30), counted from the submission; `None` where not regulated.
    pub review_wd: Option<u32>,
    /// Provider's answer when the data is already published
    /// ([`Profile::reply_conditional`]).
    pub reply_published_wd: u32,
    /// Provider's answer when the data must first be published.
    pub reply_unpublished_wd: u32,
    /// Whether the answer is counted from the forwarding (JC) rather than
    /// from the submission (or the receipt, which is the submission where
    /// the user applies to the provider: YK Art.20, as the metrics count it).
    pub reply_from_forwarding: bool,
    /// Catalog updated after a law revision or duty change (`catalog_update`,
    /// from the change's publication).
    pub catalog_update_wd: u32,
    /// Correction (校核) of disputed data (`correction`, the bureau's measure
    /// where the text sets none).
    pub correction_wd: u32,
    /// Extension of a correction with the head's consent (XX Art.18).
    pub extension_max_wd: Option<u32>,
    /// Answer to an open-data application that is not answered on the spot
    /// (`open_application`); `None` where not regulated.
    pub open_answer_wd: Option<u32>,
    /// Months after which an unused grant may be revoked (`grant_unused`,
    /// JC Art.31); `None` where not regulated.
    pub grant_unused_months: Option<u32>,
}

impl Deadlines {
    /// The authority's review pace: the regulated limit, else the habit.
    pub fn review_pace_wd(&self) -> u32 {
        self.review_wd.unwrap_or(REVIEW_PACE_WD)
    }

    /// The pace of an open-data answer: the regulated limit, else the habit.
    pub fn open_answer_pace_wd(&self) -> u32 {
        self.open_answer_wd.unwrap_or(OPEN_ANSWER_PACE_WD)
    }
}

/// Why the demo cannot generate for a profile.
fn unsupported(profile: &str, reason: impl Into<String>) -> DemoError {
    DemoError::Profile {
        profile: profile.to_string(),
        reason: reason.into(),
    }
}

/// The working days of a rule the demo needs; an error naming the profile
/// and the key when the rule is missing or not counted in working days.
fn working_days(
    profile: &str,
    key: DeadlineKey,
    rule: Option<&DeadlineRule>,
) -> Result<u32, DemoError> {
    let rule = rule.ok_or_else(|| unsupported(profile, format!("it does not regulate `{key}`")))?;
    rule.working_day_limit().ok_or_else(|| {
        unsupported(
            profile,
            format!("`{key}` is `{}`, not counted in working days", rule.kind),
        )
    })
}

/// Whether a request rule's clock starts at the forwarding (true) or at the
/// submission (false; the receipt is the submission where the user applies
/// to the provider, as the metrics count it); an error for clocks a share
/// request does not record.
fn counts_from_forwarding(profile: &str, rule: &DeadlineRule) -> Result<bool, DemoError> {
    match rule.from {
        Some(ClockStart::Forwarding) => Ok(true),
        Some(ClockStart::Submission | ClockStart::Receipt) | None => Ok(false),
        Some(
            from @ (ClockStart::Event
            | ClockStart::Publication
            | ClockStart::Grant
            | ClockStart::Notice
            | ClockStart::Record
            | ClockStart::QuarterStart),
        ) => Err(unsupported(
            profile,
            format!(
                "`{}` counts from `{from}`, which a share request does not record",
                rule.key
            ),
        )),
    }
}

/// The deadlines of `profile`, from the built-in profiles.
pub fn deadlines(profile: &'static str) -> Result<Deadlines, DemoError> {
    let p = Profiles::builtin()
        .by_id(profile)
        .ok_or_else(|| unsupported(profile, "no such regulation profile"))?;
    deadlines_of(profile, p)
}

/// The deadlines the demo needs from a loaded profile.
pub fn deadlines_of(profile: &'static str, p: &Profile) -> Result<Deadlines, DemoError> {
    // The requester's authority reviews from the submission (JC Art.30(1)).
    let review_wd = match p.deadline(DeadlineKey::Review) {
        None => None,
        Some(rule) if counts_from_forwarding(profile, rule)? => {
            return Err(unsupported(profile, "`review` counts from the forwarding"));
        }
        rule => Some(working_days(profile, DeadlineKey::Review, rule)?),
    };
    // The provider's answer: JC's variants for published and unpublished
    // data, else the general rule.
    let reply = |published: bool| -> Result<(u32, bool), DemoError> {
        let rule = p.reply_conditional(published);
        let wd = working_days(profile, DeadlineKey::ReplyConditional, rule)?;
        let rule = rule.expect("working_days rejects a missing rule");
        Ok((wd, counts_from_forwarding(profile, rule)?))
    };
    let (reply_published_wd, reply_from_forwarding) = reply(true)?;
    let (reply_unpublished_wd, unpublished_from_forwarding) = reply(false)?;
    if reply_from_forwarding != unpublished_from_forwarding {
        return Err(unsupported(
            profile,
            "its replies for published and unpublished data count from different clocks",
        ));
    }
    // The catalog is updated after the duty change's publication.
    let update = p.deadline(DeadlineKey::CatalogUpdate);
    let catalog_update_wd = working_days(profile, DeadlineKey::CatalogUpdate, update)?;
    match update.and_then(|r| r.from) {
        Some(ClockStart::Event | ClockStart::Publication) | None => {}
        Some(
            from @ (ClockStart::Submission
            | ClockStart::Receipt
            | ClockStart::Forwarding
            | ClockStart::Grant
            | ClockStart::Notice
            | ClockStart::Record
            | ClockStart::QuarterStart),
        ) => {
            return Err(unsupported(
                profile,
                format!("`catalog_update` counts from `{from}`, not from the duty change"),
            ));
        }
    }
    let correction = p.deadline(DeadlineKey::Correction);
    let correction_wd = working_days(profile, DeadlineKey::Correction, correction)?;
    let extension_max_wd = correction.and_then(|r| r.extension_working_days);
    // YK Art.29: on the spot, else within its working days.
    let open_answer_wd = match p.deadline(DeadlineKey::OpenApplication) {
        None => None,
        Some(rule) if rule.kind == DeadlineKind::OnTheSpot => rule.working_days,
        rule => Some(working_days(profile, DeadlineKey::OpenApplication, rule)?),
    };
    let grant_unused_months = p
        .deadline(DeadlineKey::GrantUnused)
        .and_then(|r| r.month_limit());
    Ok(Deadlines {
        profile,
        review_wd,
        reply_published_wd,
        reply_unpublished_wd,
        reply_from_forwarding,
        catalog_update_wd,
        correction_wd,
        extension_max_wd,
        open_answer_wd,
        grant_unused_months,
    })
}

/// Profiles of the cities of a province, in turn (the first city is 云州市).
const CITY_PROFILES: [&str; 3] = ["jincheng", "yingkou", "pingdingshan"];

/// A city, county, district or zone.
#[derive(Debug, Clone)]
pub struct Jurisdiction {
    /// Interchange id, `JUR-<division code>`.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Short name for compound names (e.g. 云州高新区).
    pub short: String,
    /// City, county, district or zone.
    pub level: JurisdictionLevel,
    /// Parent jurisdiction (the city of a county).
    pub parent: Option<usize>,
    /// Own profile, if any (`None`: inherits the city's).
    pub profile: Option<&'static str>,
    /// 6-digit administrative division code.
    pub code: u32,
    /// Index of the city this jurisdiction belongs to (itself for a city).
    pub city: usize,
    /// Deadlines of the governing (own or inherited) profile.
    pub rules: Deadlines,
}

/// Habits of a department that the generator turns into late or missing events.
#[derive(Debug, Clone, Copy, Default)]
pub struct Traits {
    /// Answers conditional share requests late (late replies concentrate here).
    pub slow_replier: bool,
    /// Refuses without giving a reason more often.
    pub careless_refusals: bool,
    /// Lets data fall behind its update cycle.
    pub stale_data: bool,
    /// Skips the quarterly full catalog maintenance.
    pub skips_maintenance: bool,
    /// Catalogs sloppily: missing share bases, unapproved withdrawals,
    /// late or missing updates after duty changes.
    pub sloppy_catalog: bool,
    /// Resolves corrections late.
    pub slow_corrections: bool,
}

impl Traits {
    /// How many bad habits the department has.
    pub fn count(&self) -> usize {
        [
            self.slow_replier,
            self.careless_refusals,
            self.stale_data,
            self.skips_maintenance,
            self.sloppy_catalog,
            self.slow_corrections,
        ]
        .iter()
        .filter(|&&b| b)
        .count()
    }
}

/// A department.
#[derive(Debug, Clone)]
pub struct Department {
    /// Interchange id, `DEP-<division code>-<nnn>`.
    pub id: String,
    /// Full Chinese name.
    pub name: String,
    /// Index of its jurisdiction.
    pub jur: usize,
    /// 统一社会信用代码 (empty for internal bureaus of a zone committee).
    pub credit_code: Option<String>,
    /// Whether this is the jurisdiction's data authority.
    pub is_authority: bool,
    /// What kind of department it is (its resources).
    pub kind: &'static DeptKind,
    /// Its habits.
    pub traits: Traits,
    /// Relative size of its catalog and of its share activity.
    pub weight: f64,
}

/// All jurisdictions and departments, plus each city's inspectors.
#[derive(Debug, Clone)]
pub struct Org {
    /// Jurisdictions; cities first in each city block.
    pub jurisdictions: Vec<Jurisdiction>,
    /// Departments, grouped by jurisdiction.
    pub departments: Vec<Department>,
    /// Inspectors of each city's authority, indexed by city jurisdiction.
    pub inspectors: Vec<(usize, Vec<String>)>,
}

impl Org {
    /// Departments of the city with jurisdiction index `city`.
    pub fn city_departments(&self, city: usize) -> Vec<usize> {
        (0..self.departments.len())
            .filter(|&d| self.jurisdictions[self.departments[d].jur].city == city)
            .collect()
    }

    /// Indices of the city jurisdictions.
    pub fn cities(&self) -> Vec<usize> {
        (0..self.jurisdictions.len())
            .filter(|&j| self.jurisdictions[j].parent.is_none())
            .collect()
    }

    /// The longest `grant_unused` window of the profiles in use, in months.
    pub fn grant_unused_months(&self) -> Option<u32> {
        self.jurisdictions
            .iter()
            .filter_map(|j| j.rules.grant_unused_months)
            .max()
    }

    /// Deadlines governing a department.
    pub fn rules_of(&self, dept: usize) -> &Deadlines {
        &self.jurisdictions[self.departments[dept].jur].rules
    }

    /// The inspectors of a city.
    pub fn inspectors_of(&self, city: usize) -> &[String] {
        self.inspectors
            .iter()
            .find(|(c, _)| *c == city)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    }
}

fn kind(key: &str) -> &'static DeptKind {
    CITY_DEPTS
        .iter()
        .find(|k| k.key == key)
        .unwrap_or_else(|| panic!("unknown department kind {key}"))
}

/// How a credit code's organisation-code body looks.
#[derive(Debug, Clone, Copy)]
pub enum CodeStyle {
    /// Eight digits, as issued to government organs and institutions.
    Digits,
    /// `MA` plus six characters, as issued to enterprises since 2015.
    Enterprise,
}

/// A valid unified social credit code: `prefix` (registration authority and
/// category, e.g. `11` organ, `12` institution, `91` enterprise), the
/// 6-digit division code, a 9-character organisation code with its GB 11714
/// check character, and the GB 32100 MOD 31 check character.
pub fn credit_code(rng: &mut Rng, prefix: &str, division: u32, style: CodeStyle) -> String {
    const BODY: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let body: String = match style {
        CodeStyle::Digits => format!("{:08}", rng.below(100_000_000)),
        CodeStyle::Enterprise => {
            let mut s = String::from("MA");
            for _ in 0..6 {
                s.push(BODY[rng.below(BODY.len() as u64) as usize] as char);
            }
            s
        }
    };
    let org_check = organization_code_check_char(&body).expect("valid organisation code body");
    let first17 = format!("{prefix}{division:06}{body}{org_check}");
    let check = credit_code_check_char(&first17).expect("valid credit code body");
    format!("{first17}{check}")
}

fn level_factor(level: JurisdictionLevel) -> f64 {
    match level {
        JurisdictionLevel::City => 2.2,
        JurisdictionLevel::District => 1.0,
        JurisdictionLevel::County => 0.9,
        JurisdictionLevel::Zone => 0.55,
    }
}

/// Build the jurisdictions and departments of the demo; an error when a
/// profile the places use cannot be generated for.
pub fn build(seed: u64, params: &ScaleParams) -> Result<Org, DemoError> {
    let mut rng = Rng::stream(seed, "org", 0);
    let mut jurisdictions: Vec<Jurisdiction> = Vec::new();
    let mut departments: Vec<Department> = Vec::new();
    let mut inspectors = Vec::new();
    let mut used_codes = BTreeSet::new();
    let mut used_county_names: BTreeSet<String> = BTreeSet::new();
    let mut used_inspectors: BTreeSet<String> = BTreeSet::new();

    for (ci, city) in CITIES.iter().enumerate().take(params.cities) {
        let city_idx = jurisdictions.len();
        let profile = CITY_PROFILES[ci % CITY_PROFILES.len()];
        jurisdictions.push(Jurisdiction {
            id: format!("JUR-{}", city.code),
            name: city.name.to_string(),
            short: city.short.to_string(),
            level: JurisdictionLevel::City,
            parent: None,
            profile: Some(profile),
            code: city.code,
            city: city_idx,
            rules: deadlines(profile)?,
        });
        // Counties, districts and the zone.
        let counties: Vec<(String, String, JurisdictionLevel, u32)> = if ci == 0 {
            let picked: Vec<usize> = if params.counties_per_city >= names::YUNZHOU_COUNTIES.len() {
                (0..names::YUNZHOU_COUNTIES.len()).collect()
            } else {
                // A district, the county with its own measures, the zone, then the rest.
                let mut order = vec![0, 2, 9, 1, 3, 4, 5, 6, 7, 8];
                order.truncate(params.counties_per_city);
                order.sort_unstable();
                order
            };
            picked
                .into_iter()
                .map(|i| {
                    let (name, level, suffix) = names::YUNZHOU_COUNTIES[i];
                    let short = if level == JurisdictionLevel::Zone {
                        "云州高新区".to_string()
                    } else {
                        name.to_string()
                    };
                    (name.to_string(), short, level, city.code + suffix)
                })
                .collect()
        } else {
            let mut v = Vec::new();
            let n = params.counties_per_city;
            for i in 0..n {
                let (level, suffix) = if i + 1 == n {
                    (JurisdictionLevel::Zone, 71)
                } else if i < 2 {
                    (JurisdictionLevel::District, 2 + i as u32)
                } else {
                    (JurisdictionLevel::County, 21 + (i as u32 - 2))
                };
                if level == JurisdictionLevel::Zone {
                    v.push((
                        format!("{}经济技术开发区", city.short),
                        format!("{}经开区", city.short),
                        level,
                        city.code + suffix,
                    ));
                    continue;
                }
                let name = loop {
                    let base = format!(
                        "{}{}",
                        rng.pick(names::COUNTY_CHAR1),
                        rng.pick(names::COUNTY_CHAR2)
                    );
                    if used_county_names.insert(base.clone()) {
                        break base;
                    }
                };
                let full = format!(
                    "{name}{}",
                    if level == JurisdictionLevel::District {
                        "区"
                    } else {
                        "县"
                    }
                );
                v.push((full.clone(), full, level, city.code + suffix));
            }
            v
        };
        let mut jur_of_city = vec![city_idx];
        for (name, short, level, code) in counties {
            let own = (name == names::XINXIAN_COUNTY).then_some("xinxian");
            jur_of_city.push(jurisdictions.len());
            jurisdictions.push(Jurisdiction {
                id: format!("JUR-{code}"),
                name,
                short,
                level,
                parent: Some(city_idx),
                profile: own,
                code,
                city: city_idx,
                rules: deadlines(own.unwrap_or(profile))?,
            });
        }

        // Departments of each jurisdiction of this city.
        for &j in &jur_of_city {
            let jur = jurisdictions[j].clone();
            let mut seq = 0;
            let mut push = |name: String,
                            kind: &'static DeptKind,
                            is_authority: bool,
                            category: Option<&str>,
                            rng: &mut Rng| {
                seq += 1;
                let credit_code = category.map(|cat| {
                    loop {
                        let c = credit_code(rng, cat, jur.code, CodeStyle::Digits);
                        if used_codes.insert(c.clone()) {
                            break c;
                        }
                    }
                });
                let weight = kind.richness * level_factor(jur.level) * rng.lognormal(1.0, 0.25);
                departments.push(Department {
                    id: format!("DEP-{}-{seq:03}", jur.code),
                    name,
                    jur: j,
                    credit_code,
                    is_authority,
                    kind,
                    traits: Traits::default(),
                    weight,
                });
            };
            let city_name = city.name;
            match jur.level {
                JurisdictionLevel::City => {
                    push(
                        format!("{city_name}{}", AUTHORITY.city),
                        &AUTHORITY,
                        true,
                        Some("11"),
                        &mut rng,
                    );
                    for k in CITY_DEPTS.iter().take(params.city_depts) {
                        let name = if k.key == "shuiwu" {
                            format!("国家税务总局{city_name}税务局")
                        } else {
                            format!("{city_name}{}", k.city)
                        };
                        push(name, k, false, Some(k.category), &mut rng);
                    }
                }
                JurisdictionLevel::Zone => {
                    push(
                        format!("{}政务服务局", jur.short),
                        &AUTHORITY,
                        true,
                        Some("11"),
                        &mut rng,
                    );
                    for (zname, key) in ZONE_DEPTS.iter().take(params.county_depts) {
                        // Internal bureaus of the zone committee mostly have no
                        // legal personality of their own, hence no credit code.
                        let cat = if rng.chance(0.3) { Some("11") } else { None };
                        push(
                            format!("{}{zname}", jur.short),
                            kind(key),
                            false,
                            cat,
                            &mut rng,
                        );
                    }
                }
                level @ (JurisdictionLevel::County | JurisdictionLevel::District) => {
                    let district = level == JurisdictionLevel::District;
                    let (aname, acat) = if district {
                        ("政务服务和大数据管理局", "11")
                    } else {
                        ("大数据发展中心", "12")
                    };
                    push(
                        format!("{}{aname}", jur.name),
                        &AUTHORITY,
                        true,
                        Some(acat),
                        &mut rng,
                    );
                    let bare = jur
                        .name
                        .trim_end_matches('区')
                        .trim_end_matches('县')
                        .to_string();
                    for key in COUNTY_DEPT_KEYS.iter().take(params.county_depts) {
                        let k = kind(key);
                        let name = match *key {
                            "gongan" if district => format!("{city_name}公安局{bare}分局"),
                            "shuiwu" if district => {
                                format!("国家税务总局{city_name}{}税务局", jur.name)
                            }
                            "shuiwu" => format!("国家税务总局{}税务局", jur.name),
                            "shengtai" => format!("{city_name}生态环境局{bare}分局"),
                            _ => format!("{}{}", jur.name, k.county),
                        };
                        push(name, k, false, Some(k.category), &mut rng);
                    }
                }
            }
        }

        // Habits: a few departments per city are late, concentrated.
        let depts: Vec<usize> = (0..departments.len())
            .filter(|&d| {
                jurisdictions[departments[d].jur].city == city_idx && !departments[d].is_authority
            })
            .collect();
        for &d in &depts {
            let t = &mut departments[d].traits;
            t.slow_replier = rng.chance(0.06);
            t.careless_refusals = rng.chance(0.08);
            t.stale_data = rng.chance(0.10);
            t.skips_maintenance = rng.chance(0.12);
            t.sloppy_catalog = rng.chance(0.10);
            t.slow_corrections = rng.chance(0.10);
        }
        // Two large city-level departments answer late: they carry most
        // of the late tail. Each habit exists at least once per city.
        let mut big: Vec<usize> = depts
            .iter()
            .copied()
            .filter(|&d| jurisdictions[departments[d].jur].level == JurisdictionLevel::City)
            .collect();
        big.sort_by(|&a, &b| departments[b].weight.total_cmp(&departments[a].weight));
        let pick_from =
            |rng: &mut Rng, pool: &[usize]| pool[rng.below(pool.len().min(6) as u64) as usize];
        for _ in 0..2 {
            let d = pick_from(&mut rng, &big);
            departments[d].traits.slow_replier = true;
        }
        let d = pick_from(&mut rng, &big);
        departments[d].traits.careless_refusals = true;
        for setter in [
            (|t: &mut Traits| t.stale_data = true) as fn(&mut Traits),
            |t| t.skips_maintenance = true,
            |t| t.sloppy_catalog = true,
            |t| t.slow_corrections = true,
        ] {
            let d = *rng.pick(&depts);
            setter(&mut departments[d].traits);
        }

        // The authority's inspectors.
        let mut names_of_city = Vec::new();
        while names_of_city.len() < 8 {
            let n = format!(
                "{}{}",
                rng.pick(names::SURNAMES),
                rng.pick(names::GIVEN_NAMES)
            );
            if used_inspectors.insert(n.clone()) {
                names_of_city.push(n);
            }
        }
        inspectors.push((city_idx, names_of_city));
    }

    Ok(Org {
        jurisdictions,
        departments,
        inspectors,
    })
}
