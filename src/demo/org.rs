//! Jurisdictions and departments: the cities and their counties, districts
//! and zones, each with its authority and its departments, their credit
//! codes (GB 32100) and the habits that make some of them late.

use std::collections::BTreeSet;

use super::ScaleParams;
use super::names::{self, AUTHORITY, CITIES, CITY_DEPTS, COUNTY_DEPT_KEYS, DeptKind, ZONE_DEPTS};
use super::rng::Rng;
use crate::identifiers::{credit_code_check_char, organization_code_check_char};

/// The deadlines of a regulation profile that the generator needs to make
/// events really on time or really late (RULES.md §1).
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// Profile name (interchange `jurisdictions.profile`).
    pub profile: &'static str,
    /// Authority's compliance review of a share request (JC Art.30: 2 wd).
    pub review_wd: Option<u32>,
    /// Provider's answer when the data is already published.
    pub reply_published_wd: u32,
    /// Provider's answer when the data must first be published.
    pub reply_unpublished_wd: u32,
    /// Whether the answer is counted from the forwarding (JC) rather than
    /// from the submission.
    pub reply_from_forwarding: bool,
    /// Catalog updated after a law revision or duty change.
    pub catalog_update_wd: u32,
    /// Correction (校核) of disputed data.
    pub correction_wd: u32,
    /// Extension of a correction with the head's consent (XX Art.18).
    pub extension_max_wd: Option<u32>,
    /// Answer to an open-data application that is not answered on the spot.
    pub open_answer_wd: u32,
}

/// Deadlines of a profile used by the demo.
pub fn deadlines(profile: &str) -> Deadlines {
    match profile {
        // XX Art.13, 18, 23.
        "xinxian" => Deadlines {
            profile: "xinxian",
            review_wd: None,
            reply_published_wd: 10,
            reply_unpublished_wd: 10,
            reply_from_forwarding: false,
            catalog_update_wd: 10,
            correction_wd: 5,
            extension_max_wd: Some(10),
            open_answer_wd: 10,
        },
        // YK Art.15, 20, 23, 29.
        "yingkou" => Deadlines {
            profile: "yingkou",
            review_wd: None,
            reply_published_wd: 5,
            reply_unpublished_wd: 5,
            // "From receipt": when the platform hands the request on.
            reply_from_forwarding: true,
            catalog_update_wd: 10,
            correction_wd: 5,
            extension_max_wd: None,
            open_answer_wd: 10,
        },
        // PDS Art.11, 18.
        "pingdingshan" => Deadlines {
            profile: "pingdingshan",
            review_wd: None,
            reply_published_wd: 5,
            reply_unpublished_wd: 5,
            reply_from_forwarding: false,
            catalog_update_wd: 10,
            correction_wd: 5,
            extension_max_wd: None,
            open_answer_wd: 10,
        },
        // JC Art.12, 30, 32.
        _ => Deadlines {
            profile: "jincheng",
            review_wd: Some(2),
            reply_published_wd: 5,
            reply_unpublished_wd: 10,
            reply_from_forwarding: true,
            catalog_update_wd: 15,
            correction_wd: 5,
            extension_max_wd: None,
            open_answer_wd: 10,
        },
    }
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
    /// `city`, `county`, `district` or `zone`.
    pub level: &'static str,
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

fn level_factor(level: &str) -> f64 {
    match level {
        "city" => 2.2,
        "district" => 1.0,
        "county" => 0.9,
        _ => 0.55,
    }
}

/// Build the jurisdictions and departments of the demo.
pub fn build(seed: u64, params: &ScaleParams) -> Org {
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
            level: "city",
            parent: None,
            profile: Some(profile),
            code: city.code,
            city: city_idx,
            rules: deadlines(profile),
        });
        // Counties, districts and the zone.
        let counties: Vec<(String, String, &'static str, u32)> = if ci == 0 {
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
                    let short = if level == "zone" {
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
                    ("zone", 71)
                } else if i < 2 {
                    ("district", 2 + i as u32)
                } else {
                    ("county", 21 + (i as u32 - 2))
                };
                if level == "zone" {
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
                let full = format!("{name}{}", if level == "district" { "区" } else { "县" });
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
                rules: deadlines(own.unwrap_or(profile)),
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
                "city" => {
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
                "zone" => {
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
                level => {
                    let district = level == "district";
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
            .filter(|&d| jurisdictions[departments[d].jur].level == "city")
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

    Org {
        jurisdictions,
        departments,
        inspectors,
    }
}
