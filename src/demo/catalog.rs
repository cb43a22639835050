//! The resource catalog: entries of every department, their life events
//! (created, updated, maintained, withdrawn) and the duty changes that
//! oblige a catalog update.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};

use super::clock::{at, office_secs, plus_secs};
use super::names::{
    self, BASE_RESOURCES, GENERIC_SUBJECTS, SENSITIVE_WORDS, SHARE_BASES, VARIANTS,
};
use super::org::Org;
use super::rng::Rng;
use super::{Ctx, Span};
use crate::vocab::{CatalogEventKind, DutyChangeKind, OpenType, ShareType, UpdateCycle};

/// How well an entry keeps to its update cycle during one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lag {
    /// Updated on its cycle (with the odd miss).
    OnCycle,
    /// Mostly stops updating from this day on.
    Behind(NaiveDate),
    /// Not updated at all during the year.
    Dormant,
}

/// A catalog entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Interchange id, `CAT-<nnnnnn>`.
    pub id: String,
    /// Owning department.
    pub dept: usize,
    /// Resource name.
    pub name: String,
    /// Share type.
    pub share: ShareType,
    /// Legal basis of a conditional or not-shared classification.
    pub basis: Option<&'static str>,
    /// Open type.
    pub open: OpenType,
    /// Update cycle.
    pub cycle: UpdateCycle,
    /// Share method: `api`, `database` (database table) or `file`.
    pub format: &'static str,
    /// Number of data items.
    pub items: u32,
    /// When published in the catalog.
    pub published: NaiveDateTime,
    /// When withdrawn.
    pub withdrawn: Option<NaiveDateTime>,
    /// Whether the authority approved the withdrawal (JC Art.19).
    pub withdrawal_approved: Option<bool>,
    /// How much it is requested, relative.
    pub popularity: f64,
    /// Update behaviour in each year covered (indexed like [`Ctx::spans`]).
    pub lags: [Lag; 2],
}

impl Entry {
    /// Whether the entry is published and not withdrawn at `t`.
    pub fn live_at(&self, t: NaiveDateTime) -> bool {
        self.published <= t && self.withdrawn.is_none_or(|w| w > t)
    }
}

/// A catalog event.
#[derive(Debug, Clone)]
pub struct Event {
    /// When.
    pub at: NaiveDateTime,
    /// Entry index.
    pub entry: u32,
    /// What happened.
    pub kind: CatalogEventKind,
}

/// How the department followed up a duty change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    /// Catalog updated within the deadline.
    OnTime,
    /// Catalog updated after the deadline.
    Late,
    /// Catalog never updated.
    Never,
}

/// A law revision or change of duties.
#[derive(Debug, Clone)]
pub struct DutyChange {
    /// Interchange id, `DUT-<year>-<nnnn>`.
    pub id: String,
    /// Department concerned.
    pub dept: usize,
    /// A law revision or a change of duties.
    pub kind: DutyChangeKind,
    /// When published.
    pub published: NaiveDateTime,
    /// What changed.
    pub summary: String,
    /// How the catalog followed.
    pub follow_up: FollowUp,
}

/// Maintenance quarters a department missed, for inspection evidence.
#[derive(Debug, Clone, Default)]
pub struct CatalogStats {
    /// `(year, quarter 1–4)` without full maintenance, per department.
    pub missed_quarters: Vec<Vec<(i32, u32)>>,
}

impl CatalogStats {
    /// The quarters of `year` a department did not maintain its catalog.
    pub fn missed_in(&self, dept: usize, year: i32) -> Vec<u32> {
        self.missed_quarters[dept]
            .iter()
            .filter(|(y, _)| *y == year)
            .map(|(_, q)| *q)
            .collect()
    }
}

/// The catalog of the whole demo.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Entries in id order.
    pub entries: Vec<Entry>,
    /// Entry indices of each department.
    pub by_dept: Vec<Vec<u32>>,
    /// Events in time (and id) order.
    pub events: Vec<Event>,
    /// Duty changes in time (and id) order.
    pub duty_changes: Vec<DutyChange>,
    /// Per-department facts for inspections.
    pub stats: CatalogStats,
}

