//! The clock: the jobs driven through their ledger with a manual clock (no
//! test sleeps), and the results the API reads from the store.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use dukao::config::Config;
use dukao::jobs::ledger::{self, Claim};
use dukao::jobs::{JobSettings, ManualRun, Runner, runner};
use dukao::people::Scope;
use dukao::store::Store;
use dukao::time::{Clock, parse_timestamp};
use dukao::vocab::{JobName, MissedPolicy, OccurrenceState, Role, Trigger};
use sqlx::Row;

use crate::access::{DemoService, demo_service};
use crate::both_backends;
use crate::common::{TestStore, demo_csv, import_dir};

fn at(text: &str) -> i64 {
    parse_timestamp(text).unwrap()
}

fn runner(store: &Store, config: &Config, clock: &Clock, owner: &str) -> Runner {
    Runner::new(
        store.clone(),
        Arc::new(config.clone()),
        clock.clone(),
        owner,
    )
}

async fn occurrence(store: &Store, job: JobName, period: &str) -> ledger::Occurrence {
    ledger::get(store, job, period)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{job} {period} is in the ledger"))
}

fn with_archive(archive: &tempfile::TempDir) -> Config {
    Config {
        archive_dir: archive.path().to_path_buf(),
        ..Config::default()
    }
}

async fn the_annual_job_runs_once_across_a_restart(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let archive = tempfile::tempdir().unwrap();
    let config = with_archive(&archive);
    // 6 January 2026, the first working day after the 5th, 07:00 + 30 s.
    let clock = Clock::manual(at("2026-01-06T07:00:30"));
    let first = runner(&ts.store, &config, &clock, "replica-a");
    let attempts = first.tick(JobName::AnnualReport).await.unwrap();
    let ran_2025 = attempts
        .iter()
        .find(|a| a.period == "2025")
        .expect("the 2025 report ran");
    assert_eq!(
        ran_2025.state,
        OccurrenceState::Succeeded,
        "{}",
        ran_2025.message
    );
    assert_eq!(ran_2025.trigger, Trigger::Schedule);
    assert!(
        ran_2025.message.contains("2025年度评估结果已冻结"),
        "{}",
        ran_2025.message
    );
    assert!(
        archive
            .path()
            .join("drafts/annual-report-2025.pdf")
            .is_file()
    );
    let frozen = dukao::evaluation::snapshot::load(&ts.store, 2025)
        .await
        .unwrap()
        .expect("2025 frozen");
    assert_eq!(frozen.frozen_by, dukao::jobs::work::FROZEN_BY);
    drop(first);

    // A restart the next day: another process, the same ledger.
    clock.advance(Duration::from_secs(86_400));
    let second = runner(&ts.store, &config, &clock, "replica-b");
    let attempts = second.tick(JobName::AnnualReport).await.unwrap();
    assert!(attempts.is_empty(), "nothing runs twice: {attempts:?}");
    let o = occurrence(&ts.store, JobName::AnnualReport, "2025").await;
    assert_eq!((o.state, o.attempts), (OccurrenceState::Succeeded, 1));
    assert_eq!(o.lease_owner.as_deref(), Some("replica-a"));
    // The report is tracked until issued: not issued yet.
    let deadline = dukao::jobs::work::annual_deadline(&ts.store, &config, 2025)
        .await
        .unwrap();
    assert_eq!(deadline.issued, None);
}
both_backends!(annual_job_once, the_annual_job_runs_once_across_a_restart);

