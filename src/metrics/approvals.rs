//! Approvals: every stage of every share request submitted in the period,
//! each with its own deadline and responsible party.
//!
//! - **review** — the authority's compliance review, where the reviewing
//!   authority's profile has a `review` deadline (JC Art.30(1)(2): 2 working
//!   days from submission). Done at `reviewed_at`. The reviewing authority is
//!   the bureau of the *requester's* jurisdiction: JC Art.28 makes the
//!   authority receive and review the requests of the departments of its own
//!   level (受理同级政务部门的政务数据使用申请，对申请材料进行符合性审核); a
//!   jurisdiction without a bureau of its own falls back to the nearest
//!   ancestor's ([`Context::reviewing_authority`]).
//! - **reply** — the provider's answer to a conditional request, under the
//!   provider's profile ([`crate::rules::Profile::reply_conditional`]: JC's
//!   published / unpublished variants by `already_published`, else the
//!   general rule). Done at `replied_at`. The clock starts at the event the
//!   profile names: `forwarding` → `forwarded_at`; when the platform did not
//!   record the forwarding, `reviewed_at` (the forwarding follows the review
//!   at once, JC Art.30(2)), then `submitted_at` — the item then says so in
//!   its note. `receipt` and `submission` → `submitted_at` (YK Art.20 and
//!   the others have the user apply to the provider directly). Rules that
//!   set no time limit (`direct`, unconditional requests) produce no item.
//! - **refusal_reason** — a refusal (`decision = refused`) whose
//!   `refusal_reason` is empty: a `violation` of the profile's
//!   `refusal_reason` rule. The one who refused answers for it: the provider
//!   when the request was forwarded to it, else the reviewing authority that
//!   refused at review (the texts address the provider, 提供部门应说明理由;
//!   a refusal at review is the authority's decision and is held to the same
//!   duty). The refusal exists as of its decision instant (`replied_at`,
//!   else `reviewed_at`, else `submitted_at`).

use super::packed;
use super::{CheckItem, Context, MetricsError};
use crate::rules::{ClockStart, DeadlineKey};
use crate::store::Store;
use crate::vocab::{Decision, Rule, ShareType, Status};

/// One share request as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRow {
    /// Platform id.
    pub id: String,
    /// The using department.
    pub requester_id: String,
    /// The providing department.
    pub provider_id: String,
    /// The share type requested.
    pub share_type: ShareType,
    /// Submission.
    pub submitted_at: i64,
    /// The authority's review.
    pub reviewed_at: Option<i64>,
    /// Forwarding to the provider.
    pub forwarded_at: Option<i64>,
    /// Whether the data is already on the platform (JC Art.30(2)).
    pub already_published: bool,
    /// The answer.
    pub replied_at: Option<i64>,
    /// The decision.
    pub decision: Decision,
    /// Whether `refusal_reason` holds more than blanks.
    pub reason_given: bool,
}

