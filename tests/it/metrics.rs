//! The platform metrics on the small demo municipality, on both backends:
//! every check runs, the demo's known late, refused-without-reason and
//! never-used cases appear, detected findings are deduplicated across runs,
//! and an earlier as-of instant turns done items back into open ones.

use std::collections::HashMap;

use dukao::config::Config;
use dukao::metrics::cli::{self, CheckArgs, CheckFormat, MetricsArgs, MetricsFormat, PeriodArgs};
use dukao::metrics::{self, CheckItem, Context, Period, findings, parse_as_of};
use dukao::store::Store;
use dukao::vocab::{CheckKind, Rule, Stage, Status};
use sqlx::Row;

use crate::both_backends;
use crate::common::{TestStore, demo_csv, import_dir};

/// The moment of the demo's export: 31 December 2025, 24:00.
const YEAR_END: &str = "2025-12-31";

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

fn period() -> Period {
    Period::new(2025, None, None).unwrap()
}

async fn context(store: &Store, as_of: &str) -> Context {
    Context::load(
        store,
        &Config::default(),
        period(),
        parse_as_of(Some(as_of)).unwrap(),
    )
    .await
    .unwrap()
}

fn tally<'a>(items: impl Iterator<Item = &'a CheckItem>) -> HashMap<Status, usize> {
    let mut out = HashMap::new();
    for i in items {
        *out.entry(i.status).or_insert(0) += 1;
    }
    out
}

fn n(t: &HashMap<Status, usize>, s: Status) -> usize {
    t.get(&s).copied().unwrap_or(0)
}

/// Milliseconds of local midnight starting 2025-01-01 and 2026-01-01, as the
/// SQL literals of the demo year.
fn year_bounds() -> (i64, i64) {
    (period().start_ms(), period().end_ms())
}