async fn missed_occurrences_follow_each_jobs_policy(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let archive = tempfile::tempdir().unwrap();
    let config = with_archive(&archive);

    // The daily scan runs on time on 1 February…
    let clock = Clock::manual(at("2026-02-01T05:31:00"));
    let r = runner(&ts.store, &config, &clock, "replica-a");
    let attempts = r.tick(JobName::DailyScan).await.unwrap();
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(
        (attempts[0].period.as_str(), attempts[0].trigger),
        ("2026-02-01", Trigger::Schedule)
    );
    assert_eq!(
        attempts[0].state,
        OccurrenceState::Succeeded,
        "{}",
        attempts[0].message
    );
    // (the week before, on a new ledger, was superseded by it, and says so)
    let before = occurrence(&ts.store, JobName::DailyScan, "2026-01-31").await;
    assert_eq!(before.state, OccurrenceState::Skipped);
    assert!(before.outcome.unwrap().contains("2026-02-01"));

    // …then dukao is down until 5 February, 10:00: "latest" runs the 5th
    // once and records the 2nd to the 4th as skipped, with the reason.
    clock.advance(Duration::from_secs(4 * 86_400 + 4 * 3600 + 29 * 60));
    let attempts = r.tick(JobName::DailyScan).await.unwrap();
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(
        (attempts[0].period.as_str(), attempts[0].trigger),
        ("2026-02-05", Trigger::CatchUp)
    );
    for day in ["2026-02-02", "2026-02-03", "2026-02-04"] {
        let o = occurrence(&ts.store, JobName::DailyScan, day).await;
        assert_eq!(o.state, OccurrenceState::Skipped, "{day}");
        assert!(o.outcome.unwrap().contains("只补最近一次"), "{day}");
    }

    // The calendar watch skips what it missed (yesterday's warning is
    // moot); with "all" and a cap of 1 it runs the newest one only.
    let clock = Clock::manual(at("2026-11-10T12:00:00"));
    let r = runner(&ts.store, &config, &clock, "replica-a");
    assert!(r.tick(JobName::CalendarWatch).await.unwrap().is_empty());
    for day in ["2026-11-09", "2026-11-10"] {
        let o = occurrence(&ts.store, JobName::CalendarWatch, day).await;
        assert_eq!(o.state, OccurrenceState::Skipped, "{day}");
        assert!(o.outcome.unwrap().contains("不补运行"));
    }
    let mut all = config.clone();
    *all.jobs.get_mut(JobName::CalendarWatch) = JobSettings {
        missed: MissedPolicy::All,
        cap: 1,
        ..JobSettings::default_for(JobName::CalendarWatch)
    };
    let clock = Clock::manual(at("2026-11-13T12:00:00"));
    let r = runner(&ts.store, &all, &clock, "replica-a");
    let attempts = r.tick(JobName::CalendarWatch).await.unwrap();
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0].period, "2026-11-13");
    let o = occurrence(&ts.store, JobName::CalendarWatch, "2026-11-12").await;
    assert_eq!(o.state, OccurrenceState::Skipped);
    assert!(o.outcome.unwrap().contains("超出补运行上限 1 次"));
}
both_backends!(missed_by_policy, missed_occurrences_follow_each_jobs_policy);

async fn two_replicas_run_each_occurrence_once(ts: &TestStore) {
    let mut config = Config::default();
    *config.jobs.get_mut(JobName::CalendarWatch) = JobSettings {
        missed: MissedPolicy::All,
        cap: 10,
        ..JobSettings::default_for(JobName::CalendarWatch)
    };
    // Two replicas: two pools on one database, one clock.
    let other = Store::connect(&ts.url).await.unwrap();
    let clock = Clock::manual(at("2026-11-20T09:10:00"));
    let a = runner(&ts.store, &config, &clock, "replica-a");
    let b = runner(&other, &config, &clock, "replica-b");
    let (ran_a, ran_b) = tokio::join!(
        a.tick(JobName::CalendarWatch),
        b.tick(JobName::CalendarWatch)
    );
    let (ran_a, ran_b) = (ran_a.unwrap(), ran_b.unwrap());
    let mut periods: Vec<String> = ran_a
        .iter()
        .chain(&ran_b)
        .map(|a| a.period.clone())
        .collect();
    periods.sort();
    assert_eq!(
        periods,
        ["2026-11-19", "2026-11-20"],
        "a: {ran_a:?} b: {ran_b:?}"
    );
    for day in ["2026-11-19", "2026-11-20"] {
        let o = occurrence(&ts.store, JobName::CalendarWatch, day).await;
        assert_eq!(
            (o.state, o.attempts),
            (OccurrenceState::Succeeded, 1),
            "{day}"
        );
    }

    // A replica dies holding the next day's occurrence: the others wait
    // for its lease, then take it over.
    clock.advance(Duration::from_secs(86_400));
    ledger::add_pending(
        &ts.store,
        JobName::CalendarWatch,
        "2026-11-21",
        clock.now(),
        Trigger::Schedule,
    )
    .await
    .unwrap();
    let claim = Claim {
        job: JobName::CalendarWatch,
        period: None,
        owner: "replica-dead",
        now: clock.now(),
        lease_ms: runner::LEASE.as_millis() as i64,
        retry_now: false,
    };
    let held = ledger::claim(&ts.store, &claim).await.unwrap().unwrap();
    assert_eq!(held.period, "2026-11-21");
    assert!(
        b.tick(JobName::CalendarWatch).await.unwrap().is_empty(),
        "the lease holds"
    );
    clock.advance(runner::LEASE + Duration::from_secs(1));
    let taken = b.tick(JobName::CalendarWatch).await.unwrap();
    assert!(taken.iter().any(|a| a.period == "2026-11-21"), "{taken:?}");
    let o = occurrence(&ts.store, JobName::CalendarWatch, "2026-11-21").await;
    assert_eq!((o.state, o.attempts), (OccurrenceState::Succeeded, 2));
    assert_eq!(o.lease_owner.as_deref(), Some("replica-b"));
    other.close().await;
}
both_backends!(replicas, two_replicas_run_each_occurrence_once);