/// Split `total` in proportion to `weights` (largest remainder), at least
/// `min` each.
fn apportion(total: usize, weights: &[f64], min: usize) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let spare = total.saturating_sub(min * weights.len()) as f64;
    let raw: Vec<f64> = weights.iter().map(|w| spare * w / sum).collect();
    let mut out: Vec<usize> = raw.iter().map(|r| min + r.floor() as usize).collect();
    let mut left = total.saturating_sub(out.iter().sum());
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = raw[a] - raw[a].floor();
        let fb = raw[b] - raw[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

/// Whether a qualifier makes sense for a base resource name.
fn fits(base: &str, variant: &str) -> bool {
    let statistical = ["统计", "报表", "数据", "名录", "目录", "日志"]
        .iter()
        .any(|w| base.contains(w));
    match variant {
        "年度汇总" | "月度统计" | "按乡镇（街道）汇总" => !statistical,
        "核验接口" | "变更记录" => base.ends_with("信息"),
        "（电子证照）" => base.contains("许可") || base.contains("证"),
        "办件过程信息" => ["许可", "审批", "办理", "登记", "备案"]
            .iter()
            .any(|w| base.contains(w)),
        _ => true,
    }
}

/// The first `n` entry names of a department: every base name, then the
/// base names with each fitting qualifier, then further batches.
fn entry_names(subjects: &[&'static str], order: &[usize], n: usize) -> Vec<String> {
    let mut names = Vec::with_capacity(n);
    let mut round = 0;
    while names.len() < n {
        for variant in VARIANTS {
            for &i in order {
                if names.len() == n {
                    return names;
                }
                let base = subjects[i];
                if !fits(base, variant) {
                    continue;
                }
                names.push(if round == 0 {
                    format!("{base}{variant}")
                } else {
                    format!("{base}{variant}（第{}批）", round + 1)
                });
            }
        }
        round += 1;
    }
    names
}

fn pick_cycle(rng: &mut Rng, name: &str) -> UpdateCycle {
    use UpdateCycle::*;
    if name.contains("接口") {
        return Realtime;
    }
    if ["监测", "核验", "日志", "工单", "交易"]
        .iter()
        .any(|w| name.contains(w))
    {
        return *rng.pick(&[Realtime, Realtime, Daily, Daily, Weekly]);
    }
    if ["统计", "汇总", "年报", "普查", "调查"]
        .iter()
        .any(|w| name.contains(w))
    {
        return *rng.pick(&[Monthly, Quarterly, Quarterly, Annual, Annual, Semiannual]);
    }
    // realtime 6, daily 14, weekly 8, monthly 24, quarterly 16, semiannual 6, annual 18, irregular 8
    UpdateCycle::ALL[rng.weighted(&[6.0, 14.0, 8.0, 24.0, 16.0, 6.0, 18.0, 8.0])]
}

fn pick_format(rng: &mut Rng, name: &str, cycle: UpdateCycle) -> &'static str {
    if name.contains("接口") {
        return "api";
    }
    let w: [f64; 3] = match cycle {
        UpdateCycle::Realtime | UpdateCycle::Daily => [75.0, 20.0, 5.0],
        UpdateCycle::Weekly | UpdateCycle::Monthly => [30.0, 50.0, 20.0],
        UpdateCycle::Quarterly
        | UpdateCycle::Semiannual
        | UpdateCycle::Annual
        | UpdateCycle::Irregular => [15.0, 40.0, 45.0],
    };
    ["api", "database", "file"][rng.weighted(&w)]
}

/// Build entries, events and duty changes.
pub fn build(ctx: &Ctx, org: &Org) -> Catalog {
    let mut rng = Rng::stream(ctx.seed, "catalog", 0);
    let year = ctx.year;
    let first_year = ctx.history_start.year();
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_dept: Vec<Vec<u32>> = vec![Vec::new(); org.departments.len()];

    let year_weights: Vec<f64> = (first_year..=year)
        .map(|y| {
            if y == year {
                0.8
            } else if y == first_year {
                2.5
            } else {
                1.0
            }
        })
        .collect();

    for city in org.cities() {
        let depts = org.city_departments(city);
        let weights: Vec<f64> = depts.iter().map(|&d| org.departments[d].weight).collect();
        let counts = apportion(ctx.params.entries_per_city, &weights, 5);
        for (&d, &n) in depts.iter().zip(&counts) {
            let dept = &org.departments[d];
            let t = dept.traits;
            let mut subjects: Vec<&'static str> = dept.kind.subjects.to_vec();
            subjects.extend_from_slice(GENERIC_SUBJECTS);
            let mut order: Vec<usize> = (0..subjects.len()).collect();
            // Own subjects first, shuffled; generic ones after.
            let own = dept.kind.subjects.len();
            rng.shuffle(&mut order[..own]);
            rng.shuffle(&mut order[own..]);
            for name in entry_names(&subjects, &order, n) {
                let base = BASE_RESOURCES.iter().any(|b| name.starts_with(b));
                let sensitive = SENSITIVE_WORDS.iter().any(|w| name.contains(w));
                let share = if base {
                    ShareType::Unconditional
                } else if sensitive {
                    ShareType::ALL[rng.weighted(&[30.0, 55.0, 15.0])]
                } else {
                    ShareType::ALL[rng.weighted(&[85.0, 12.0, 3.0])]
                };
                let missing_basis = rng.chance(if t.sloppy_catalog { 0.35 } else { 0.08 });
                let basis = (share != ShareType::Unconditional && !missing_basis)
                    .then(|| *rng.pick(SHARE_BASES));
                let open = if sensitive || share == ShareType::NotShared {
                    if rng.chance(0.9) {
                        OpenType::NotOpen
                    } else {
                        OpenType::OnApplication
                    }
                } else {
                    OpenType::ALL[rng.weighted(&[25.0, 35.0, 40.0])]
                };
                let cycle = pick_cycle(&mut rng, &name);
                let format = pick_format(&mut rng, &name, cycle);
                let items = rng.lognormal(18.0, 0.6).round().clamp(3.0, 160.0) as u32;
                let y = first_year + rng.weighted(&year_weights) as i32;
                let last = if y == year {
                    NaiveDate::from_ymd_opt(year, 12, 20).expect("date")
                } else {
                    NaiveDate::from_ymd_opt(y, 12, 31).expect("date")
                };
                let first = NaiveDate::from_ymd_opt(y, 1, 1)
                    .expect("date")
                    .max(ctx.history_start);
                let pub_day = ctx.wd.random_in(&mut rng, first, last).unwrap_or(first);
                let published = at(pub_day, office_secs(&mut rng));
                let (withdrawn, withdrawal_approved) =
                    if rng.chance(if t.sloppy_catalog { 0.06 } else { 0.03 }) {
                        let from = (pub_day + TimeDelta::days(60))
                            .max(ctx.year_start - TimeDelta::days(500));
                        match ctx.wd.random_in(&mut rng, from, ctx.year_last) {
                            Some(day) => {
                                let approved =
                                    !rng.chance(if t.sloppy_catalog { 0.5 } else { 0.15 });
                                (Some(at(day, office_secs(&mut rng))), Some(approved))
                            }
                            None => (None, None),
                        }
                    } else {
                        (None, None)
                    };
                let mut popularity = rng.lognormal(1.0, 1.1);
                if base {
                    popularity *= 8.0;
                }
                match share {
                    ShareType::Conditional => popularity *= 4.5,
                    ShareType::NotShared => popularity *= 0.6,
                    ShareType::Unconditional => {}
                }
                // The same habits each year, drawn afresh: the same
                // departments let data go stale, not the same entries.
                let lags = ctx.spans.map(|span| {
                    let (p_behind, p_dormant) = if t.stale_data {
                        (0.40, 0.12)
                    } else {
                        (0.05, 0.02)
                    };
                    let x = rng.f64();
                    if x < p_dormant {
                        Lag::Dormant
                    } else if x < p_dormant + p_behind {
                        Lag::Behind(span.day(2, 1) + TimeDelta::days(rng.range(0, 280)))
                    } else {
                        Lag::OnCycle
                    }
                });
                by_dept[d].push(entries.len() as u32);
                entries.push(Entry {
                    id: String::new(),
                    dept: d,
                    name,
                    share,
                    basis,
                    open,
                    cycle,
                    format,
                    items,
                    published,
                    withdrawn,
                    withdrawal_approved,
                    popularity,
                    lags,
                });
            }
        }
    }
    let width = if entries.len() >= 1_000_000 { 7 } else { 6 };
    for (i, e) in entries.iter_mut().enumerate() {
        e.id = format!("CAT-{:0width$}", i + 1);
    }

    let mut events: Vec<Event> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        events.push(Event {
            at: e.published,
            entry: i as u32,
            kind: CatalogEventKind::Created,
        });
        if let Some(w) = e.withdrawn {
            events.push(Event {
                at: w,
                entry: i as u32,
                kind: CatalogEventKind::Withdrawn,
            });
        }
        // Ad-hoc updates during each year.
        for span in &ctx.spans {
            if !rng.chance(0.08) {
                continue;
            }
            if let Some(day) = ctx.wd.random_in(
                &mut rng,
                span.first.max(e.published.date() + TimeDelta::days(1)),
                span.last,
            ) {
                let t = at(day, office_secs(&mut rng));
                if e.live_at(t) {
                    events.push(Event {
                        at: t,
                        entry: i as u32,
                        kind: CatalogEventKind::Updated,
                    });
                }
            }
        }
    }

    // Quarterly full maintenance, in the last month of each quarter
    // (YK Art.15), skipped by some departments.
    let mut missed_quarters = vec![Vec::new(); org.departments.len()];
    for (d, dept) in org.departments.iter().enumerate() {
        for (span, q) in ctx
            .spans
            .iter()
            .flat_map(|s| (0..4u32).map(move |q| (s, q)))
        {
            let p_done = if dept.traits.skips_maintenance {
                0.45
            } else {
                0.94
            };
            if !rng.chance(p_done) {
                missed_quarters[d].push((span.year, q + 1));
                continue;
            }
            let first = span.day(3 * q + 3, 1);
            let last = first + TimeDelta::days(25);
            let Some(day) = ctx.wd.random_in(&mut rng, first, last) else {
                continue;
            };
            let mut t = at(day, office_secs(&mut rng).min(16 * 3600));
            for &ei in &by_dept[d] {
                if entries[ei as usize].live_at(t) {
                    events.push(Event {
                        at: t,
                        entry: ei,
                        kind: CatalogEventKind::Maintained,
                    });
                    t = plus_secs(&mut rng, t, 1, 4);
                }
            }
        }
    }

    // Duty changes and the catalog updates that follow them, each year.
    let mut duty_changes = Vec::new();
    for span in &ctx.spans {
        duty_changes.extend(duty_changes_in(&mut rng, ctx, span, org, &by_dept));
    }
    for c in &duty_changes {
        let limit = org.rules_of(c.dept).catalog_update_wd;
        let k = match c.follow_up {
            FollowUp::OnTime => 1 + ((rng.f64().powi(2) * f64::from(limit)) as u32).min(limit - 1),
            FollowUp::Late => limit + 1 + rng.below(15) as u32,
            FollowUp::Never => continue,
        };
        let day = ctx.wd.add(c.published.date(), k);
        if day > ctx.year_last {
            continue;
        }
        let mut t = at(day, office_secs(&mut rng));
        let live: Vec<u32> = by_dept[c.dept]
            .iter()
            .copied()
            .filter(|&e| entries[e as usize].live_at(c.published) && entries[e as usize].live_at(t))
            .collect();
        if live.is_empty() {
            continue;
        }
        for _ in 0..rng.range(1, 3) {
            let e = *rng.pick(&live);
            events.push(Event {
                at: t,
                entry: e,
                kind: CatalogEventKind::Updated,
            });
            t = plus_secs(&mut rng, t, 5, 300);
        }
    }

    events.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then(a.entry.cmp(&b.entry))
            .then(a.kind.cmp(&b.kind))
    });
    events.dedup_by(|a, b| a.at == b.at && a.entry == b.entry && a.kind == b.kind);

    Catalog {
        entries,
        by_dept,
        events,
        duty_changes,
        stats: CatalogStats { missed_quarters },
    }
}

