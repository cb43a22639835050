//! Catalog: the department's catalog kept as its profile requires.
//!
//! - **catalog_update** — after each duty change or law revision published
//!   in the period (`duty_changes.published_at`), the department updates its
//!   catalog within the profile's `catalog_update` deadline. Done at the
//!   department's first `updated` catalog event (any of its entries) at or
//!   after the publication. The platform records one instant per change, so
//!   profiles counting from the event (XX, YK, PDS: 之日起, 情形发生之日起)
//!   and from its publication (JC Art.12: 自公布之日起) both count from
//!   `published_at`. KF's 实时 is judged on the bureau's default (`in_time`,
//!   flagged `bureau_default`).
//! - **full_maintenance** — where the profile has a quarterly
//!   `catalog_full_maintenance` (YK Art.15: 每季度应当至少进行一次全面维护):
//!   one `maintained` event of the department inside each quarter the period
//!   overlaps (quarters starting after `T` are skipped), for every department
//!   with an entry published before the quarter's end and not withdrawn
//!   before its start. Due the quarter's last day; a maintenance in a later
//!   quarter does not count for this one.
//! - **withdrawal** — an entry withdrawn in the period (`withdrawn_at`)
//!   without `withdrawal_approved = true`, where the profile requires prior
//!   approval (JC Art.19): a `violation`.
//! - **share_basis** — an entry live at the evaluation instant whose share
//!   type is one the profile's `share_basis` rule names (JC, YK, KF: not
//!   shared; XX, PDS: conditional and not shared) and whose `share_basis` is
//!   empty: a `violation`, as long as it stays so (key `share_basis:ENTRY`).

use std::collections::HashMap;

use sqlx::Row;

use super::packed::{self, Fields};
use super::{CheckItem, Context, MetricsError, Quarter};
use crate::rules::{DeadlineKey, DeadlineKind};
use crate::store::{Store, get_bool};
use crate::vocab::{CatalogEventKind, Rule, ShareType, Status};

/// A duty change or law revision.
#[derive(Debug, Clone, PartialEq)]
pub struct DutyChangeRow {
    /// Platform id.
    pub id: String,
    /// The department whose duties changed.
    pub department_id: String,
    /// Publication.
    pub published_at: i64,
}

/// Maintenance of one quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterMaintenance {
    /// The quarter.
    pub quarter: Quarter,
    /// Departments with entries live in the quarter.
    pub departments: Vec<String>,
    /// First `maintained` event of each department in the quarter (≤ `T`).
    pub maintained: HashMap<String, i64>,
}

/// A withdrawn entry.
#[derive(Debug, Clone, PartialEq)]
pub struct WithdrawalRow {
    /// Entry id.
    pub id: String,
    /// Its department.
    pub department_id: String,
    /// Withdrawn.
    pub withdrawn_at: i64,
    /// Whether the authority approved it beforehand.
    pub approved: Option<bool>,
}

/// A live conditional or not-shared entry without a stated basis.
#[derive(Debug, Clone, PartialEq)]
pub struct UnbasedEntryRow {
    /// Entry id.
    pub id: String,
    /// Its department.
    pub department_id: String,
    /// Conditional or not shared.
    pub share_type: ShareType,
}

/// What the catalog check reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogData {
    /// Duty changes published in the period, up to `T`.
    pub duty_changes: Vec<DutyChangeRow>,
    /// `updated` events per department, ascending (from the period's start to `T`).
    pub updates: HashMap<String, Vec<i64>>,
    /// Quarterly maintenance (only when some department's profile requires it).
    pub maintenance: Vec<QuarterMaintenance>,
    /// Entries withdrawn in the period, up to `T`.
    pub withdrawals: Vec<WithdrawalRow>,
    /// Live entries without a basis.
    pub unbased: Vec<UnbasedEntryRow>,
}

fn maintenance_rule_applies(ctx: &Context) -> bool {
    ctx.org.departments.values().any(|d| {
        ctx.profiles
            .by_id(&d.profile)
            .and_then(|p| p.deadline(DeadlineKey::CatalogFullMaintenance))
            .is_some_and(|r| r.kind == DeadlineKind::Quarterly)
    })
}