/// Reads the requests submitted in the period, up to `T`.
pub async fn load(ctx: &Context, store: &Store) -> Result<Vec<RequestRow>, MetricsError> {
    let row = packed::row(&[
        packed::text("id"),
        packed::text("requester_id"),
        packed::text("provider_id"),
        packed::text("share_type"),
        packed::int("submitted_at"),
        packed::int("reviewed_at"),
        packed::int("forwarded_at"),
        packed::boolean("already_published"),
        packed::int("replied_at"),
        packed::text("decision"),
        packed::blank("refusal_reason"),
    ]);
    let sql = format!(
        "SELECT {row} FROM share_requests \
         WHERE submitted_at >= $1 AND submitted_at < $2 AND submitted_at <= $3"
    );
    packed::fetch_decoded(
        store,
        &sql,
        &[ctx.period.start_ms(), ctx.period.end_ms(), ctx.as_of],
        |f| {
            Ok(RequestRow {
                id: f.string()?,
                requester_id: f.string()?,
                provider_id: f.string()?,
                share_type: f.name()?,
                submitted_at: f.int()?,
                reviewed_at: f.opt_int()?,
                forwarded_at: f.opt_int()?,
                already_published: f.bool()?,
                replied_at: f.opt_int()?,
                decision: f.name()?,
                reason_given: !f.bool()?,
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

/// The items of the given requests (those outside the period or after `T`
/// are skipped).
pub fn items(ctx: &Context, rows: &[RequestRow]) -> Vec<CheckItem> {
    let mut out = Vec::with_capacity(rows.len() * 2);
    for r in rows.iter().filter(|r| ctx.in_scope(r.submitted_at)) {
        if let Some(item) = review(ctx, r) {
            out.push(item);
        }
        if let Some(item) = reply(ctx, r) {
            out.push(item);
        }
        if let Some(item) = refusal(ctx, r) {
            out.push(item);
        }
    }
    out
}

fn review(ctx: &Context, r: &RequestRow) -> Option<CheckItem> {
    let authority = ctx.reviewing_authority(&r.requester_id)?;
    let profile = ctx.profile_of(authority);
    let rule = profile.deadline(DeadlineKey::Review)?;
    let n = rule.working_day_limit()?;
    let (start, note) = clock_start(ctx, rule.from, r)?;
    let j = ctx.judge_after(start, n, r.reviewed_at);
    let mut item = ctx
        .item(
            Rule::Review,
            &r.id,
            authority,
            profile,
            &rule.citation,
            Status::Pending,
        )
        .with_rule(rule)
        .with_judgement(&j);
    item.clock_start = Some(start);
    item.working_days = Some(n);
    if let Some(n) = note {
        item.add_note(n);
    }
    Some(item)
}

fn reply(ctx: &Context, r: &RequestRow) -> Option<CheckItem> {
    if r.share_type != ShareType::Conditional {
        return None;
    }
    let profile = ctx.profile_of(&r.provider_id);
    let rule = profile.reply_conditional(r.already_published)?;
    let n = rule.working_day_limit()?;
    let (start, note) = clock_start(ctx, rule.from, r)?;
    let j = ctx.judge_after(start, n, r.replied_at);
    let mut item = ctx
        .item(
            Rule::Reply,
            &r.id,
            &r.provider_id,
            profile,
            &rule.citation,
            Status::Pending,
        )
        .with_rule(rule)
        .with_judgement(&j);
    item.clock_start = Some(start);
    item.working_days = Some(n);
    if let Some(n) = note {
        item.add_note(n);
    }
    Some(item)
}

fn refusal(ctx: &Context, r: &RequestRow) -> Option<CheckItem> {
    if r.decision != Decision::Refused || r.reason_given {
        return None;
    }
    let decided = r.replied_at.or(r.reviewed_at).unwrap_or(r.submitted_at);
    if decided > ctx.as_of {
        return None;
    }
    let decider = if r.forwarded_at.is_some() {
        r.provider_id.as_str()
    } else {
        match (r.reviewed_at, ctx.reviewing_authority(&r.requester_id)) {
            (Some(_), Some(authority)) => authority,
            (Some(_), None) | (None, _) => r.provider_id.as_str(),
        }
    };
    let profile = ctx.profile_of(decider);
    let rule = profile.deadline(DeadlineKey::RefusalReason)?;
    let mut item = ctx
        .item(
            Rule::RefusalReason,
            &r.id,
            decider,
            profile,
            &rule.citation,
            Status::Violation,
        )
        .with_rule(rule);
    item.done_at = Some(decided);
    if decider != r.provider_id {
        item.add_note("审查阶段不予共享，由政务数据主管部门说明理由");
    }
    Some(item)
}

/// The instant that starts the clock of a request's rule, with a note when a
/// fallback was used; `None` while the stage has not started as of `T` (the
/// forwarding or review recorded after `T`).
fn clock_start(
    ctx: &Context,
    from: Option<ClockStart>,
    r: &RequestRow,
) -> Option<(i64, Option<&'static str>)> {
    let known = |t: i64| (t <= ctx.as_of).then_some(t);
    match from {
        Some(ClockStart::Forwarding) => match (r.forwarded_at, r.reviewed_at) {
            (Some(t), _) => Some((known(t)?, None)),
            (None, Some(t)) => Some((known(t)?, Some("平台未记录转送时间，自审查完成时起算"))),
            (None, None) => Some((
                r.submitted_at,
                Some("平台未记录转送及审查时间，自提交时起算"),
            )),
        },
        // The user applies to the provider directly (YK Art.20 and the
        // others): receipt is the submission.
        Some(ClockStart::Submission | ClockStart::Receipt) | None => Some((r.submitted_at, None)),
        // Starts no request rule names; the profile validator keeps them to
        // their own deadlines.
        Some(
            ClockStart::Event
            | ClockStart::Publication
            | ClockStart::Grant
            | ClockStart::Notice
            | ClockStart::Record
            | ClockStart::QuarterStart,
        ) => Some((r.submitted_at, None)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::metrics::testutil::{ctx_at, ms};
    use crate::vocab::Stage;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn conditional(id: &str, submitted: &str) -> RequestRow {
        RequestRow {
            id: id.into(),
            requester_id: "DEP-C-1".into(),
            provider_id: "DEP-C-2".into(),
            share_type: ShareType::Conditional,
            submitted_at: ms(submitted),
            reviewed_at: None,
            forwarded_at: None,
            already_published: true,
            replied_at: None,
            decision: Decision::Pending,
            reason_given: false,
        }
    }

    /// JC Art.30(2), the Friday before National Day 2025 (Oct 1–8 off,
    /// Sun Sep 28 and Sat Oct 11 make-up working days).
    #[test]
    fn jc_conditional_request_before_national_day() {
        let mut r = conditional("REQ-1", "2025-09-26T10:00:00+08:00");
        // Review: day 1 = Sun Sep 28 (make-up), day 2 = Mon Sep 29.
        r.reviewed_at = Some(ms("2025-09-29T17:00:00+08:00"));
        r.forwarded_at = Some(ms("2025-09-29T17:30:00+08:00"));
        let ctx = ctx_at("2025-12-31T23:00:00+08:00");
        let items = items(&ctx, &[r.clone()]);
        assert_eq!(items.len(), 2);
        let review = &items[0];
        assert_eq!(review.stage, Some(Stage::Review));
        assert_eq!(review.responsible_id, "DEP-C-AUTH");
        assert_eq!(review.due, Some(date(2025, 9, 29)));
        assert_eq!(review.status, Status::OnTime);
        assert_eq!(review.citation, "JC Art.30(1)");
        assert_eq!(
            review.citation_text,
            "《晋城市政务数据资源共享管理实施细则》第三十条第（一）项"
        );
        // Reply (published: 5 wd from forwarding on Sep 29): Sep 30, Oct 9,
        // Oct 10, Oct 11 (Sat, make-up), Oct 13.
        let reply = &items[1];
        assert_eq!(reply.stage, Some(Stage::Reply));
        assert_eq!(reply.responsible_id, "DEP-C-2");
        assert_eq!(reply.due, Some(date(2025, 10, 13)));
        assert_eq!(reply.status, Status::Overdue);
        assert_eq!(reply.citation, "JC Art.30(2)");
        assert_eq!(reply.working_days, Some(5));
        // Unpublished: 10 wd → Oct 14, 15, 16, 17, 20 → Oct 20.
        r.already_published = false;
        let items = super::items(&ctx, &[r]);
        assert_eq!(items[1].due, Some(date(2025, 10, 20)));
        assert_eq!(items[1].working_days, Some(10));
    }

    #[test]
    fn done_at_2359_on_the_due_day_is_on_time_and_0001_next_day_late() {
        let ctx = ctx_at("2025-12-31T23:00:00+08:00");
        let mut r = conditional("REQ-2", "2025-09-26T10:00:00+08:00");
        r.forwarded_at = Some(ms("2025-09-29T17:30:00+08:00"));
        r.reviewed_at = Some(ms("2025-09-29T17:00:00+08:00"));
        r.replied_at = Some(ms("2025-10-13T23:59:00+08:00"));
        assert_eq!(items(&ctx, &[r.clone()])[1].status, Status::OnTime);
        r.replied_at = Some(ms("2025-10-14T00:01:00+08:00"));
        let late = &items(&ctx, &[r])[1];
        assert_eq!(late.status, Status::Late);
        assert_eq!(late.working_days_late, Some(1));
    }

    #[test]
    fn as_of_turns_done_into_pending_at_risk_overdue() {
        let mut r = conditional("REQ-3", "2025-09-26T10:00:00+08:00");
        r.reviewed_at = Some(ms("2025-09-29T17:00:00+08:00"));
        r.forwarded_at = Some(ms("2025-09-29T17:30:00+08:00"));
        r.replied_at = Some(ms("2025-10-13T09:00:00+08:00"));
        // Reply due Oct 13. On Sep 30 (4 wd left) pending.
        let reply = |t: &str| items(&ctx_at(t), &[r.clone()])[1].clone();
        let p = reply("2025-09-30T12:00:00+08:00");
        assert_eq!((p.status, p.working_days_left), (Status::Pending, Some(4)));
        assert_eq!(p.done_at, None);
        // On Sat Oct 11 (a make-up working day): Oct 13 is 1 wd away → at risk.
        let a = reply("2025-10-11T12:00:00+08:00");
        assert_eq!((a.status, a.working_days_left), (Status::AtRisk, Some(1)));
        // On the due day itself: at risk, 0 left.
        assert_eq!(reply("2025-10-13T08:00:00+08:00").status, Status::AtRisk);
        // The day after, still not done as of then (replied later) → but it
        // was replied on Oct 13 09:00, so as of Oct 14 it is on time.
        assert_eq!(reply("2025-10-14T08:00:00+08:00").status, Status::OnTime);
        // Without a reply, as of Oct 14: overdue by 1 wd.
        r.replied_at = None;
        let o = items(&ctx_at("2025-10-14T08:00:00+08:00"), &[r.clone()])[1].clone();
        assert_eq!((o.status, o.working_days_late), (Status::Overdue, Some(1)));
        // The review, done Sep 29 17:00, is at risk as of Sep 29 12:00 (due
        // that day); the reply's clock has not started (forwarded at 17:30).
        let early = items(&ctx_at("2025-09-29T12:00:00+08:00"), &[r]);
        assert_eq!(early.len(), 1);
        assert_eq!(early[0].stage, Some(Stage::Review));
        assert_eq!(early[0].status, Status::AtRisk);
        assert_eq!(early[0].working_days_left, Some(0));
    }

    #[test]
    fn forwarding_falls_back_to_review_then_submission() {
        let ctx = ctx_at("2025-12-31T23:00:00+08:00");
        let mut r = conditional("REQ-4", "2025-09-26T10:00:00+08:00");
        r.reviewed_at = Some(ms("2025-09-29T17:00:00+08:00"));
        let reply = &items(&ctx, &[r.clone()])[1];
        assert_eq!(reply.due, Some(date(2025, 10, 13)));
        assert!(reply.note.as_deref().unwrap().contains("审查完成"));
        r.reviewed_at = None;
        let reply = &items(&ctx, &[r])[1];
        // From Fri Sep 26: Sep 28, 29, 30, Oct 9, 10 → Oct 10.
        assert_eq!(reply.due, Some(date(2025, 10, 10)));
        assert!(reply.note.as_deref().unwrap().contains("提交"));
    }

    #[test]
    fn refusal_without_reason_is_a_violation_of_the_decider() {
        let ctx = ctx_at("2025-12-31T23:00:00+08:00");
        let mut r = conditional("REQ-5", "2025-03-03T10:00:00+08:00");
        r.reviewed_at = Some(ms("2025-03-04T10:00:00+08:00"));
        r.forwarded_at = Some(ms("2025-03-04T10:30:00+08:00"));
        r.replied_at = Some(ms("2025-03-06T10:00:00+08:00"));
        r.decision = Decision::Refused;
        r.reason_given = false;
        let items = items(&ctx, &[r.clone()]);
        let refusal = items
            .iter()
            .find(|i| i.rule == Rule::RefusalReason)
            .unwrap();
        assert_eq!(refusal.status, Status::Violation);
        assert_eq!(refusal.responsible_id, "DEP-C-2");
        assert_eq!(refusal.stage, Some(Stage::RefusalReason));
        assert_eq!(refusal.citation, "JC Art.30(2)");
        // With a reason: no item. Refused at review (not forwarded): the authority.
        r.reason_given = true;
        assert!(
            super::items(&ctx, &[r.clone()])
                .iter()
                .all(|i| i.rule != Rule::RefusalReason)
        );
        r.reason_given = false;
        r.forwarded_at = None;
        r.share_type = ShareType::Unconditional;
        let items = super::items(&ctx, &[r.clone()]);
        assert_eq!(
            items.len(),
            2,
            "review and refusal, no reply for unconditional"
        );
        assert_eq!(items[1].responsible_id, "DEP-C-AUTH");
        // Decided after T: not yet a refusal.
        let early = ctx_at("2025-03-05T10:00:00+08:00");
        assert!(
            super::items(&early, &[r])
                .iter()
                .all(|i| i.rule != Rule::RefusalReason)
        );
    }

    #[test]
    fn xinxian_has_no_review_and_counts_the_reply_from_submission() {
        let ctx = ctx_at("2025-12-31T23:00:00+08:00");
        let mut r = conditional("REQ-6", "2025-09-26T10:00:00+08:00");
        r.requester_id = "DEP-X-1".into();
        r.provider_id = "DEP-X-2".into();
        r.forwarded_at = Some(ms("2025-09-29T17:30:00+08:00"));
        let items = items(&ctx, &[r]);
        assert_eq!(items.len(), 1, "XX regulates no review");
        // XX Art.23: 10 wd from submission: Sep 28, 29, 30, Oct 9, 10, 11, 13, 14, 15, 16.
        assert_eq!(items[0].due, Some(date(2025, 10, 16)));
        assert_eq!(items[0].citation, "XX Art.23");
        assert_eq!(items[0].profile, "xinxian");
    }

    #[test]
    fn a_district_without_a_bureau_is_reviewed_by_the_city_bureau() {
        let ctx = ctx_at("2025-12-31T23:00:00+08:00");
        let mut r = conditional("REQ-7", "2025-06-03T10:00:00+08:00");
        r.requester_id = "DEP-D-1".into();
        let items = items(&ctx, &[r]);
        assert_eq!(items[0].responsible_id, "DEP-C-AUTH");
        assert_eq!(items[0].profile, "jincheng");
    }

    #[test]
    fn requests_outside_the_period_or_after_t_are_skipped() {
        let ctx = ctx_at("2025-06-01T00:00:00+08:00");
        let before = conditional("REQ-8", "2024-12-31T23:59:00+08:00");
        let after = conditional("REQ-9", "2025-06-02T09:00:00+08:00");
        assert!(items(&ctx, &[before, after]).is_empty());
    }
}