async fn a_failed_run_is_retried_and_shows_its_error(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let broken = Config {
        evaluation_schemes: Some("/nonexistent/scheme.toml".into()),
        ..Config::default()
    };
    let clock = Clock::manual(at("2026-02-01T05:31:00"));
    let r = runner(&ts.store, &broken, &clock, "replica-a");
    let attempts = r.tick(JobName::DailyScan).await.unwrap();
    assert_eq!(attempts[0].state, OccurrenceState::Failed);
    assert!(
        attempts[0].message.contains("/nonexistent/scheme.toml"),
        "{}",
        attempts[0].message
    );
    let status = dukao::jobs::status(&ts.store, &broken, clock.now())
        .await
        .unwrap();
    let scan = status.iter().find(|s| s.job == JobName::DailyScan).unwrap();
    assert_eq!(scan.failing.len(), 1);
    assert!(
        scan.failing[0]
            .error
            .as_deref()
            .unwrap()
            .contains("/nonexistent/scheme.toml")
    );

    // Not before its backoff (1 minute), then again (2 minutes next).
    clock.advance(Duration::from_secs(30));
    assert!(r.tick(JobName::DailyScan).await.unwrap().is_empty());
    clock.advance(Duration::from_secs(31));
    let attempts = r.tick(JobName::DailyScan).await.unwrap();
    assert_eq!(attempts[0].state, OccurrenceState::Failed);
    let o = occurrence(&ts.store, JobName::DailyScan, "2026-02-01").await;
    assert_eq!(o.attempts, 2);
    assert_eq!(o.next_attempt_at, Some(clock.now() + 120_000));

    // Fixed (and restarted): the next attempt succeeds and the error goes.
    let fixed = runner(&ts.store, &Config::default(), &clock, "replica-a");
    clock.advance(Duration::from_secs(121));
    let attempts = fixed.tick(JobName::DailyScan).await.unwrap();
    assert_eq!(
        attempts[0].state,
        OccurrenceState::Succeeded,
        "{}",
        attempts[0].message
    );
    let o = occurrence(&ts.store, JobName::DailyScan, "2026-02-01").await;
    assert_eq!(
        (o.state, o.attempts, o.error),
        (OccurrenceState::Succeeded, 3, None)
    );
}
both_backends!(retried, a_failed_run_is_retried_and_shows_its_error);