/// Reads what the check needs.
pub async fn load(ctx: &Context, store: &Store) -> Result<CatalogData, MetricsError> {
    let pool = store.pool();
    let (ps, pe, t) = (ctx.period.start_ms(), ctx.period.end_ms(), ctx.as_of);
    let mut data = CatalogData::default();
    for r in sqlx::query(
        "SELECT id, department_id, published_at FROM duty_changes \
         WHERE published_at >= $1 AND published_at < $2 AND published_at <= $3",
    )
    .bind(ps)
    .bind(pe)
    .bind(t)
    .fetch_all(pool)
    .await?
    {
        data.duty_changes.push(DutyChangeRow {
            id: r.try_get("id")?,
            department_id: r.try_get("department_id")?,
            published_at: r.try_get("published_at")?,
        });
    }
    if !data.duty_changes.is_empty() {
        let row = packed::row(&[packed::text("e.department_id"), packed::int("ev.at")]);
        let sql = format!(
            "SELECT {row} FROM catalog_events ev JOIN catalog_entries e ON e.id = ev.entry_id \
             WHERE ev.kind = '{}' AND ev.at >= $1 AND ev.at <= $2",
            CatalogEventKind::Updated
        );
        for r in packed::fetch(store, &sql, &[ps, t]).await? {
            let mut f = Fields::new(&r);
            let department = f.string()?;
            let at = f.int()?;
            data.updates.entry(department).or_default().push(at);
        }
        for v in data.updates.values_mut() {
            v.sort_unstable();
        }
    }
    if maintenance_rule_applies(ctx) {
        for q in ctx.period.quarters() {
            let (qs, qe) = (q.start_ms(), q.end_ms());
            if qs > t {
                continue;
            }
            let departments = sqlx::query(
                "SELECT DISTINCT department_id FROM catalog_entries \
                 WHERE published_at < $1 AND (withdrawn_at IS NULL OR withdrawn_at > $2)",
            )
            .bind(qe)
            .bind(qs)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("department_id"))
            .collect::<Result<Vec<_>, _>>()?;
            let maintained = sqlx::query(&format!(
                "SELECT e.department_id, MIN(ev.at) AS first_at FROM catalog_events ev \
                 JOIN catalog_entries e ON e.id = ev.entry_id \
                 WHERE ev.kind = '{}' AND ev.at >= $1 AND ev.at < $2 AND ev.at <= $3 \
                 GROUP BY e.department_id",
                CatalogEventKind::Maintained
            ))
            .bind(qs)
            .bind(qe)
            .bind(t)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("department_id")?, r.try_get("first_at")?)))
            .collect::<Result<HashMap<_, _>, sqlx::Error>>()?;
            data.maintenance.push(QuarterMaintenance {
                quarter: q,
                departments,
                maintained,
            });
        }
    }
    for r in sqlx::query(
        "SELECT id, department_id, withdrawn_at, withdrawal_approved FROM catalog_entries \
         WHERE withdrawn_at >= $1 AND withdrawn_at < $2 AND withdrawn_at <= $3",
    )
    .bind(ps)
    .bind(pe)
    .bind(t)
    .fetch_all(pool)
    .await?
    {
        data.withdrawals.push(WithdrawalRow {
            id: r.try_get("id")?,
            department_id: r.try_get("department_id")?,
            withdrawn_at: r.try_get("withdrawn_at")?,
            approved: get_bool(&r, "withdrawal_approved")?,
        });
    }
    let row = packed::row(&[
        packed::text("id"),
        packed::text("department_id"),
        packed::text("share_type"),
    ]);
    let sql = format!(
        "SELECT {row} FROM catalog_entries \
         WHERE published_at <= $1 AND (withdrawn_at IS NULL OR withdrawn_at > $1) \
         AND share_type <> '{}' AND (share_basis IS NULL OR TRIM(share_basis) = '')",
        ShareType::Unconditional
    );
    data.unbased = packed::fetch_decoded(store, &sql, &[ctx.evaluation_ms()], |f| {
        Ok(UnbasedEntryRow {
            id: f.string()?,
            department_id: f.string()?,
            share_type: f.name()?,
        })
    })
    .await?;
    Ok(data)
}

/// Catalog entries per department (all of them, withdrawn or not).
pub async fn entries_per_department(
    store: &Store,
) -> Result<std::collections::BTreeMap<String, i64>, MetricsError> {
    let rows =
        sqlx::query("SELECT department_id, COUNT(*) FROM catalog_entries GROUP BY department_id")
            .fetch_all(store.pool())
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect()
}

/// Runs the check.
pub async fn run(ctx: &Context, store: &Store) -> Result<Vec<CheckItem>, MetricsError> {
    let data = load(ctx, store).await?;
    Ok(items(ctx, &data))
}

