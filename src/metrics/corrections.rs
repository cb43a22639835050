//! Corrections (校核): the provider answers a report of disputed data within
//! the profile's `correction` deadline, counted from the report
//! (`raised_at`), plus the approved extension where the profile allows one.
//!
//! - The extension (`extension_days`) counts only where the profile has
//!   `extension_working_days` (XX Art.18: up to 10 more working days with the
//!   head's consent) and the extension is within that maximum and approved
//!   (`extended_at`) at or before `T`. An extension beyond the maximum, or in
//!   a profile that allows none, is ignored and the item says so.
//! - Done at `resolved_at`; responsible: the entry's department.
//! - `in_time` profiles (PDS, KF) are judged on the bureau's default number,
//!   flagged `bureau_default`.

use super::packed;
use super::{CheckItem, Context, MetricsError};
use crate::rules::DeadlineKey;
use crate::store::Store;
use crate::vocab::{Rule, Status};

/// One correction request with its entry's department.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrectionRow {
    /// Platform id.
    pub id: String,
    /// The entry's department (the provider who must check).
    pub department_id: String,
    /// The report.
    pub raised_at: i64,
    /// When the extension was approved.
    pub extended_at: Option<i64>,
    /// The extension, in working days.
    pub extension_days: Option<i64>,
    /// The answer.
    pub resolved_at: Option<i64>,
}

/// Reads the corrections raised in the period, up to `T`.
pub async fn load(ctx: &Context, store: &Store) -> Result<Vec<CorrectionRow>, MetricsError> {
    let row = packed::row(&[
        packed::text("c.id"),
        packed::text("e.department_id"),
        packed::int("c.raised_at"),
        packed::int("c.extended_at"),
        packed::int("c.extension_days"),
        packed::int("c.resolved_at"),
    ]);
    let sql = format!(
        "SELECT {row} FROM corrections c JOIN catalog_entries e ON e.id = c.entry_id \
         WHERE c.raised_at >= $1 AND c.raised_at < $2 AND c.raised_at <= $3"
    );
    packed::fetch_decoded(
        store,
        &sql,
        &[ctx.period.start_ms(), ctx.period.end_ms(), ctx.as_of],
        |f| {
            Ok(CorrectionRow {
                id: f.string()?,
                department_id: f.string()?,
                raised_at: f.int()?,
                extended_at: f.opt_int()?,
                extension_days: f.opt_int()?,
                resolved_at: f.opt_int()?,
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

/// The items of the given corrections.
pub fn items(ctx: &Context, rows: &[CorrectionRow]) -> Vec<CheckItem> {
    let mut out = Vec::with_capacity(rows.len());
    for c in rows.iter().filter(|c| ctx.in_scope(c.raised_at)) {
        let profile = ctx.profile_of(&c.department_id);
        let Some(rule) = profile.deadline(DeadlineKey::Correction) else {
            continue;
        };
        let Some(base) = rule.working_day_limit() else {
            continue;
        };
        let mut note = None;
        let requested = c.extension_days.filter(|&d| d > 0);
        let approved = c.extended_at.is_none_or(|t| t <= ctx.as_of);
        let extension = match (requested, rule.extension_working_days) {
            (None, _) => 0,
            (Some(_), _) if !approved => 0,
            (Some(d), Some(max)) if d <= i64::from(max) => d as u32,
            (Some(d), Some(max)) => {
                note = Some(format!("延长{d}个工作日超过最长{max}个工作日，不予计入"));
                0
            }
            (Some(d), None) => {
                note = Some(format!(
                    "{}未规定延长校核期限，延长{d}个工作日不予计入",
                    profile.title_marked()
                ));
                0
            }
        };
        let n = base + extension;
        let j = ctx.judge_after(c.raised_at, n, c.resolved_at);
        let mut item = ctx
            .item(
                Rule::Correction,
                &c.id,
                &c.department_id,
                profile,
                &rule.citation,
                Status::Pending,
            )
            .with_rule(rule)
            .with_judgement(&j);
        item.clock_start = Some(c.raised_at);
        item.working_days = Some(n);
        item.extension_days = (extension > 0).then_some(i64::from(extension));
        if let Some(n) = note {
            item.add_note(n);
        }
        out.push(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::metrics::testutil::{ctx_at, ms};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn correction(dept: &str, raised: &str) -> CorrectionRow {
        CorrectionRow {
            id: "COR-1".into(),
            department_id: dept.into(),
            raised_at: ms(raised),
            extended_at: None,
            extension_days: None,
            resolved_at: None,
        }
    }

    /// XX Art.18: 5 working days, extended with the head's consent by up to 10.
    #[test]
    fn xinxian_correction_with_an_approved_extension() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        // Raised Mon 2025-03-03: 5 wd → Mon Mar 10.
        let mut c = correction("DEP-X-1", "2025-03-03T10:00:00+08:00");
        c.resolved_at = Some(ms("2025-03-14T16:00:00+08:00"));
        let plain = &items(&ctx, &[c.clone()])[0];
        assert_eq!(plain.due, Some(date(2025, 3, 10)));
        assert_eq!(plain.status, Status::Late);
        assert_eq!(plain.working_days_late, Some(4));
        assert_eq!(plain.citation, "XX Art.18");
        // Extended by 5 wd on Mar 7: due Mar 17, resolved Mar 14 → on time.
        c.extended_at = Some(ms("2025-03-07T10:00:00+08:00"));
        c.extension_days = Some(5);
        let ext = &items(&ctx, &[c.clone()])[0];
        assert_eq!(ext.due, Some(date(2025, 3, 17)));
        assert_eq!(ext.working_days, Some(10));
        assert_eq!(ext.extension_days, Some(5));
        assert_eq!(ext.status, Status::OnTime);
        // The full 10: 15 wd → Mar 24.
        c.extension_days = Some(10);
        assert_eq!(items(&ctx, &[c.clone()])[0].due, Some(date(2025, 3, 24)));
        // 11 is beyond the maximum: ignored, noted.
        c.extension_days = Some(11);
        let over = &items(&ctx, &[c.clone()])[0];
        assert_eq!(over.due, Some(date(2025, 3, 10)));
        assert!(over.note.as_deref().unwrap().contains("超过最长10个工作日"));
        // Approved after T: not yet counted.
        c.extension_days = Some(5);
        let early = ctx_at("2025-03-06T12:00:00+08:00");
        let pending = &items(&early, &[c])[0];
        assert_eq!(pending.due, Some(date(2025, 3, 10)));
        assert_eq!(pending.status, Status::Pending);
    }

    #[test]
    fn jincheng_allows_no_extension() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        let mut c = correction("DEP-C-2", "2025-03-03T10:00:00+08:00");
        c.extended_at = Some(ms("2025-03-05T10:00:00+08:00"));
        c.extension_days = Some(5);
        let i = &items(&ctx, &[c])[0];
        assert_eq!(i.due, Some(date(2025, 3, 10)));
        assert_eq!(i.extension_days, None);
        assert_eq!(i.status, Status::Overdue);
        assert_eq!(i.citation, "JC Art.32");
        assert!(i.note.as_deref().unwrap().contains("未规定延长"));
    }
}