async fn a_period_that_succeeded_is_not_run_again_unless_asked(ts: &TestStore) {
    let DemoService { client, .. } = demo_service(ts).await;
    let admin = client.token(Role::Admin, Scope::City, &[]).await;
    let uri = "/api/v1/jobs/calendar-watch/run?period=2026-11-20";
    let ran = client.send(Method::POST, uri, &admin, None).await;
    assert_eq!(ran.status, StatusCode::OK, "{}", ran.text());
    assert_eq!(ran.json()["result"], "ran");
    assert_eq!(ran.json()["state"], "succeeded");
    let refused = client.send(Method::POST, uri, &admin, None).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
    assert!(refused.text().contains("succeeded already"));
    let again = format!("{uri}&again=true");
    let ran = client.send(Method::POST, &again, &admin, None).await;
    assert_eq!(ran.status, StatusCode::OK, "{}", ran.text());
    let o = occurrence(&ts.store, JobName::CalendarWatch, "2026-11-20").await;
    assert_eq!((o.attempts, o.trigger), (2, Trigger::Manual));
    let bad = client
        .send(
            Method::POST,
            "/api/v1/jobs/calendar-watch/run?period=2026Q1",
            &admin,
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());
    let unknown = client
        .send(Method::POST, "/api/v1/jobs/nightly/run", &admin, None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // The same through the runner: the ledger decides.
    let config = Config::default();
    let r = runner(&ts.store, &config, &client.clock, "cli");
    match r
        .run_manually(JobName::CalendarWatch, "2026-11-20", false)
        .await
        .unwrap()
    {
        ManualRun::AlreadySucceeded(o) => assert_eq!(o.attempts, 2),
        other => panic!("{other:?}"),
    }
    // Each manual run is in the audit trail, by whom.
    let entries = dukao::audit::list(&ts.store, &dukao::audit::Filter::newest(100))
        .await
        .unwrap();
    let runs: Vec<_> = entries
        .iter()
        .filter(|e| e.action == dukao::vocab::AuditAction::JobRun.as_str())
        .collect();
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(
        runs.iter()
            .all(|e| e.subject == "job:calendar-watch:2026-11-20")
    );

    let (status, jobs) = client.get(&admin, "/api/v1/jobs").await;
    assert_eq!(status, StatusCode::OK);
    let watch = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["job"] == "calendar-watch")
        .unwrap();
    assert_eq!(watch["last"]["period"], "2026-11-20");
    assert!(watch["next"].is_array(), "{watch}");
}
both_backends!(
    run_once,
    a_period_that_succeeded_is_not_run_again_unless_asked
);