/// The duty changes of one year, in time order with their ids; every
/// follow-up occurs at least once.
fn duty_changes_in(
    rng: &mut Rng,
    ctx: &Ctx,
    span: &Span,
    org: &Org,
    by_dept: &[Vec<u32>],
) -> Vec<DutyChange> {
    let mut duty_changes = Vec::new();
    let jan2 = span.day(1, 2);
    let nov20 = span.day(11, 20);
    for (d, dept) in org.departments.iter().enumerate() {
        if dept.is_authority {
            continue;
        }
        for _ in 0..rng.poisson(0.45) {
            duty_changes.push(new_duty_change(rng, ctx, d, org, jan2, nov20));
        }
    }
    // At least three, so that every follow-up occurs.
    let candidates: Vec<usize> = (0..org.departments.len())
        .filter(|&d| !org.departments[d].is_authority && !by_dept[d].is_empty())
        .collect();
    while duty_changes.len() < 3 {
        let d = *rng.pick(&candidates);
        duty_changes.push(new_duty_change(rng, ctx, d, org, jan2, span.day(6, 30)));
    }
    duty_changes.sort_by(|a, b| a.published.cmp(&b.published).then(a.dept.cmp(&b.dept)));
    let has = |f: FollowUp, v: &[DutyChange]| v.iter().any(|c| c.follow_up == f);
    if !(has(FollowUp::OnTime, &duty_changes)
        && has(FollowUp::Late, &duty_changes)
        && has(FollowUp::Never, &duty_changes))
    {
        // The earliest changes get one follow-up each (early in the year,
        // so that a late update still falls inside it).
        duty_changes[0].follow_up = FollowUp::Late;
        duty_changes[1].follow_up = FollowUp::Never;
        duty_changes[2].follow_up = FollowUp::OnTime;
    }
    let year = span.year;
    for (i, c) in duty_changes.iter_mut().enumerate() {
        c.id = format!("DUT-{year}-{:04}", i + 1);
    }
    duty_changes
}

fn new_duty_change(
    rng: &mut Rng,
    ctx: &Ctx,
    d: usize,
    org: &Org,
    first: NaiveDate,
    last: NaiveDate,
) -> DutyChange {
    let day = ctx.wd.random_in(rng, first, last).unwrap_or(first);
    let published = at(day, office_secs(rng));
    let law = rng.chance(0.4);
    let summary = if law {
        rng.pick(names::LAW_REVISIONS).to_string()
    } else {
        rng.pick(names::DUTY_CHANGE_TEMPLATES)
            .replace("{x}", *rng.pick(names::DUTIES))
    };
    let sloppy = org.departments[d].traits.sloppy_catalog;
    let w = if sloppy {
        [35.0, 35.0, 30.0]
    } else {
        [72.0, 18.0, 10.0]
    };
    let follow_up = [FollowUp::OnTime, FollowUp::Late, FollowUp::Never][rng.weighted(&w)];
    DutyChange {
        id: String::new(),
        dept: d,
        kind: if law {
            DutyChangeKind::LawRevision
        } else {
            DutyChangeKind::DutyChange
        },
        published,
        summary,
        follow_up,
    }
}
