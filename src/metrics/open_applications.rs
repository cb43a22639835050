//! Open-data applications (依申请开放), where the profile regulates them
//! (YK Art.29): answered on the spot when the platform records
//! `on_the_spot = true` (due the same working day, n = 0: the day of
//! submission if it is a working day, else the next one), else within the
//! profile's working days from the submission (收到申请之日起). Done at
//! `answered_at`; responsible: the entry's department.

use super::packed;
use super::{CheckItem, Context, MetricsError};
use crate::rules::{DeadlineKey, DeadlineKind};
use crate::store::Store;
use crate::vocab::{Rule, Status};

/// One application with its entry's department.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationRow {
    /// Platform id.
    pub id: String,
    /// The entry's department.
    pub department_id: String,
    /// Submission.
    pub submitted_at: i64,
    /// Whether it was to be answered on the spot.
    pub on_the_spot: bool,
    /// The answer.
    pub answered_at: Option<i64>,
}

/// Reads the applications submitted in the period, up to `T`.
pub async fn load(ctx: &Context, store: &Store) -> Result<Vec<ApplicationRow>, MetricsError> {
    let row = packed::row(&[
        packed::text("o.id"),
        packed::text("e.department_id"),
        packed::int("o.submitted_at"),
        packed::boolean("o.on_the_spot"),
        packed::int("o.answered_at"),
    ]);
    let sql = format!(
        "SELECT {row} FROM open_applications o JOIN catalog_entries e ON e.id = o.entry_id \
         WHERE o.submitted_at >= $1 AND o.submitted_at < $2 AND o.submitted_at <= $3"
    );
    packed::fetch_decoded(
        store,
        &sql,
        &[ctx.period.start_ms(), ctx.period.end_ms(), ctx.as_of],
        |f| {
            Ok(ApplicationRow {
                id: f.string()?,
                department_id: f.string()?,
                submitted_at: f.int()?,
                on_the_spot: f.bool()?,
                answered_at: f.opt_int()?,
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

/// The items of the given applications.
pub fn items(ctx: &Context, rows: &[ApplicationRow]) -> Vec<CheckItem> {
    let mut out = Vec::with_capacity(rows.len());
    for a in rows.iter().filter(|a| ctx.in_scope(a.submitted_at)) {
        let profile = ctx.profile_of(&a.department_id);
        let Some(rule) = profile.deadline(DeadlineKey::OpenApplication) else {
            continue;
        };
        // On the spot: the day itself (n = 0), else the fallback in
        // working days; other kinds: their limit in working days.
        let limit = if rule.kind == DeadlineKind::OnTheSpot {
            if a.on_the_spot {
                Some(0)
            } else {
                rule.working_days
            }
        } else {
            rule.working_day_limit()
        };
        let Some(n) = limit else {
            continue;
        };
        let j = ctx.judge_after(a.submitted_at, n, a.answered_at);
        let mut item = ctx
            .item(
                Rule::OpenApplication,
                &a.id,
                &a.department_id,
                profile,
                &rule.citation,
                Status::Pending,
            )
            .with_rule(rule)
            .with_judgement(&j);
        item.clock_start = Some(a.submitted_at);
        item.working_days = Some(n);
        if a.on_the_spot {
            item.add_note("当场答复");
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

    fn app(
        dept: &str,
        submitted: &str,
        on_the_spot: bool,
        answered: Option<&str>,
    ) -> ApplicationRow {
        ApplicationRow {
            id: "OPA-1".into(),
            department_id: dept.into(),
            submitted_at: ms(submitted),
            on_the_spot,
            answered_at: answered.map(ms),
        }
    }

    /// YK Art.29: on the spot, else 10 working days from receipt.
    #[test]
    fn yingkou_on_the_spot_versus_ten_working_days() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        // On the spot on Tue 2025-09-30, answered at 17:00 the same day: on time.
        let a = app(
            "DEP-Y-1",
            "2025-09-30T10:00:00+08:00",
            true,
            Some("2025-09-30T17:00:00+08:00"),
        );
        let i = &items(&ctx, &[a])[0];
        assert_eq!((i.due, i.status), (Some(date(2025, 9, 30)), Status::OnTime));
        assert_eq!(i.working_days, Some(0));
        assert_eq!(i.citation, "YK Art.29");
        assert_eq!(i.responsible_id, "DEP-Y-1");
        // Answered the next working day (Oct 9, after the holiday): late by 1 wd.
        let a = app(
            "DEP-Y-1",
            "2025-09-30T10:00:00+08:00",
            true,
            Some("2025-10-09T09:00:00+08:00"),
        );
        let i = &items(&ctx, &[a])[0];
        assert_eq!((i.status, i.working_days_late), (Status::Late, Some(1)));
        // On the spot on a holiday (Oct 3): due the next working day, Oct 9.
        let a = app("DEP-Y-1", "2025-10-03T10:00:00+08:00", true, None);
        assert_eq!(items(&ctx, &[a])[0].due, Some(date(2025, 10, 9)));
        // Not on the spot, Sep 30: 10 wd → Oct 9, 10, 11, 13, 14, 15, 16, 17, 20, 21.
        let a = app(
            "DEP-Y-1",
            "2025-09-30T10:00:00+08:00",
            false,
            Some("2025-10-21T23:59:00+08:00"),
        );
        let i = &items(&ctx, &[a])[0];
        assert_eq!(
            (i.due, i.status),
            (Some(date(2025, 10, 21)), Status::OnTime)
        );
        assert_eq!(i.working_days, Some(10));
    }

    #[test]
    fn profiles_without_an_open_application_rule_produce_nothing() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        let a = app("DEP-C-1", "2025-09-30T10:00:00+08:00", false, None);
        assert!(items(&ctx, &[a]).is_empty());
    }
}
