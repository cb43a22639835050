//! Grants: what JC Art.31 says about a grant's use and lifetime, for
//! profiles that have those rules (`grant_unused`, `grant_max_age`; the other
//! profiles produce no grant items).
//!
//! | rule | when | status | responsible | citation |
//! |---|---|---|---|---|
//! | `never_used` | no use within `grant_unused` months of the grant | `revocable`; `resolved` once used, or once the grant ended | grantee | `grant_unused` |
//! | `idle` | used, but not for `grant_unused` months as of the evaluation instant, grant active | `revocable` | grantee | `grant_unused` |
//! | `max_age` | granted in the period for longer than `grant_max_age` years | `violation` | provider (the entry's department) | `grant_max_age` |
//! | `used_after_end` | access-log rows in the period at or after the expiry or revocation | `violation` | grantee | `grant_max_age` (期满后应重新申请) |
//! | `expiring` | active, expires within [`EXPIRING_WINDOW_DAYS`] days of the evaluation instant | `expiring` | grantee | `grant_max_age` |
//!
//! JC Art.31 makes non-use a ground for *discretionary* revocation
//! (可视情收回授权), not a violation: hence `revocable`, and no finding.
//!
//! Which grants belong to the period: `never_used` when the unused window
//! ends in the period, or ended before it and the grant was still active
//! and unused at the period's start; `max_age` when granted in the period;
//! `used_after_end` when the late use is in the period; `idle` and
//! `expiring` at the evaluation instant.
//!
//! The access log (tens of millions of rows) is never read row by row: one
//! query aggregates it per grant with correlated subqueries on its primary
//! key `(grant_id, at)` — first use (≤ `T`), last use (≤ the evaluation
//! instant), count and first instant of the uses after the grant ended —
//! each an index seek, so the cost grows with the number of grants, not of
//! log rows.

use chrono::Months;

use super::packed;
use super::{CheckItem, Context, DAY_MS, MetricsError};
use crate::rules::{DeadlineKey, DeadlineRule};
use crate::store::Store;
use crate::time::{format_millis, from_millis, local_date, local_to_millis};
use crate::vocab::{Rule, Status};

/// A grant expiring within this many days of the evaluation instant is
/// reported as `expiring` (bureau reporting window, issue 3 §3; not a
/// regulation's deadline).
pub const EXPIRING_WINDOW_DAYS: i64 = 30;

/// One grant with its access-log aggregates.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantRow {
    /// Platform id.
    pub id: String,
    /// The using department.
    pub grantee_id: String,
    /// The entry's department.
    pub provider_id: String,
    /// Granted.
    pub granted_at: i64,
    /// Expires.
    pub expires_at: i64,
    /// Revoked, if.
    pub revoked_at: Option<i64>,
    /// First use at or before `T`.
    pub first_use: Option<i64>,
    /// Last use at or before the evaluation instant.
    pub last_use: Option<i64>,
    /// Uses (log rows) in the period, at or before `T`, at or after the end.
    pub uses_after_end: i64,
    /// The first of those.
    pub first_use_after_end: Option<i64>,
}

impl GrantRow {
    /// When the grant ends: its revocation or its expiry, whichever first.
    pub fn end(&self) -> i64 {
        self.revoked_at
            .map_or(self.expires_at, |r| r.min(self.expires_at))
    }
}

/// `ms` plus `months` calendar months in Asia/Shanghai local time (clamped
/// to the month's last day).
pub fn add_months(ms: i64, months: u32) -> i64 {
    let local = from_millis(ms)
        .with_timezone(&crate::calendar::TIMEZONE)
        .naive_local();
    local
        .checked_add_months(Months::new(months))
        .and_then(|t| local_to_millis(t).ok())
        .unwrap_or(i64::MAX)
}

fn months_rule(rule: Option<&DeadlineRule>) -> Option<(&DeadlineRule, u32)> {
    let rule = rule?;
    rule.month_limit().map(|m| (rule, m))
}