async fn approvals_on_the_demo(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let store = &ts.store;
    let ctx = context(store, YEAR_END).await;
    let items = metrics::run_check(&ctx, store, CheckKind::Approvals)
        .await
        .unwrap();
    let (ps, pe) = year_bounds();
    let requests = count(
        store,
        &format!(
            "SELECT COUNT(*) FROM share_requests WHERE submitted_at >= {ps} AND submitted_at < {pe}"
        ),
    )
    .await as usize;
    let conditional = count(
        store,
        &format!(
            "SELECT COUNT(*) FROM share_requests WHERE submitted_at >= {ps} AND submitted_at < {pe} \
             AND share_type = 'conditional'"
        ),
    )
    .await as usize;
    let refused_without_reason = count(
        store,
        &format!(
            "SELECT COUNT(*) FROM share_requests WHERE submitted_at >= {ps} AND submitted_at < {pe} \
             AND decision = 'refused' AND (refusal_reason IS NULL OR TRIM(refusal_reason) = '')"
        ),
    )
    .await as usize;
    let reviews = tally(items.iter().filter(|i| i.stage == Some(Stage::Review)));
    let replies = tally(items.iter().filter(|i| i.stage == Some(Stage::Reply)));
    let refusals: Vec<&CheckItem> = items
        .iter()
        .filter(|i| i.rule == Rule::RefusalReason)
        .collect();
    eprintln!(
        "requests {requests}, conditional {conditional}, reviews {reviews:?}, replies {replies:?}, refusals {}",
        refusals.len()
    );

    // Every conditional request has a reply item (JC and XX both regulate it).
    assert_eq!(replies.values().sum::<usize>(), conditional);
    // Reviews: JC requesters only (新川县's XX has no review deadline).
    let review_total: usize = reviews.values().sum();
    assert!(
        review_total > requests * 7 / 10 && review_total < requests,
        "{review_total} of {requests}"
    );
    // The demo reviews late in about 6 %, answers late in a few percent.
    let late_reviews = n(&reviews, Status::Late) + n(&reviews, Status::Overdue);
    assert!(
        late_reviews * 100 > review_total * 3 && late_reviews * 100 < review_total * 12,
        "{late_reviews}"
    );
    let late_replies = n(&replies, Status::Late);
    assert!(
        late_replies > 0 && late_replies * 100 < conditional * 15,
        "{late_replies}"
    );
    assert!(
        n(&replies, Status::Overdue) > 0,
        "stuck requests are overdue at year end"
    );
    assert!(
        n(&replies, Status::Pending) + n(&replies, Status::AtRisk) > 0,
        "December requests still open"
    );
    // Every refusal without reason, and nothing else, is a violation.
    assert_eq!(refusals.len(), refused_without_reason);
    assert!(refusals.len() > 10);
    assert!(refusals.iter().all(|i| i.status == Status::Violation
        && i.category == Some(dukao::vocab::CategoryCode::ApprovalOverdue)));
    // Citations, short and Chinese.
    let jc_reply = items
        .iter()
        .find(|i| i.stage == Some(Stage::Reply) && i.profile == "jincheng")
        .unwrap();
    assert_eq!(jc_reply.citation, "JC Art.30(2)");
    assert!(
        jc_reply
            .citation_text
            .starts_with("《晋城市政务数据资源共享管理实施细则》第三十条")
    );
    let xx_reply = items
        .iter()
        .find(|i| i.stage == Some(Stage::Reply) && i.profile == "xinxian")
        .expect("新川县 answers under XX");
    assert_eq!(xx_reply.citation, "XX Art.23");
    assert!(
        items.iter().all(|i| !i.provisional),
        "2025 is covered by the calendar"
    );
    // Breaches carry their category; open items none.
    assert!(
        items
            .iter()
            .all(|i| i.status.is_breach() == i.category.is_some())
    );

    // As of the end of March, replies done in April are not done yet.
    let early = context(store, "2025-03-31").await;
    let early_items = metrics::run_check(&early, store, CheckKind::Approvals)
        .await
        .unwrap();
    let early_by_key: HashMap<&str, &CheckItem> =
        early_items.iter().map(|i| (i.key.as_str(), i)).collect();
    let cutoff = early.as_of;
    let mut reopened = 0;
    for item in items.iter().filter(|i| i.stage == Some(Stage::Reply)) {
        let (Some(done), Some(e)) = (item.done_at, early_by_key.get(item.key.as_str())) else {
            continue;
        };
        if done > cutoff {
            assert_eq!(e.done_at, None, "{}", item.key);
            assert!(
                matches!(e.status, Status::Pending | Status::AtRisk | Status::Overdue),
                "{} {:?}",
                item.key,
                e.status
            );
            reopened += 1;
        } else {
            assert_eq!(e.status, item.status, "{}", item.key);
        }
    }
    assert!(reopened > 10, "{reopened} replies done after March 31");
    // Nothing submitted after the as-of instant exists yet.
    assert!(early_items.len() < items.len() / 3);
    assert!(
        early_items
            .iter()
            .all(|i| i.clock_start.unwrap_or(0) <= cutoff)
    );
}
both_backends!(approvals, approvals_on_the_demo);

