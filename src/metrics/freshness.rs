//! Freshness: each live entry's data against its declared update cycle, and
//! 新县's quarterly floor.
//!
//! # Tiers (HDX data freshness)
//!
//! The regulations say *that* data follows its declared cycle (JC Art.18 and
//! Art.41(3), YK Art.21, KF Art.17, PDS Art.14, XX Art.16) but not how late
//! is late. We adopt the Humanitarian Data Exchange's freshness methodology
//! (HDX, "Data Freshness" / "Expected Update Frequency vs Freshness Status",
//! OCHA Centre for Humanitarian Data): the age of an entry is the number of
//! days from its last update's date to the evaluation date, and with `f`
//! the cycle in days:
//!
//! | declared cycle | f | fresh | due (from) | overdue (from) | delinquent (from) |
//! |---|---|---|---|---|---|
//! | realtime ¹ | 1 | 0 | 1 | 2 (f + 1) | 3 (f + 2) |
//! | daily | 1 | 0 | 1 | 2 (f + 1) | 3 (f + 2) |
//! | weekly | 7 | 0–6 | 7 | 14 (f + 7) | 21 (f + 14) |
//! | monthly | 30 | 0–29 | 30 | 44 (f + 14) | 60 (f + 30) |
//! | quarterly | 90 | 0–89 | 90 | 120 (f + 30) | 150 (f + 60) |
//! | semiannual | 180 | 0–179 | 180 | 210 (f + 30) | 240 (f + 60) |
//! | annual | 365 | 0–364 | 365 | 425 (f + 60) | 455 (f + 90) |
//! | irregular ² | — | — | — | — | — |
//!
//! ¹ HDX treats "live" data as always fresh because it cannot observe it;
//! the platform records the last sync of realtime entries (one a day at
//! most), so we hold them to the daily row. ² HDX's "as needed" is always
//! fresh; an `irregular` entry has no cycle to judge: `not_evaluable`.
//!
//! Age counts calendar days (HDX does), not working days. The last update is
//! the latest `data_updates.at` at or before the evaluation instant; an entry
//! never refreshed is aged from its publication (its data was provided
//! then), and says so. `due` is the date the entry becomes due (last update
//! + f). Statuses `overdue` and `delinquent` are breaches (findings of
//! category `data_stale_or_substandard`); `due` is within HDX's leeway (its
//! e-mails go out at `overdue`) and counts as on time in the summary's rate.
//! The key of an item is `freshness:ENTRY:DATE-OF-LAST-UPDATE`, one staleness
//! episode per last update.
//!
//! The citation is the profile's own article on refreshing data: the cycle
//! sentence of XX Art.16 (`freshness_floor.also`), the article cited by the
//! profiles that set no floor (JC Art.18, YK Art.21, PDS Art.14, KF Art.17),
//! else the first duty article of category `data_stale_or_substandard`.
//!
//! # 新县's floor (XX Art.16)
//!
//! 以实时交互更新为最佳状态。条件尚不具备的，可根据实际情况，每天、每周或每月进行数据更新；
//! 属于特殊情况的，应至少在每季度第一个月的前10日内进行更新: where the profile
//! has a `quarterly` `freshness_floor` with `calendar_days`, the *special
//! cases* — entries whose declared cycle is slower than the monthly one the
//! article still counts as regular (quarterly, semiannual, annual,
//! irregular: [`floor_applies_to`]) — live at a quarter's start must be
//! updated within the quarter's first N *calendar* days (日, not 工作日: the
//! profile's note) — due on day N of the quarter's first month. Entries on
//! a real-time, daily, weekly or monthly cycle are judged on that cycle only. Done at the entry's first
//! update inside the quarter: `on_time` within the window, `late` after it
//! (in the quarter), `overdue` without one; quarters starting after `T` are
//! skipped. Key `freshness_floor:ENTRY:2025Q1`.

use chrono::Days;

use super::packed::{self, Fields};
use super::{CheckItem, Context, MetricsError, Quarter};
use crate::rules::{Citation, DeadlineKey, DeadlineKind, DeadlineRule, Profile};
use crate::store::Store;
use crate::time::local_date;
use crate::vocab::{CategoryCode, Rule, Status, UpdateCycle};

/// Whether 新县's quarterly floor (XX Art.16) applies to an entry with this
/// declared cycle: the article lists real-time, daily, weekly and monthly
/// updating as the regular ways (实时交互更新; 每天、每周或每月); any other
/// cycle is a special case (属于特殊情况的) held to the floor.
pub const fn floor_applies_to(cycle: UpdateCycle) -> bool {
    match cycle {
        UpdateCycle::Realtime | UpdateCycle::Daily | UpdateCycle::Weekly | UpdateCycle::Monthly => {
            false
        }
        UpdateCycle::Quarterly
        | UpdateCycle::Semiannual
        | UpdateCycle::Annual
        | UpdateCycle::Irregular => true,
    }
}

