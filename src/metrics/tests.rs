//! Tests of the framework: governing profiles, authorities, judgements.

use chrono::NaiveDate;

use super::testutil::{ctx_at, ms};
use super::*;
use crate::vocab::{CheckKind, Rule, Status};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn governing_profile_walks_up_to_the_parent_then_the_default() {
    let ctx = ctx_at("2025-12-31T12:00:00+08:00");
    assert_eq!(ctx.profile_of("DEP-C-1").id, "jincheng");
    assert_eq!(
        ctx.profile_of("DEP-D-1").id,
        "jincheng",
        "district inherits the city's"
    );
    assert_eq!(ctx.profile_of("DEP-X-1").id, "xinxian");
    assert_eq!(ctx.profile_of("DEP-Y-1").id, "yingkou");
    assert_eq!(ctx.profile_of("DEP-UNKNOWN").id, "jincheng", "default");
    assert_eq!(ctx.reviewing_authority("DEP-D-1"), Some("DEP-C-AUTH"));
    assert_eq!(ctx.reviewing_authority("DEP-X-1"), Some("DEP-X-AUTH"));
}

#[test]
fn judgement_at_the_edges_of_the_due_day() {
    let ctx = ctx_at("2025-12-31T12:00:00+08:00");
    let due = date(2025, 10, 13);
    assert_eq!(
        ctx.judge(due, Some(ms("2025-10-13T23:59:59+08:00"))).status,
        Status::OnTime
    );
    let late = ctx.judge(due, Some(ms("2025-10-14T00:00:00+08:00")));
    assert_eq!(late.status, Status::Late);
    assert_eq!(late.working_days_late, Some(1));
    // Done after T: not done as of T.
    let ctx = ctx_at("2025-10-13T10:00:00+08:00");
    let j = ctx.judge(due, Some(ms("2025-10-13T11:00:00+08:00")));
    assert_eq!((j.status, j.done_at), (Status::AtRisk, None));
}

#[test]
fn provisional_years_are_flagged_never_silent() {
    let ctx = ctx_at("2025-12-31T12:00:00+08:00");
    let last = *ctx.calendar.years().end();
    let event = midnight_ms(NaiveDate::from_ymd_opt(last, 12, 30).unwrap()) + 10 * 3_600_000;
    let (due, provisional) = ctx.due_after(event, 5);
    assert!(provisional, "{due} needs {} which is not covered", last + 1);
    let (_, exact) = ctx.due_after(midnight_ms(date(2025, 3, 3)), 5);
    assert!(!exact);
    let (n, p) = ctx.working_days_between(date(last, 12, 1), date(last + 1, 1, 31));
    assert!(p && n > 20);
}

#[test]
fn columns_match_the_serialised_fields() {
    let ctx = ctx_at("2025-12-31T12:00:00+08:00");
    let p = ctx.profile_of("DEP-C-1");
    let rule = p.deadline(crate::rules::DeadlineKey::Review).unwrap();
    let item = CheckItem::new(
        Rule::Review,
        "REQ-1",
        "DEP-C-AUTH",
        p,
        &rule.citation,
        Status::Pending,
    );
    let value = serde_json::to_value(&item).unwrap();
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort_unstable();
    let mut columns = CheckItem::COLUMNS.to_vec();
    columns.sort_unstable();
    assert_eq!(keys, columns);
    assert_eq!(item.key, "review:REQ-1");
}

#[test]
fn check_kinds_parse_both_spellings() {
    assert_eq!(
        "open-applications".parse::<CheckKind>().unwrap(),
        CheckKind::OpenApplications
    );
    assert_eq!(
        "open_applications".parse::<CheckKind>().unwrap(),
        CheckKind::OpenApplications
    );
    assert!("approval".parse::<CheckKind>().is_err());
}