/// The items of the given catalog data.
pub fn items(ctx: &Context, data: &CatalogData) -> Vec<CheckItem> {
    let mut out = Vec::new();
    duty_change_items(ctx, data, &mut out);
    maintenance_items(ctx, data, &mut out);
    withdrawal_items(ctx, data, &mut out);
    share_basis_items(ctx, data, &mut out);
    out
}

fn duty_change_items(ctx: &Context, data: &CatalogData, out: &mut Vec<CheckItem>) {
    for c in data
        .duty_changes
        .iter()
        .filter(|c| ctx.in_scope(c.published_at))
    {
        let profile = ctx.profile_of(&c.department_id);
        let Some(rule) = profile.deadline(DeadlineKey::CatalogUpdate) else {
            continue;
        };
        let Some(n) = rule.working_day_limit() else {
            continue;
        };
        let done = data.updates.get(&c.department_id).and_then(|v| {
            let i = v.partition_point(|&t| t < c.published_at);
            v.get(i).copied()
        });
        let j = ctx.judge_after(c.published_at, n, done);
        let mut item = ctx
            .item(
                Rule::CatalogUpdate,
                &c.id,
                &c.department_id,
                profile,
                &rule.citation,
                Status::Pending,
            )
            .with_rule(rule)
            .with_judgement(&j);
        item.clock_start = Some(c.published_at);
        item.working_days = Some(n);
        out.push(item);
    }
}

fn maintenance_items(ctx: &Context, data: &CatalogData, out: &mut Vec<CheckItem>) {
    for m in &data.maintenance {
        if m.quarter.start_ms() > ctx.as_of {
            continue;
        }
        for dept in &m.departments {
            let profile = ctx.profile_of(dept);
            let Some(rule) = profile
                .deadline(DeadlineKey::CatalogFullMaintenance)
                .filter(|r| r.kind == DeadlineKind::Quarterly)
            else {
                continue;
            };
            let due = match rule.calendar_days {
                Some(days) => m.quarter.first + chrono::Days::new(u64::from(days.max(1)) - 1),
                None => m.quarter.last,
            };
            let done = m.maintained.get(dept).copied();
            let j = ctx.judge(due, done);
            let mut item = ctx
                .item(
                    Rule::FullMaintenance,
                    dept,
                    dept,
                    profile,
                    &rule.citation,
                    Status::Pending,
                )
                .with_rule(rule)
                .with_judgement(&j);
            item.key = format!("{}:{dept}:{}", Rule::FullMaintenance, m.quarter.label());
            item.clock_start = Some(m.quarter.start_ms());
            out.push(item);
        }
    }
}

fn withdrawal_items(ctx: &Context, data: &CatalogData, out: &mut Vec<CheckItem>) {
    for w in data
        .withdrawals
        .iter()
        .filter(|w| ctx.in_scope(w.withdrawn_at))
    {
        if w.approved == Some(true) {
            continue;
        }
        let profile = ctx.profile_of(&w.department_id);
        let Some(rule) = profile.deadline(DeadlineKey::WithdrawalApproval) else {
            continue;
        };
        let mut item = ctx
            .item(
                Rule::Withdrawal,
                &w.id,
                &w.department_id,
                profile,
                &rule.citation,
                Status::Violation,
            )
            .with_rule(rule);
        item.done_at = Some(w.withdrawn_at);
        if w.approved.is_none() {
            item.add_note("平台未记录审核结果");
        }
        out.push(item);
    }
}