async fn results_are_read_from_the_store_and_refreshed_in_the_background(ts: &TestStore) {
    let DemoService {
        client, xinchuan, ..
    } = demo_service(ts).await;
    let leader = client.token(Role::Leader, Scope::City, &[]).await;
    let uri = "/api/v1/evaluation/2025";

    // Nothing stored yet: 202, computing in the background.
    let first = client.get_once(&leader, uri).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.text());
    assert_eq!(first.headers["retry-after"], "5");
    assert_eq!(first.json()["status"], "computing");
    client.state.results.settled().await;

    let version = dukao::results::version::current(&ts.store)
        .await
        .unwrap()
        .version;
    let read = client.get_once(&leader, uri).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    let body = read.json();
    assert_eq!(body["basis"]["data_version"], version);
    assert_eq!(body["basis"]["stale"], false);
    assert_eq!(body["basis"]["as_of"], "2026-02-01T09:00:00+08:00");
    assert_eq!(
        read.headers["dukao-data-version"],
        version.to_string().as_str()
    );
    assert!(!body["departments"].as_array().unwrap().is_empty());
    // Read again: the same stored result, nothing recomputed, the same
    // bytes (rendered once per result and reach).
    let again = client.get_once(&leader, uri).await;
    assert_eq!(again.bytes, read.bytes);
    // Another reach renders its own cut of the same result.
    let county = client
        .token(Role::Leader, Scope::Jurisdiction(xinchuan.clone()), &[])
        .await;
    let theirs = client.get_once(&county, uri).await.json();
    assert_eq!(theirs["basis"]["computed_at"], body["basis"]["computed_at"]);
    let count = |v: &serde_json::Value| v["departments"].as_array().unwrap().len();
    assert!(0 < count(&theirs) && count(&theirs) < count(&body));

    // The data changes: the old result is served marked stale while the
    // new one is computed; then the new one.
    import_dir(&ts.store, demo_csv()).await;
    let stale = client.get_once(&leader, uri).await.json();
    assert_eq!(stale["basis"]["stale"], true);
    assert_eq!(stale["basis"]["data_version"], version);
    assert_eq!(stale["basis"]["current_version"], version + 1);
    client.state.results.settled().await;
    let fresh = client.get_once(&leader, uri).await.json();
    assert_eq!(fresh["basis"]["data_version"], version + 1);
    assert_eq!(fresh["basis"]["stale"], false);

    // Time passes (deadlines with it): older than the refresh interval is
    // stale too.
    client.clock.advance(Duration::from_secs(61 * 60));
    let old = client.get_once(&leader, uri).await.json();
    assert_eq!(old["basis"]["stale"], true);
    client.state.results.settled().await;
    let renewed = client.get_once(&leader, uri).await.json();
    assert_eq!(renewed["basis"]["as_of"], "2026-02-01T10:01:00+08:00");

    // The summary and the items per check come from the same computation.
    let (status, summary) = client.get(&leader, "/api/v1/metrics?year=2025").await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["basis"]["as_of"], renewed["basis"]["as_of"]);
    let items = client
        .get_once(&leader, "/api/v1/check/grants?year=2025")
        .await;
    assert_eq!(items.status, StatusCode::OK, "{}", items.text());
    assert_eq!(items.headers["dukao-stale"], "false");
    assert!(!items.json().as_array().unwrap().is_empty());

    // A summary stored in an earlier layout (here: under the name results
    // had before layouts had revisions) is never read, as if none were
    // stored; it is computed again, and storing it drops the old one.
    let rename = |from: &'static str, to: &'static str| {
        let store = ts.store.clone();
        async move {
            sqlx::query("UPDATE stored_results SET kind = $1 WHERE kind = $2")
                .bind(to)
                .bind(from)
                .execute(store.pool())
                .await
                .unwrap()
                .rows_affected()
        }
    };
    assert!(rename("summary@2", "summary").await > 0);
    let summary_of_2025 = || {
        dukao::results::header(
            &ts.store,
            dukao::results::ResultKind::Summary,
            "2025",
            dukao::results::Wanted::Latest,
        )
    };
    assert!(summary_of_2025().await.unwrap().is_none());
    let again = client.get_once(&leader, "/api/v1/metrics?year=2025").await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.text());
    client.state.results.settled().await;
    assert!(summary_of_2025().await.unwrap().is_some());
    let old_layout: i64 = sqlx::query(
        "SELECT COUNT(*) FROM stored_results WHERE kind = 'summary' AND period = '2025'",
    )
    .fetch_one(ts.store.pool())
    .await
    .unwrap()
    .try_get(0)
    .unwrap();
    assert_eq!(old_layout, 0, "the old layout is gone");
    let (status, summary) = client.get(&leader, "/api/v1/metrics?year=2025").await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert!(
        summary["rule_months"]
            .as_array()
            .is_some_and(|rows| rows.iter().any(|r| r["rule"] == "review")),
        "each approval stage month by month"
    );
    // A reader may load some of its arrays only (总览's comparison with
    // last year reads the totals, not the months).
    let totals = dukao::results::load_arrays(
        &ts.store,
        dukao::results::ResultKind::Summary,
        "2025",
        dukao::results::Wanted::Latest,
        &dukao::access::Reach::City,
        &["checks", "rules"],
    )
    .await
    .unwrap()
    .unwrap()
    .value;
    assert_eq!(totals["checks"], summary["checks"]);
    assert_eq!(totals["rules"], summary["rules"]);
    assert!(totals.get("months").is_none() && totals.get("rule_months").is_none());
    assert!(
        dukao::results::load_arrays(
            &ts.store,
            dukao::results::ResultKind::Summary,
            "2025",
            dukao::results::Wanted::Latest,
            &dukao::access::Reach::City,
            &["weather"],
        )
        .await
        .is_err(),
        "an array the layout does not have"
    );

    // A frozen year answers from its snapshot, without a basis.
    let leader_user = {
        client.user("lc", "李领导", Role::Leader, Scope::City).await;
        client.sign_in("lc", crate::client::PASSWORD).await
    };
    let frozen = client
        .send(
            Method::POST,
            "/api/v1/evaluation/2025/freeze",
            &leader_user,
            None,
        )
        .await;
    assert_eq!(frozen.status, StatusCode::CREATED, "{}", frozen.text());
    let (status, body) = client.get(&leader, uri).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "frozen");
    assert!(body.get("basis").is_none());
}
both_backends!(
    stored_results,
    results_are_read_from_the_store_and_refreshed_in_the_background
);