/// Reads the grants that may matter for the period, with their access-log
/// aggregates.
pub async fn load(ctx: &Context, store: &Store) -> Result<Vec<GrantRow>, MetricsError> {
    // A grant's unused window can end in the period only if it was granted
    // after the period's start minus the longest `grant_unused` of any
    // profile, and can have ended by `T` only if granted before `T` minus
    // the shortest: outside those bounds its first use is not needed.
    let windows: Vec<u32> = ctx
        .profiles
        .iter()
        .filter_map(|p| months_rule(p.deadline(DeadlineKey::GrantUnused)).map(|(_, m)| m))
        .collect();
    let start = ctx.period.start_ms();
    let shift = |ms: i64, months: u32| {
        from_millis(ms)
            .with_timezone(&crate::calendar::TIMEZONE)
            .naive_local()
            .checked_sub_months(Months::new(months))
            .and_then(|t| local_to_millis(t).ok())
    };
    let earliest_window =
        shift(start, windows.iter().copied().max().unwrap_or(0)).unwrap_or(i64::MIN);
    let latest_window = match windows.iter().copied().min() {
        Some(m) => shift(ctx.as_of, m).unwrap_or(i64::MIN),
        None => i64::MIN,
    };
    let end_expr = "CASE WHEN g.revoked_at IS NOT NULL AND g.revoked_at < g.expires_at \
                    THEN g.revoked_at ELSE g.expires_at END";
    let after_end = format!(
        "FROM access_log a WHERE a.grant_id = g.id AND a.at >= {end_expr} \
         AND a.at >= $3 AND a.at < $4 AND a.at <= $1"
    );
    let row = packed::row(&[
        packed::text("g.id"),
        packed::text("g.grantee_id"),
        packed::text("e.department_id"),
        packed::int("g.granted_at"),
        packed::int("g.expires_at"),
        packed::int("g.revoked_at"),
        packed::int(&format!(
            "CASE WHEN (g.granted_at >= $5 OR {end_expr} > $3) AND g.granted_at <= $6 THEN \
                 (SELECT MIN(a.at) FROM access_log a WHERE a.grant_id = g.id AND a.at <= $1) END"
        )),
        packed::int(&format!(
            "CASE WHEN {end_expr} > $2 THEN \
                 (SELECT MAX(a.at) FROM access_log a WHERE a.grant_id = g.id AND a.at <= $2) END"
        )),
        // Count and first instant of the uses after the end, in one
        // seek, only for grants that had ended within the period by `T`.
        format!(
            "COALESCE(CASE WHEN {end_expr} <= $1 AND {end_expr} < $4 THEN \
                 (SELECT CAST(COUNT(*) AS TEXT) || {sep} || COALESCE(CAST(MIN(a.at) AS TEXT), '') \
                 {after_end}) END, CAST('0' AS TEXT) || {sep})",
            sep = packed::SEPARATOR_PARAM
        ),
    ]);
    let sql = format!(
        "SELECT {row} FROM grants g JOIN catalog_entries e ON e.id = g.entry_id \
         WHERE g.granted_at <= $1 AND g.granted_at < $4"
    );
    packed::fetch_decoded(
        store,
        &sql,
        &[
            ctx.as_of,
            ctx.evaluation_ms(),
            start,
            ctx.period.end_ms(),
            earliest_window,
            latest_window,
        ],
        |f| {
            Ok(GrantRow {
                id: f.string()?,
                grantee_id: f.string()?,
                provider_id: f.string()?,
                granted_at: f.int()?,
                expires_at: f.int()?,
                revoked_at: f.opt_int()?,
                first_use: f.opt_int()?,
                last_use: f.opt_int()?,
                uses_after_end: f.opt_int()?.unwrap_or(0),
                first_use_after_end: f.opt_int()?,
            })
        },
    )
    .await
}