/// HDX thresholds of one cycle, in days of age: due, overdue, delinquent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// `f`: from this age the entry is due.
    pub due: i64,
    /// From this age, overdue.
    pub overdue: i64,
    /// From this age, delinquent.
    pub delinquent: i64,
}

/// The HDX thresholds of a declared cycle (the table of the module
/// documentation); `None` for `irregular`, which has no cycle to judge.
pub const fn thresholds(cycle: UpdateCycle) -> Option<Thresholds> {
    let (due, overdue, delinquent) = match cycle {
        UpdateCycle::Realtime | UpdateCycle::Daily => (1, 2, 3),
        UpdateCycle::Weekly => (7, 14, 21),
        UpdateCycle::Monthly => (30, 44, 60),
        UpdateCycle::Quarterly => (90, 120, 150),
        UpdateCycle::Semiannual => (180, 210, 240),
        UpdateCycle::Annual => (365, 425, 455),
        UpdateCycle::Irregular => return None,
    };
    Some(Thresholds {
        due,
        overdue,
        delinquent,
    })
}

/// The tier of an entry of `age` days.
pub fn tier(t: Thresholds, age: i64) -> Status {
    if age >= t.delinquent {
        Status::Delinquent
    } else if age >= t.overdue {
        Status::Overdue
    } else if age >= t.due {
        Status::Due
    } else {
        Status::Fresh
    }
}

/// A live entry with its last update.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRow {
    /// Entry id.
    pub id: String,
    /// Its department.
    pub department_id: String,
    /// Declared cycle.
    pub update_cycle: UpdateCycle,
    /// Publication.
    pub published_at: i64,
    /// Latest update at or before the evaluation instant.
    pub last_update: Option<i64>,
}

/// An entry's first update in one quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct FloorRow {
    /// Entry id.
    pub id: String,
    /// Its department.
    pub department_id: String,
    /// First update in the quarter, at or before `T`.
    pub first_update: Option<i64>,
}

/// What the check reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FreshnessData {
    /// Entries live at the evaluation instant.
    pub entries: Vec<EntryRow>,
    /// Per quarter, the entries held to a floor live at its start (only
    /// when a floor applies; see [`floor_applies_to`]).
    pub floor: Vec<(Quarter, Vec<FloorRow>)>,
}

fn floor_rule(profile: &Profile) -> Option<(&DeadlineRule, u32)> {
    let rule = profile
        .deadline(DeadlineKey::FreshnessFloor)
        .filter(|r| r.kind == DeadlineKind::Quarterly)?;
    rule.calendar_days.map(|days| (rule, days.max(1)))
}

/// The citation of the freshness duty in a profile.
pub fn freshness_citation(profile: &Profile) -> Option<&Citation> {
    if let Some(rule) = profile.deadline(DeadlineKey::FreshnessFloor) {
        return Some(rule.also.first().unwrap_or(&rule.citation));
    }
    if let Some(c) = profile
        .not_regulated
        .get(&DeadlineKey::FreshnessFloor)
        .and_then(|n| n.citation.as_ref())
    {
        return Some(c);
    }
    profile
        .categories
        .get(&CategoryCode::DataStaleOrSubstandard)
        .and_then(|c| c.duties.first())
}