async fn every_check_on_the_demo(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let store = &ts.store;
    let ctx = context(store, YEAR_END).await;
    let (ps, pe) = year_bounds();
    let mut by_kind: HashMap<CheckKind, Vec<CheckItem>> = HashMap::new();
    for kind in CheckKind::ALL {
        by_kind.insert(kind, metrics::run_check(&ctx, store, kind).await.unwrap());
    }

    // Grants: never used (≈8 % of grants), misuse after expiry, over-long grants.
    let grants = &by_kind[&CheckKind::Grants];
    let rule_tally = |rule: Rule| tally(grants.iter().filter(|i| i.rule == rule));
    let never = rule_tally(Rule::NeverUsed);
    let after_end = rule_tally(Rule::UsedAfterEnd);
    let max_age = rule_tally(Rule::MaxAge);
    eprintln!(
        "never used {never:?}, used after end {after_end:?}, max age {max_age:?}, idle {:?}, expiring {:?}",
        rule_tally(Rule::Idle),
        rule_tally(Rule::Expiring)
    );
    let grants_2025 = count(
        store,
        &format!("SELECT COUNT(*) FROM grants WHERE granted_at >= {ps} AND granted_at < {pe}"),
    )
    .await as usize;
    // Items in good standing (used within the window) are `on_time`.
    let never_total = n(&never, Status::Revocable) + n(&never, Status::Resolved);
    assert!(
        n(&never, Status::OnTime) > never_total,
        "most grants are used in time"
    );
    assert!(n(&never, Status::Revocable) > 0);
    assert!(
        never_total * 100 > grants_2025 * 3 && never_total * 100 < grants_2025 * 20,
        "{never_total} of {grants_2025}"
    );
    assert!(n(&after_end, Status::Violation) > 0);
    assert!(n(&max_age, Status::Violation) > 0);
    assert!(
        grants
            .iter()
            .all(|i| i.citation == "JC Art.31" || i.profile != "jincheng")
    );
    assert!(
        grants
            .iter()
            .filter(|i| i.rule == Rule::UsedAfterEnd)
            .all(
                |i| i.category == Some(dukao::vocab::CategoryCode::SecurityFailure)
                    && i.uses_after_end.unwrap_or(0) > 0
            )
    );
    assert!(
        grants
            .iter()
            .filter(|i| i.rule == Rule::NeverUsed)
            .all(|i| i.category.is_none())
    );

    // Corrections: one item each; 新川县's extensions counted.
    let corrections = &by_kind[&CheckKind::Corrections];
    let raised = count(
        store,
        &format!("SELECT COUNT(*) FROM corrections WHERE raised_at >= {ps} AND raised_at < {pe}"),
    )
    .await as usize;
    assert_eq!(corrections.len(), raised);
    let c = tally(corrections.iter());
    eprintln!("corrections {c:?}");
    assert!(n(&c, Status::Late) + n(&c, Status::Overdue) > 0);
    assert!(
        corrections
            .iter()
            .any(|i| i.profile == "xinxian" && i.extension_days.is_some())
    );
    assert!(
        corrections
            .iter()
            .filter(|i| i.profile == "jincheng")
            .all(|i| i.extension_days.is_none())
    );

    // Open applications: neither JC nor XX regulates them.
    assert!(by_kind[&CheckKind::OpenApplications].is_empty());

    // Catalog: one update item per duty change; bases missing.
    let catalog = &by_kind[&CheckKind::Catalog];
    let changes = count(
        store,
        &format!(
            "SELECT COUNT(*) FROM duty_changes WHERE published_at >= {ps} AND published_at < {pe}"
        ),
    )
    .await as usize;
    let updates = tally(catalog.iter().filter(|i| i.rule == Rule::CatalogUpdate));
    eprintln!(
        "catalog updates {updates:?}, share basis {}",
        catalog
            .iter()
            .filter(|i| i.rule == Rule::ShareBasis)
            .count()
    );
    assert_eq!(updates.values().sum::<usize>(), changes);
    assert!(n(&updates, Status::Late) + n(&updates, Status::Overdue) > 0);
    assert!(catalog.iter().any(|i| i.rule == Rule::ShareBasis));
    assert!(
        catalog.iter().all(|i| i.rule != Rule::FullMaintenance),
        "JC and XX set no quarterly maintenance"
    );

    // Freshness: every live entry; stale ones; 新川县's floor, four quarters.
    let freshness = &by_kind[&CheckKind::Freshness];
    let cycle = tally(freshness.iter().filter(|i| i.rule == Rule::Freshness));
    let floor = tally(freshness.iter().filter(|i| i.rule == Rule::FreshnessFloor));
    eprintln!("freshness {cycle:?}, floor {floor:?}");
    assert!(n(&cycle, Status::Fresh) > n(&cycle, Status::Delinquent));
    assert!(n(&cycle, Status::Delinquent) + n(&cycle, Status::Overdue) > 0);
    assert!(n(&cycle, Status::NotEvaluable) > 0, "irregular entries");
    assert!(n(&floor, Status::OnTime) > 0);
    assert!(
        freshness
            .iter()
            .filter(|i| i.rule == Rule::FreshnessFloor)
            .all(|i| i.profile == "xinxian" && i.citation == "XX Art.16")
    );
    let floor_quarters: std::collections::BTreeSet<&str> = freshness
        .iter()
        .filter(|i| i.rule == Rule::FreshnessFloor)
        .map(|i| i.key.rsplit(':').next().unwrap())
        .collect();
    assert_eq!(floor_quarters.len(), 4);
}
both_backends!(every_check, every_check_on_the_demo);