/// Runs the check.
pub async fn run(ctx: &Context, store: &Store) -> Result<Vec<CheckItem>, MetricsError> {
    let rows = load(ctx, store).await?;
    Ok(items(ctx, &rows))
}

/// The items of the given grants.
pub fn items(ctx: &Context, rows: &[GrantRow]) -> Vec<CheckItem> {
    let mut out = Vec::new();
    let eval = ctx.evaluation_ms();
    let (ps, pe) = (ctx.period.start_ms(), ctx.period.end_ms());
    for g in rows.iter().filter(|g| g.granted_at <= ctx.as_of) {
        let end = g.end();
        let grantee = ctx.profile_of(&g.grantee_id);
        let provider = ctx.profile_of(&g.provider_id);
        let first_use = g.first_use.filter(|&t| t <= ctx.as_of);
        let last_use = g.last_use.filter(|&t| t <= eval);

        if let Some((rule, months)) = months_rule(grantee.deadline(DeadlineKey::GrantUnused)) {
            // Never used within the window.
            let window_end = add_months(g.granted_at, months);
            let unused_in_window = first_use.is_none_or(|f| f >= window_end);
            let in_period = (window_end >= ps && window_end < pe)
                || (window_end < ps && first_use.is_none_or(|f| f >= ps) && end > ps);
            if window_end <= ctx.as_of && unused_in_window && in_period {
                let mut item = ctx
                    .item(
                        Rule::NeverUsed,
                        &g.id,
                        &g.grantee_id,
                        grantee,
                        &rule.citation,
                        Status::Revocable,
                    )
                    .with_rule(rule);
                item.due = Some(local_date(window_end));
                item.clock_start = Some(g.granted_at);
                item.first_use_at = first_use;
                item.done_at = first_use;
                if let Some(f) = first_use {
                    item.status = Status::Resolved;
                    item.add_note(format!("首次使用于{}", format_millis(f)));
                } else if end <= ctx.as_of {
                    item.status = Status::Resolved;
                    item.add_note(if g.revoked_at.is_some_and(|r| r == end) {
                        "授权已收回"
                    } else {
                        "授权已到期"
                    });
                }
                out.push(item);
            } else if window_end <= ctx.as_of
                && !unused_in_window
                && window_end >= ps
                && window_end < pe
            {
                // Used within the window: the rule was met (the evaluation's
                // grant-use rate needs the grants in good standing too).
                let mut item = ctx
                    .item(
                        Rule::NeverUsed,
                        &g.id,
                        &g.grantee_id,
                        grantee,
                        &rule.citation,
                        Status::OnTime,
                    )
                    .with_rule(rule);
                item.due = Some(local_date(window_end));
                item.clock_start = Some(g.granted_at);
                item.first_use_at = first_use;
                item.done_at = first_use;
                out.push(item);
            }
            // Idle: used, then no use for the window, grant still active.
            if let Some(last) = last_use {
                let idle_since = add_months(last, months);
                if g.granted_at <= eval && end > eval && idle_since <= eval {
                    let mut item = ctx
                        .item(
                            Rule::Idle,
                            &g.id,
                            &g.grantee_id,
                            grantee,
                            &rule.citation,
                            Status::Revocable,
                        )
                        .with_rule(rule);
                    item.key = format!("{}:{}:{}", Rule::Idle, g.id, local_date(last));
                    item.due = Some(local_date(idle_since));
                    item.first_use_at = first_use;
                    item.last_use_at = Some(last);
                    out.push(item);
                }
            }
        }

        if let Some((rule, months)) = months_rule(provider.deadline(DeadlineKey::GrantMaxAge)) {
            let limit = add_months(g.granted_at, months);
            if g.expires_at > limit && ctx.period.contains_ms(g.granted_at) {
                let mut item = ctx
                    .item(
                        Rule::MaxAge,
                        &g.id,
                        &g.provider_id,
                        provider,
                        &rule.citation,
                        Status::Violation,
                    )
                    .with_rule(rule);
                item.due = Some(local_date(limit));
                item.clock_start = Some(g.granted_at);
                item.done_at = Some(g.granted_at);
                item.add_note(format!(
                    "授权期至{}，超过最长授权期{}天",
                    local_date(g.expires_at),
                    (local_date(g.expires_at) - local_date(limit)).num_days()
                ));
                out.push(item);
            }
        }

        if let Some((rule, _)) = months_rule(grantee.deadline(DeadlineKey::GrantMaxAge)) {
            if g.uses_after_end > 0 {
                let mut item = ctx
                    .item(
                        Rule::UsedAfterEnd,
                        &g.id,
                        &g.grantee_id,
                        grantee,
                        &rule.citation,
                        Status::Violation,
                    )
                    .with_rule(rule);
                item.due = Some(local_date(end));
                item.done_at = g.first_use_after_end;
                item.uses_after_end = Some(g.uses_after_end);
                item.last_use_at = last_use;
                item.add_note(if g.revoked_at.is_some_and(|r| r == end) {
                    "授权收回后仍在调用"
                } else {
                    "授权到期后仍在调用"
                });
                out.push(item);
            }
            let active = g.granted_at <= eval && end > eval;
            if active && g.expires_at <= eval + EXPIRING_WINDOW_DAYS * DAY_MS {
                let mut item = ctx
                    .item(
                        Rule::Expiring,
                        &g.id,
                        &g.grantee_id,
                        grantee,
                        &rule.citation,
                        Status::Expiring,
                    )
                    .with_rule(rule);
                item.key = format!("{}:{}:{}", Rule::Expiring, g.id, local_date(g.expires_at));
                item.due = Some(local_date(g.expires_at));
                item.last_use_at = last_use;
                out.push(item);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::metrics::testutil::{ctx_at, ms};

    fn grant(id: &str, granted: &str, expires: &str) -> GrantRow {
        GrantRow {
            id: id.into(),
            grantee_id: "DEP-C-1".into(),
            provider_id: "DEP-C-2".into(),
            granted_at: ms(granted),
            expires_at: ms(expires),
            revoked_at: None,
            first_use: None,
            last_use: None,
            uses_after_end: 0,
            first_use_after_end: None,
        }
    }

    fn find(items: &[CheckItem], rule: Rule) -> Option<&CheckItem> {
        items.iter().find(|i| i.rule == rule)
    }

    #[test]
    fn never_used_for_three_months_is_revocable_until_used() {
        let g = grant(
            "G1",
            "2025-03-10T10:00:00+08:00",
            "2026-03-10T10:00:00+08:00",
        );
        // As of June 9: the window (to June 10 10:00) is still open.
        let items = items(&ctx_at("2025-06-09T10:00:00+08:00"), &[g.clone()]);
        assert!(find(&items, Rule::NeverUsed).is_none());
        // As of June 11: revocable, JC Art.31, the grantee answers.
        let ctx = ctx_at("2025-06-11T10:00:00+08:00");
        let items = super::items(&ctx, &[g.clone()]);
        let i = find(&items, Rule::NeverUsed).unwrap();
        assert_eq!(i.status, Status::Revocable);
        assert_eq!(i.responsible_id, "DEP-C-1");
        assert_eq!(i.citation, "JC Art.31");
        assert_eq!(i.due, Some(NaiveDate::from_ymd_opt(2025, 6, 10).unwrap()));
        assert_eq!(i.category, None);
        // First used in July: resolved.
        let mut used = g.clone();
        used.first_use = Some(ms("2025-07-01T09:00:00+08:00"));
        let items = super::items(&ctx_at("2025-12-31T10:00:00+08:00"), &[used.clone()]);
        assert_eq!(
            find(&items, Rule::NeverUsed).unwrap().status,
            Status::Resolved
        );
        // Used within the window: the rule was met (on time, no finding).
        used.first_use = Some(ms("2025-06-10T09:00:00+08:00"));
        let items = super::items(&ctx_at("2025-12-31T10:00:00+08:00"), &[used]);
        let i = find(&items, Rule::NeverUsed).unwrap();
        assert_eq!(i.status, Status::OnTime);
        assert!(!i.status.is_breach());
        // Revoked without use: resolved (the remedy of Art.31 was applied).
        let mut revoked = g;
        revoked.revoked_at = Some(ms("2025-08-01T09:00:00+08:00"));
        let items = super::items(&ctx_at("2025-12-31T10:00:00+08:00"), &[revoked]);
        let i = find(&items, Rule::NeverUsed).unwrap();
        assert_eq!(i.status, Status::Resolved);
        assert_eq!(i.note.as_deref(), Some("授权已收回"));
    }

    #[test]
    fn idle_max_age_use_after_end_and_expiring() {
        let ctx = ctx_at("2025-12-31T10:00:00+08:00");
        let mut g = grant(
            "G2",
            "2025-01-06T10:00:00+08:00",
            "2028-01-20T10:00:00+08:00",
        );
        g.first_use = Some(ms("2025-01-07T10:00:00+08:00"));
        g.last_use = Some(ms("2025-08-15T10:00:00+08:00"));
        let items = items(&ctx, &[g.clone()]);
        let idle = find(&items, Rule::Idle).unwrap();
        assert_eq!(idle.status, Status::Revocable);
        assert_eq!(idle.key, "idle:G2:2025-08-15");
        let max = find(&items, Rule::MaxAge).unwrap();
        assert_eq!(max.status, Status::Violation);
        assert_eq!(max.responsible_id, "DEP-C-2", "the provider granted it");
        assert_eq!(
            max.category, None,
            "categories are set by findings::classify"
        );
        assert_eq!(max.due, Some(NaiveDate::from_ymd_opt(2028, 1, 6).unwrap()));
        // Three years exactly is allowed.
        g.expires_at = ms("2028-01-06T10:00:00+08:00");
        assert!(find(&super::items(&ctx, &[g.clone()]), Rule::MaxAge).is_none());
        // Expired on Dec 1, called 12 times after: misuse by the grantee.
        let mut late = grant(
            "G3",
            "2024-12-01T10:00:00+08:00",
            "2025-12-01T10:00:00+08:00",
        );
        late.uses_after_end = 12;
        late.first_use_after_end = Some(ms("2025-12-02T09:00:00+08:00"));
        let items = super::items(&ctx, &[late]);
        let u = find(&items, Rule::UsedAfterEnd).unwrap();
        assert_eq!((u.status, u.uses_after_end), (Status::Violation, Some(12)));
        assert_eq!(u.responsible_id, "DEP-C-1");
        // Expiring on Jan 20, 2026: within 30 days of Dec 31.
        let soon = grant(
            "G4",
            "2025-01-20T10:00:00+08:00",
            "2026-01-20T10:00:00+08:00",
        );
        let items = super::items(&ctx, &[soon.clone()]);
        assert_eq!(
            find(&items, Rule::Expiring).unwrap().status,
            Status::Expiring
        );
        let items = super::items(&ctx_at("2025-11-30T10:00:00+08:00"), &[soon]);
        assert!(find(&items, Rule::Expiring).is_none());
    }

    #[test]
    fn profiles_without_grant_rules_produce_nothing() {
        let ctx = ctx_at("2025-12-31T10:00:00+08:00");
        let mut g = grant(
            "G5",
            "2025-01-06T10:00:00+08:00",
            "2035-01-20T10:00:00+08:00",
        );
        g.grantee_id = "DEP-Y-1".into();
        g.provider_id = "DEP-X-1".into();
        g.uses_after_end = 3;
        assert!(items(&ctx, &[g]).is_empty());
    }

    #[test]
    fn months_are_calendar_months_in_local_time() {
        let t = ms("2025-11-30T23:30:00+08:00");
        assert_eq!(add_months(t, 3), ms("2026-02-28T23:30:00+08:00"));
    }
}