/// Reads what the check needs.
pub async fn load(ctx: &Context, store: &Store) -> Result<FreshnessData, MetricsError> {
    let eval = ctx.evaluation_ms();
    let mut data = FreshnessData::default();
    let row = packed::row(&[
        packed::text("e.id"),
        packed::text("e.department_id"),
        packed::text("e.update_cycle"),
        packed::int("e.published_at"),
        packed::int(
            "(SELECT MAX(u.at) FROM data_updates u WHERE u.entry_id = e.id AND u.at <= $1)",
        ),
    ]);
    let sql = format!(
        "SELECT {row} FROM catalog_entries e \
         WHERE e.published_at <= $1 AND (e.withdrawn_at IS NULL OR e.withdrawn_at > $1)"
    );
    data.entries = packed::fetch_decoded(store, &sql, &[eval], |f| {
        Ok(EntryRow {
            id: f.string()?,
            department_id: f.string()?,
            update_cycle: f.name()?,
            published_at: f.int()?,
            last_update: f.opt_int()?,
        })
    })
    .await?;
    let floor_applies = ctx.org.departments.values().any(|d| {
        ctx.profiles
            .by_id(&d.profile)
            .is_some_and(|p| floor_rule(p).is_some())
    });
    if floor_applies {
        for q in ctx.period.quarters() {
            let (qs, qe) = (q.start_ms(), q.end_ms());
            if qs > ctx.as_of {
                continue;
            }
            let regular: Vec<String> = UpdateCycle::ALL
                .into_iter()
                .filter(|c| !floor_applies_to(*c))
                .map(|c| format!("'{c}'"))
                .collect();
            let row = packed::row(&[
                packed::text("e.id"),
                packed::text("e.department_id"),
                packed::int(
                    "(SELECT MIN(u.at) FROM data_updates u WHERE u.entry_id = e.id \
                         AND u.at >= $1 AND u.at < $2 AND u.at <= $3)",
                ),
            ]);
            let sql = format!(
                "SELECT {row} FROM catalog_entries e \
                 WHERE e.published_at < $1 AND (e.withdrawn_at IS NULL OR e.withdrawn_at >= $2) \
                 AND e.update_cycle NOT IN ({})",
                regular.join(", ")
            );
            let mut rows = Vec::new();
            for r in packed::fetch(store, &sql, &[qs, qe, ctx.as_of]).await? {
                let mut f = Fields::new(&r);
                let id = f.string()?;
                let department_id = f.string()?;
                if floor_rule(ctx.profile_of(&department_id)).is_none() {
                    continue;
                }
                rows.push(FloorRow {
                    id,
                    department_id,
                    first_update: f.opt_int()?,
                });
            }
            data.floor.push((q, rows));
        }
    }
    Ok(data)
}

/// Runs the check.
pub async fn run(ctx: &Context, store: &Store) -> Result<Vec<CheckItem>, MetricsError> {
    let data = load(ctx, store).await?;
    Ok(items(ctx, &data))
}