async fn findings_are_deduplicated_across_runs(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let store = &ts.store;
    let ctx = context(store, YEAR_END).await;
    let items = metrics::run_checks(&ctx, store, &CheckKind::ALL, &mut Vec::new())
        .await
        .unwrap();
    let found = findings::detected(&ctx, &items);
    assert!(found.len() > 100);
    let first = findings::record(store, &found, ctx.as_of, 1).await.unwrap();
    assert_eq!(first.inserted as usize, found.len());
    let second = findings::record(store, &found, ctx.as_of, 2).await.unwrap();
    assert_eq!(second.inserted, 0, "a second run adds no rows");
    assert_eq!(second.total, first.total);
    let seen: (i64, i64) = {
        let r = sqlx::query("SELECT MIN(first_seen_at), MIN(last_seen_at) FROM detected_findings")
            .fetch_one(store.pool())
            .await
            .unwrap();
        (r.try_get(0).unwrap(), r.try_get(1).unwrap())
    };
    assert_eq!(seen, (1, 2), "first seen kept, last seen moved");

    // An earlier as-of run neither duplicates nor overwrites the later view.
    let early = context(store, "2025-06-30").await;
    let early_items = metrics::run_checks(&early, store, &CheckKind::ALL, &mut Vec::new())
        .await
        .unwrap();
    let early_found = findings::detected(&early, &early_items);
    let third = findings::record(store, &early_found, early.as_of, 3)
        .await
        .unwrap();
    let late_key = found
        .iter()
        .find(|f| {
            f.item.as_ref().is_some_and(|i| i.status == Status::Late)
                && early_found.iter().any(|e| {
                    e.key == f.key && e.item.as_ref().is_some_and(|i| i.status == Status::Overdue)
                })
        })
        .map(|f| f.key.clone())
        .expect("a breach overdue in June and done late later");
    let status: String = sqlx::query("SELECT status FROM detected_findings WHERE key = $1")
        .bind(&late_key)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(status, "late", "the later as-of view wins");
    let keys: std::collections::HashSet<&str> = found.iter().map(|f| f.key.as_str()).collect();
    let new_keys = early_found
        .iter()
        .filter(|f| !keys.contains(f.key.as_str()))
        .count();
    assert_eq!(third.inserted as usize, new_keys);

    // The command line records too, and adds nothing new on a rerun.
    let before = count(store, "SELECT COUNT(*) FROM detected_findings").await;
    let args = MetricsArgs {
        period: PeriodArgs {
            year: 2025,
            quarter: None,
            month: None,
            as_of: Some(YEAR_END.into()),
        },
        format: MetricsFormat::Json,
        timings: false,
    };
    let mut out = Vec::new();
    cli::run_metrics(&Config::default(), store, &args, &mut out)
        .await
        .unwrap();
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM detected_findings").await,
        before
    );
}
both_backends!(findings_dedupe, findings_are_deduplicated_across_runs);