async fn the_daily_scan_sends_one_digest_per_department(ts: &TestStore) {
    let DemoService {
        client, xinchuan, ..
    } = demo_service(ts).await;
    // 5 January: the previous year's requests of late December are due.
    let clock = Clock::manual(at("2026-01-05T05:31:00"));
    let r = runner(&ts.store, &Config::default(), &clock, "replica-a");
    let attempts = r.tick(JobName::DailyScan).await.unwrap();
    let scan = attempts.iter().find(|a| a.period == "2026-01-05").unwrap();
    assert_eq!(scan.state, OccurrenceState::Succeeded, "{}", scan.message);
    assert!(
        scan.message.contains("2025年"),
        "January scans the previous year: {}",
        scan.message
    );

    let leader = client.token(Role::Leader, Scope::City, &[]).await;
    let (status, all) = client
        .get(&leader, "/api/v1/reminders?day=2026-01-05")
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let all = all.as_array().unwrap();
    assert!(!all.is_empty(), "the demo has items due on 6 January");
    let departments: Vec<&str> = all
        .iter()
        .map(|d| d["department_id"].as_str().unwrap())
        .collect();
    let mut unique = departments.clone();
    unique.dedup();
    assert_eq!(unique, departments, "one digest per department");
    for d in all {
        for item in d["items"].as_array().unwrap() {
            let left = item["working_days_left"].as_i64().unwrap();
            assert!(left <= dukao::metrics::AT_RISK_WORKING_DAYS, "{item}");
        }
    }
    // A department reads its own digest only; a county its subtree.
    let own = departments[0].to_string();
    let department = client
        .token(Role::Department, Scope::Department(own.clone()), &[])
        .await;
    let (_, mine) = client
        .get(&department, "/api/v1/reminders?day=2026-01-05")
        .await;
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["department_id"], own.as_str());
    let county = client
        .token(Role::Leader, Scope::Jurisdiction(xinchuan), &[])
        .await;
    let (_, theirs) = client
        .get(&county, "/api/v1/reminders?day=2026-01-05")
        .await;
    assert!(theirs.as_array().unwrap().len() < all.len());
    let (status, _) = client.get(&leader, "/api/v1/reminders?day=5-January").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Outside January the previous year is computed only while none of its
    // results is stored (总览 compares the year with it): once, not daily.
    for sql in [
        "DELETE FROM stored_result_parts WHERE result_id IN \
         (SELECT id FROM stored_results WHERE period = '2025')",
        "DELETE FROM stored_results WHERE period = '2025'",
    ] {
        sqlx::query(sql).execute(ts.store.pool()).await.unwrap();
    }
    let scan_on = |day: &'static str| {
        let store = &ts.store;
        async move {
            let clock = Clock::manual(at(&format!("{day}T05:31:00")));
            let r = runner(store, &Config::default(), &clock, "replica-a");
            let attempts = r.tick(JobName::DailyScan).await.unwrap();
            let scan = attempts.into_iter().find(|a| a.period == day).unwrap();
            assert_eq!(scan.state, OccurrenceState::Succeeded, "{}", scan.message);
            scan.message
        }
    };
    let march = scan_on("2026-03-03").await;
    assert!(
        march.contains("2026年") && march.contains("2025年"),
        "{march}"
    );
    let stored = dukao::results::header(
        &ts.store,
        dukao::results::ResultKind::Summary,
        "2025",
        dukao::results::Wanted::Latest,
    )
    .await
    .unwrap();
    assert!(stored.is_some(), "the previous year's summary is stored");
    let next = scan_on("2026-03-04").await;
    assert!(!next.contains("2025年"), "{next}");
}
both_backends!(digests, the_daily_scan_sends_one_digest_per_department);

/// tokio-cron-scheduler takes every job's cron expression, ticks, and stops
/// (waiting for a running job); the catch-up at start goes through the
/// same ledger.
async fn the_clockwork_starts_and_stops(ts: &TestStore) {
    let mut config = Config::default();
    for job in JobName::ALL {
        config.jobs.get_mut(job).enabled = job == JobName::CalendarWatch;
    }
    let clock = Clock::manual(at("2026-11-20T09:10:00"));
    let r = runner(&ts.store, &config, &clock, "replica-a");
    let clockwork = dukao::jobs::Clockwork::start(r.clone()).await.unwrap();
    // The catch-up runs in the background; a tick of our own waits for it
    // (one job never overlaps itself) and finds nothing left to do.
    let attempts = r.tick(JobName::CalendarWatch).await.unwrap();
    clockwork.stop().await;
    let o = occurrence(&ts.store, JobName::CalendarWatch, "2026-11-20").await;
    assert_eq!(
        (o.state, o.attempts),
        (OccurrenceState::Succeeded, 1),
        "{attempts:?}"
    );
    // A bad expression is refused when the configuration loads, naming it.
    let mut bad = JobSettings::default_for(JobName::DailyScan);
    bad.cron = "0 30 25 * * *".into();
    assert!(bad.validate(JobName::DailyScan).is_err());
}
both_backends!(clockwork, the_clockwork_starts_and_stops);