/// The items of the given data.
pub fn items(ctx: &Context, data: &FreshnessData) -> Vec<CheckItem> {
    let eval = ctx.evaluation_ms();
    let today = local_date(eval);
    let mut out = Vec::with_capacity(data.entries.len());
    for e in &data.entries {
        let profile = ctx.profile_of(&e.department_id);
        let Some(citation) = freshness_citation(profile) else {
            continue;
        };
        let last = e
            .last_update
            .filter(|&t| t <= eval)
            .unwrap_or(e.published_at);
        let last_day = local_date(last);
        let mut item = ctx.item(
            Rule::Freshness,
            &e.id,
            &e.department_id,
            profile,
            citation,
            Status::NotEvaluable,
        );
        item.key = format!("{}:{}:{last_day}", Rule::Freshness, e.id);
        item.update_cycle = Some(e.update_cycle);
        item.done_at = e.last_update.filter(|&t| t <= eval);
        if item.done_at.is_none() {
            item.add_note("尚无更新记录，按发布时间计");
        }
        if let Some(t) = thresholds(e.update_cycle) {
            let age = (today - last_day).num_days().max(0);
            item.status = tier(t, age);
            item.age_days = Some(age);
            item.due = last_day.checked_add_days(Days::new(t.due as u64));
        }
        out.push(item);
    }
    for (q, rows) in &data.floor {
        if q.start_ms() > ctx.as_of {
            continue;
        }
        for r in rows {
            let profile = ctx.profile_of(&r.department_id);
            let Some((rule, days)) = floor_rule(profile) else {
                continue;
            };
            let due = q.first + Days::new(u64::from(days) - 1);
            let done = r
                .first_update
                .filter(|&t| t >= q.start_ms() && t < q.end_ms());
            let j = ctx.judge(due, done);
            let mut item = ctx
                .item(
                    Rule::FreshnessFloor,
                    &r.id,
                    &r.department_id,
                    profile,
                    &rule.citation,
                    Status::Pending,
                )
                .with_rule(rule)
                .with_judgement(&j);
            item.key = format!("{}:{}:{}", Rule::FreshnessFloor, r.id, q.label());
            item.clock_start = Some(q.start_ms());
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::metrics::testutil::{ctx_at, ms};

    fn entry(dept: &str, cycle: &str, last: Option<&str>) -> EntryRow {
        EntryRow {
            id: "CAT-1".into(),
            department_id: dept.into(),
            update_cycle: cycle.parse().unwrap(),
            published_at: ms("2023-01-05T10:00:00+08:00"),
            last_update: last.map(ms),
        }
    }

    fn status_at(t: &str, e: &EntryRow) -> (Status, Option<i64>) {
        let data = FreshnessData {
            entries: vec![e.clone()],
            floor: vec![],
        };
        let i = &items(&ctx_at(t), &data)[0];
        (i.status, i.age_days)
    }

    #[test]
    fn hdx_tiers_for_a_monthly_entry() {
        let e = entry("DEP-C-1", "monthly", Some("2025-10-01T10:00:00+08:00"));
        assert_eq!(
            status_at("2025-10-30T12:00:00+08:00", &e),
            (Status::Fresh, Some(29))
        );
        assert_eq!(
            status_at("2025-10-31T12:00:00+08:00", &e),
            (Status::Due, Some(30))
        );
        assert_eq!(
            status_at("2025-11-14T12:00:00+08:00", &e),
            (Status::Overdue, Some(44))
        );
        assert_eq!(
            status_at("2025-11-30T12:00:00+08:00", &e),
            (Status::Delinquent, Some(60))
        );
        let data = FreshnessData {
            entries: vec![e],
            floor: vec![],
        };
        let i = &items(&ctx_at("2025-11-14T12:00:00+08:00"), &data)[0];
        assert_eq!(i.citation, "JC Art.18");
        assert_eq!(i.due, Some(NaiveDate::from_ymd_opt(2025, 10, 31).unwrap()));
        assert_eq!(i.key, "freshness:CAT-1:2025-10-01");
    }

    #[test]
    fn realtime_is_held_to_daily_irregular_is_not_evaluable() {
        let e = entry("DEP-Y-1", "realtime", Some("2025-06-01T23:00:00+08:00"));
        assert_eq!(
            status_at("2025-06-03T08:00:00+08:00", &e).0,
            Status::Overdue
        );
        let e = entry("DEP-Y-1", "irregular", None);
        assert_eq!(
            status_at("2025-06-03T08:00:00+08:00", &e),
            (Status::NotEvaluable, None)
        );
        // Never updated: aged from publication, and noted.
        let e = entry("DEP-C-1", "annual", None);
        let data = FreshnessData {
            entries: vec![e],
            floor: vec![],
        };
        let i = &items(&ctx_at("2025-06-03T08:00:00+08:00"), &data)[0];
        assert_eq!(i.status, Status::Delinquent);
        assert!(i.note.is_some());
        // An update after the evaluation instant does not count.
        let e = entry("DEP-C-1", "daily", Some("2025-06-03T09:00:00+08:00"));
        assert_eq!(
            status_at("2025-06-03T08:00:00+08:00", &e).0,
            Status::Delinquent
        );
    }

    #[test]
    fn xinxian_floor_first_ten_calendar_days_of_the_quarter() {
        let floor_item = |t: &str, first: Option<&str>| {
            let ctx = ctx_at(t);
            let q = ctx
                .period
                .quarters()
                .into_iter()
                .find(|q| q.number == 4)
                .unwrap();
            let data = FreshnessData {
                entries: vec![],
                floor: vec![(
                    q,
                    vec![FloorRow {
                        id: "CAT-9".into(),
                        department_id: "DEP-X-1".into(),
                        first_update: first.map(ms),
                    }],
                )],
            };
            items(&ctx, &data)[0].clone()
        };
        // Q4 2025: Oct 1–10, calendar days although Oct 1–8 is a holiday.
        let i = floor_item(
            "2025-12-31T12:00:00+08:00",
            Some("2025-10-10T23:59:00+08:00"),
        );
        assert_eq!(i.due, Some(NaiveDate::from_ymd_opt(2025, 10, 10).unwrap()));
        assert_eq!(i.status, Status::OnTime);
        assert_eq!(i.citation, "XX Art.16");
        assert_eq!(i.key, "freshness_floor:CAT-9:2025Q4");
        let i = floor_item(
            "2025-12-31T12:00:00+08:00",
            Some("2025-10-11T00:01:00+08:00"),
        );
        assert_eq!(i.status, Status::Late);
        assert_eq!(
            floor_item("2025-10-05T12:00:00+08:00", None).status,
            Status::Pending
        );
        assert_eq!(
            floor_item("2025-10-09T12:00:00+08:00", None).status,
            Status::AtRisk
        );
        assert_eq!(
            floor_item("2025-10-12T12:00:00+08:00", None).status,
            Status::Overdue
        );
    }

    #[test]
    fn only_special_cases_are_held_to_the_floor() {
        assert!(
            !floor_applies_to(UpdateCycle::Monthly) && !floor_applies_to(UpdateCycle::Realtime)
        );
        assert!(floor_applies_to(UpdateCycle::Quarterly) && floor_applies_to(UpdateCycle::Annual));
        assert!(floor_applies_to(UpdateCycle::Irregular));
    }

    #[test]
    fn no_floor_outside_xinxian() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        let q = ctx.period.quarters()[0];
        let data = FreshnessData {
            entries: vec![],
            floor: vec![(
                q,
                vec![FloorRow {
                    id: "CAT-9".into(),
                    department_id: "DEP-C-1".into(),
                    first_update: None,
                }],
            )],
        };
        assert!(items(&ctx, &data).is_empty());
    }
}