async fn summary_and_outputs(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let store = &ts.store;
    // An inspection row of `rectification_refused`, as a platform may push
    // one (the demo does not): it stays an inspection finding, but the
    // evaluation's input is the cases' deadlines.
    let (ps, _) = year_bounds();
    sqlx::query(
        "INSERT INTO findings (id, department_id, category, found_at, inspector, evidence) \
         SELECT 'F-REFUSED', id, 'rectification_refused', $1, '李四、王五', '逾期未整改' \
         FROM departments ORDER BY id LIMIT 1",
    )
    .bind(ps + 86_400_000 * 40)
    .execute(store.pool())
    .await
    .unwrap();
    let config = Config::default();
    let period_args = PeriodArgs {
        year: 2025,
        quarter: None,
        month: None,
        as_of: Some(YEAR_END.into()),
    };
    let mut out = Vec::new();
    let args = MetricsArgs {
        period: period_args.clone(),
        format: MetricsFormat::Json,
        timings: true,
    };
    cli::run_metrics(&config, store, &args, &mut out)
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["period"], "2025");
    let checks = json["checks"].as_array().unwrap();
    let xinchuan = checks
        .iter()
        .find(|r| {
            r["level"] == "jurisdiction" && r["profile"] == "xinxian" && r["check"] == "approvals"
        })
        .expect("新川县 under XX");
    assert!(xinchuan["items"].as_i64().unwrap() > 0);
    let rate = xinchuan["on_time_rate"].as_f64().unwrap();
    assert!(rate > 0.5 && rate <= 1.0, "{rate}");
    // Department rows add up to their jurisdiction's.
    let jur = xinchuan["id"].as_str().unwrap();
    let dept_sum: i64 = checks
        .iter()
        .filter(|r| {
            r["level"] == "department" && r["jurisdiction_id"] == jur && r["check"] == "approvals"
        })
        .map(|r| r["items"].as_i64().unwrap())
        .sum();
    assert_eq!(dept_sum, xinchuan["items"].as_i64().unwrap());
    // Findings: detected and imported, by category.
    let findings = json["findings"].as_array().unwrap();
    let imported: i64 = findings
        .iter()
        .filter(|r| r["level"] == "department")
        .map(|r| r["imported"].as_i64().unwrap())
        .sum();
    // Imported rows of `rectification_refused` are not counted: whether a
    // rectification was done in time is decided by the cases' deadlines.
    let (ps, pe) = year_bounds();
    let all = count(
        store,
        &format!("SELECT COUNT(*) FROM findings WHERE found_at >= {ps} AND found_at < {pe}"),
    )
    .await;
    let stored = count(
        store,
        &format!(
            "SELECT COUNT(*) FROM findings WHERE found_at >= {ps} AND found_at < {pe} \
             AND category <> 'rectification_refused'"
        ),
    )
    .await;
    assert_eq!((imported, all), (stored, stored + 1));
    assert!(
        findings
            .iter()
            .any(|r| r["category"] == "approval_overdue" && r["detected"].as_i64().unwrap() > 0)
    );

    // Table with Chinese headers, CSV in long form.
    let mut out = Vec::new();
    let args = MetricsArgs {
        period: period_args.clone(),
        format: MetricsFormat::Table,
        timings: false,
    };
    cli::run_metrics(&config, store, &args, &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("各部门检查结果") && text.contains("按时率") && text.contains("审批超时")
    );
    let mut out = Vec::new();
    let args = MetricsArgs {
        period: period_args.clone(),
        format: MetricsFormat::Csv,
        timings: false,
    };
    cli::run_metrics(&config, store, &args, &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("level,id,name,jurisdiction_id,subject,measure,value\n"));
    assert!(text.contains(",approvals,on_time_rate,"));

    // `dukao check approvals --format json`: one object per item.
    let mut out = Vec::new();
    let args = CheckArgs {
        kind: CheckKind::Corrections,
        period: period_args.clone(),
        format: CheckFormat::Json,
    };
    cli::run_check(&config, store, &args, &mut out)
        .await
        .unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
    assert!(!items.is_empty());
    for key in [
        "id",
        "responsible_id",
        "citation",
        "citation_text",
        "due",
        "done_at",
        "status",
        "profile",
        "provisional",
    ] {
        assert!(items[0].get(key).is_some(), "{key}");
    }
    let mut out = Vec::new();
    let args = CheckArgs {
        kind: CheckKind::Corrections,
        period: period_args,
        format: CheckFormat::Csv,
    };
    cli::run_check(&config, store, &args, &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), items.len() + 1);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .starts_with("check,rule,key,id,responsible_id")
    );
}
both_backends!(summary_outputs, summary_and_outputs);