fn share_basis_items(ctx: &Context, data: &CatalogData, out: &mut Vec<CheckItem>) {
    for e in &data.unbased {
        let profile = ctx.profile_of(&e.department_id);
        let Some(rule) = profile.deadline(DeadlineKey::ShareBasis) else {
            continue;
        };
        if !rule.share_types.contains(&e.share_type) {
            continue;
        }
        let mut item = ctx
            .item(
                Rule::ShareBasis,
                &e.id,
                &e.department_id,
                profile,
                &rule.citation,
                Status::Violation,
            )
            .with_rule(rule);
        item.add_note(match e.share_type {
            ShareType::Conditional => "有条件共享类未标明依据",
            ShareType::NotShared => "不予共享类未提供依据",
            ShareType::Unconditional => "无条件共享类无需依据",
        });
        out.push(item);
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::metrics::testutil::{ctx_at, ms};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn catalog_update_after_a_duty_change() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        let mut data = CatalogData {
            duty_changes: vec![
                DutyChangeRow {
                    id: "DUT-1".into(),
                    department_id: "DEP-C-1".into(),
                    published_at: ms("2025-09-26T10:00:00+08:00"),
                },
                DutyChangeRow {
                    id: "DUT-2".into(),
                    department_id: "DEP-X-1".into(),
                    published_at: ms("2025-09-26T10:00:00+08:00"),
                },
            ],
            ..Default::default()
        };
        // An update before the change does not count; the one on Oct 23 does.
        data.updates.insert(
            "DEP-C-1".into(),
            vec![
                ms("2025-09-01T10:00:00+08:00"),
                ms("2025-10-23T18:00:00+08:00"),
            ],
        );
        data.updates
            .insert("DEP-X-1".into(), vec![ms("2025-10-17T10:00:00+08:00")]);
        let items = items(&ctx, &data);
        // JC Art.12: 15 wd from publication, across National Day → Oct 23.
        assert_eq!(items[0].due, Some(date(2025, 10, 23)));
        assert_eq!(items[0].status, Status::OnTime);
        assert_eq!(items[0].citation, "JC Art.12");
        // XX Art.13: 10 wd → Oct 16; updated Oct 17: late by 1.
        assert_eq!(items[1].due, Some(date(2025, 10, 16)));
        assert_eq!(
            (items[1].status, items[1].working_days_late),
            (Status::Late, Some(1))
        );
        assert_eq!(items[1].citation, "XX Art.13");
    }

    #[test]
    fn yingkou_quarterly_full_maintenance() {
        let ctx = ctx_at("2025-11-15T12:00:00+08:00");
        let quarters = ctx.period.quarters();
        let data = CatalogData {
            maintenance: quarters
                .iter()
                .map(|q| QuarterMaintenance {
                    quarter: *q,
                    departments: vec!["DEP-Y-1".into(), "DEP-C-1".into()],
                    maintained: if q.number == 1 {
                        [("DEP-Y-1".to_string(), ms("2025-03-31T23:59:00+08:00"))].into()
                    } else {
                        HashMap::new()
                    },
                })
                .collect(),
            ..Default::default()
        };
        let items = items(&ctx, &data);
        // JC regulates no full maintenance: only DEP-Y-1's four quarters.
        assert_eq!(items.len(), 4);
        let status: Vec<Status> = items.iter().map(|i| i.status).collect();
        assert_eq!(
            status,
            [
                Status::OnTime,
                Status::Overdue,
                Status::Overdue,
                Status::Pending
            ]
        );
        assert_eq!(items[0].key, "full_maintenance:DEP-Y-1:2025Q1");
        assert_eq!(items[3].due, Some(date(2025, 12, 31)));
        assert_eq!(items[0].citation, "YK Art.15");
    }

    #[test]
    fn withdrawals_and_share_bases() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        let w = |id: &str, dept: &str, approved: Option<bool>| WithdrawalRow {
            id: id.into(),
            department_id: dept.into(),
            withdrawn_at: ms("2025-05-06T10:00:00+08:00"),
            approved,
        };
        let e = |id: &str, dept: &str, share: &str| UnbasedEntryRow {
            id: id.into(),
            department_id: dept.into(),
            share_type: share.parse().unwrap(),
        };
        let data = CatalogData {
            withdrawals: vec![
                w("CAT-1", "DEP-C-1", Some(false)),
                w("CAT-2", "DEP-C-1", Some(true)),
                w("CAT-3", "DEP-C-1", None),
                w("CAT-4", "DEP-Y-1", Some(false)),
            ],
            unbased: vec![
                e("CAT-5", "DEP-C-1", "none"),
                e("CAT-6", "DEP-C-1", "conditional"),
                e("CAT-7", "DEP-X-1", "conditional"),
            ],
            ..Default::default()
        };
        let items = items(&ctx, &data);
        let ids: Vec<(&str, Rule, &str)> = items
            .iter()
            .map(|i| (i.id.as_str(), i.rule, i.citation.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("CAT-1", Rule::Withdrawal, "JC Art.19"),
                ("CAT-3", Rule::Withdrawal, "JC Art.19"),
                ("CAT-5", Rule::ShareBasis, "JC Art.23"),
                ("CAT-7", Rule::ShareBasis, "XX Art.23(1)"),
            ]
        );
        assert!(items.iter().all(|i| i.status == Status::Violation));
    }
}