/// The demo city switched to 营口's measures: open applications (YK Art.29)
/// and the quarterly full maintenance (YK Art.15) are judged.
async fn yingkou_rules_on_the_demo(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let store = &ts.store;
    sqlx::query("UPDATE jurisdictions SET profile = 'yingkou' WHERE level = 'city'")
        .execute(store.pool())
        .await
        .unwrap();
    let ctx = context(store, YEAR_END).await;
    let apps = metrics::run_check(&ctx, store, CheckKind::OpenApplications)
        .await
        .unwrap();
    let t = tally(apps.iter());
    eprintln!("open applications {t:?}");
    assert!(
        apps.len() > 100,
        "most applications concern YK departments now"
    );
    assert!(n(&t, Status::OnTime) > n(&t, Status::Late));
    assert!(n(&t, Status::Late) + n(&t, Status::Overdue) > 0);
    assert!(apps.iter().all(|i| i.citation == "YK Art.29"));
    assert!(
        apps.iter().any(|i| i.working_days == Some(0))
            && apps.iter().any(|i| i.working_days == Some(10))
    );
    let catalog = metrics::run_check(&ctx, store, CheckKind::Catalog)
        .await
        .unwrap();
    let m = tally(catalog.iter().filter(|i| i.rule == Rule::FullMaintenance));
    eprintln!("maintenance {m:?}");
    assert!(n(&m, Status::OnTime) > 0 && n(&m, Status::Overdue) > 0);
    assert!(
        catalog
            .iter()
            .filter(|i| i.rule == Rule::FullMaintenance)
            .all(|i| i.citation == "YK Art.15")
    );
    // YK sets no grant rules: only 新川县 (XX, none either) — no grant items.
    assert!(
        metrics::run_check(&ctx, store, CheckKind::Grants)
            .await
            .unwrap()
            .is_empty()
    );
}
both_backends!(yingkou_rules, yingkou_rules_on_the_demo);

/// Findings heal: recorded in June as overdue, judged again at year end —
/// a stage answered late is resolved when it was answered, data refreshed
/// or a condition that ended is resolved with the status that ended it; an
/// ongoing breach stays open; every row stays.
async fn findings_heal(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let store = &ts.store;
    let june = context(store, "2025-06-30").await;
    let judged = metrics::judge(&june, store).await.unwrap();
    let first = judged.record(&june, store, 1).await.unwrap();
    assert_eq!(first.healed, 0);
    let open_in_june = count(
        store,
        "SELECT COUNT(*) FROM detected_findings WHERE status IN ('overdue', 'delinquent')",
    )
    .await;
    assert!(open_in_june > 0);
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM detected_findings WHERE resolved_at IS NOT NULL AND status <> 'late'").await,
        0,
        "nothing healed yet but stages done late"
    );

    let year_end = context(store, YEAR_END).await;
    let judged = metrics::judge(&year_end, store).await.unwrap();
    let rows_before = count(store, "SELECT COUNT(*) FROM detected_findings").await;
    let second = judged.record(&year_end, store, 2).await.unwrap();
    assert!(
        count(store, "SELECT COUNT(*) FROM detected_findings").await >= rows_before,
        "rows stay"
    );

    // Overdue in June, answered late by December: resolved when answered.
    let late: Vec<(i64, Option<i64>, String)> = sqlx::query(
        "SELECT done_at, resolved_at, resolved_cause FROM detected_findings \
         WHERE status = 'late' AND first_seen_at = 1",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get(0).unwrap(),
            r.try_get(1).unwrap(),
            r.try_get(2).unwrap(),
        )
    })
    .collect();
    assert!(!late.is_empty(), "some June breaches were answered late");
    for (done_at, resolved_at, cause) in &late {
        assert_eq!(resolved_at, &Some(*done_at));
        assert!(cause.starts_with("逾期办结"), "{cause}");
    }
    // Judged again without a breach (refreshed, ended): healed by the run.
    let healed = count(
        store,
        "SELECT COUNT(*) FROM detected_findings \
         WHERE resolved_cause LIKE '最近判定为%' OR resolved_cause LIKE '数据已于%'",
    )
    .await;
    assert_eq!(healed as u64, second.healed);
    assert!(
        healed > 0,
        "some June breaches were judged without a breach at year end"
    );
    // Still ongoing: not resolved. (A refreshed episode keeps the status
    // it was last judged with, and says when it ended.)
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM detected_findings WHERE status IN ('overdue', 'delinquent') \
             AND resolved_at IS NOT NULL AND resolved_cause NOT LIKE '数据已于%'"
        )
        .await,
        0
    );
    assert!(
        count(
            store,
            "SELECT COUNT(*) FROM detected_findings WHERE status IN ('overdue', 'delinquent') \
             AND resolved_at IS NULL"
        )
        .await
            > 0,
        "some breaches are still ongoing at year end"
    );
    // A rerun heals nothing more.
    let again = judged.record(&year_end, store, 3).await.unwrap();
    assert_eq!(again.healed, 0);
}
both_backends!(findings_heal_, findings_heal);
