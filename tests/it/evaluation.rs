//! The annual evaluation on the small demo municipality, on both backends:
//! every department and county is scored, counties combine their
//! departments and authority as the scheme says, the result is the same bit
//! for bit on a second run, a frozen year answers with its snapshot and
//! cannot be frozen again, and an edited scheme file changes the scores
//! without a rebuild.

use std::path::Path;

use dukao::config::Config;
use dukao::evaluation::{self, EvaluationError, Mode, YearEvaluation};
use dukao::metrics::parse_as_of;
use dukao::store::Store;
use dukao::vocab::{EvaluationStatus, PreviousSource};

use crate::both_backends;
use crate::common::{TestStore, demo_csv, import_dir};

fn year_end() -> i64 {
    parse_as_of(Some("2025-12-31")).unwrap()
}

/// The year computed live as of its end.
async fn live(
    store: &Store,
    config: &Config,
    year: i32,
) -> Result<YearEvaluation, EvaluationError> {
    evaluation::evaluate(store, config, year, year_end(), Mode::Live)
        .await
        .map(|e| e.result)
}

async fn scores_rankings_and_freeze(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let store = &ts.store;
    let config = Config::default();

    let live = evaluation::evaluate(store, &config, 2025, year_end(), Mode::Official)
        .await
        .unwrap();
    assert_eq!(live.status, EvaluationStatus::Live);
    let r = &live.result;
    assert_eq!(r.scheme.id, "default");
    assert!(!r.provisional);
    assert!(r.departments.len() > 10);
    let evaluable: Vec<_> = r.departments.iter().filter(|d| d.score.evaluable).collect();
    assert!(
        evaluable.len() * 10 >= r.departments.len() * 8,
        "most departments have something measured"
    );
    // Scores are plausible and not all equal: the demo has late approvals,
    // stale data and unused grants.
    let min = evaluable
        .iter()
        .map(|d| d.score.score)
        .fold(f64::MAX, f64::min);
    let max = evaluable
        .iter()
        .map(|d| d.score.score)
        .fold(f64::MIN, f64::max);
    assert!(
        min >= 0.0 && max <= 100.0 && max - min > 1.0,
        "{min}..{max}"
    );
    // Every point lost is explained by records.
    for d in &evaluable {
        for i in d.score.indicators.iter().filter(|i| i.lost > 1e-9) {
            assert!(
                !i.missed.is_empty(),
                "{} lost {} on {} with no record",
                d.score.id,
                i.lost,
                i.id
            );
        }
    }
    // Rankings: 1 is the best score of each ranking, ranks never decrease.
    for ranking in ["city"] {
        let ranked: Vec<_> = r
            .departments
            .iter()
            .filter(|d| d.ranking == ranking && d.rank.is_some())
            .collect();
        assert!(ranked.len() > 3);
        assert_eq!(ranked[0].rank, Some(1));
        assert!(
            ranked
                .windows(2)
                .all(|w| w[0].rank <= w[1].rank && w[0].published >= w[1].published)
        );
    }
    // Counties: the scheme's combination of departments and authority.
    assert!(!r.counties.is_empty());
    for c in &r.counties {
        if let (Some(m), Some(a)) = (c.score.departments_mean, c.score.authority_score) {
            assert!((c.score.score - (0.7 * m + 0.3 * a)).abs() < 1e-9);
        }
        assert!(
            c.department_ids
                .iter()
                .all(|id| r.department(id).unwrap().ranking == c.score.id)
        );
    }
    let graded: usize = r.grades.iter().map(|g| g.departments).sum();
    assert_eq!(graded, evaluable.len());
    // 2024 is not frozen: computed live as of its end; changes are the
    // difference of published scores.
    assert_eq!(r.previous_source, PreviousSource::Computed);
    for d in &r.departments {
        if let (Some(now), Some(then), Some(change)) = (d.published, d.previous, d.change) {
            assert!((now - then - change).abs() < 0.005 + 1e-9);
        }
    }

    // Deterministic.
    let again = evaluation::evaluate(store, &config, 2025, year_end(), Mode::Official)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_string(&live.result).unwrap(),
        serde_json::to_string(&again.result).unwrap()
    );

    // Freeze; the frozen year answers with its snapshot.
    let frozen = evaluation::freeze(store, &config, 2025, year_end(), "tester")
        .await
        .unwrap();
    assert_eq!(frozen.status, EvaluationStatus::Frozen);
    assert_eq!(frozen.sha256.as_ref().map(String::len), Some(64));
    let trail: Vec<_> = dukao::audit::list(store, &dukao::audit::Filter::newest(10))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action != "data.import")
        .collect();
    assert_eq!(trail.len(), 1, "the freeze is audited");
    assert_eq!(
        (
            trail[0].action.as_str(),
            trail[0].subject.as_str(),
            trail[0].actor.as_str()
        ),
        ("evaluation.freeze", "evaluation:2025", "tester")
    );
    let official = evaluation::evaluate(
        store,
        &config,
        2025,
        parse_as_of(None).unwrap(),
        Mode::Official,
    )
    .await
    .unwrap();
    assert_eq!(official.status, EvaluationStatus::Frozen);
    assert_eq!(official.frozen_by.as_deref(), Some("tester"));
    assert_eq!(
        official.result.as_of, live.result.as_of,
        "not recomputed as of now"
    );
    assert_eq!(
        official.result.departments.len(),
        live.result.departments.len()
    );
    // The snapshot is a permanent record: the store itself refuses to
    // rewrite it.
    let mut refusals = vec![
        "UPDATE evaluation_snapshots SET frozen_by = 'x' WHERE year = 2025",
        "DELETE FROM evaluation_snapshots WHERE year = 2025",
    ];
    if ts.backend == crate::common::Backend::Postgres {
        refusals.extend([
            "TRUNCATE evaluation_snapshots",
            "TRUNCATE issued_documents CASCADE",
            "TRUNCATE audit_log",
        ]);
    }
    for sql in refusals {
        let error = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("immutable") || message.contains("permanent record"),
            "{sql}: {message}"
        );
    }
    match evaluation::freeze(store, &config, 2025, year_end(), "someone else").await {
        Err(EvaluationError::AlreadyFrozen {
            year: 2025,
            frozen_by,
            ..
        }) => assert_eq!(frozen_by, "tester"),
        other => panic!("expected AlreadyFrozen, got {other:?}"),
    }
    // Next year compares with the snapshot.
    let next = evaluation::evaluate(store, &config, 2026, year_end(), Mode::Live)
        .await
        .unwrap();
    assert_eq!(next.result.previous_source, PreviousSource::Frozen);
}

both_backends!(scores_rankings_and_freeze, scores_rankings_and_freeze);

/// Copies the built-in scheme with one weight changed.
fn scheme_with(dir: &Path, from: &str, to: &str) {
    let text = evaluation::scheme::DEFAULT_SCHEME.replace(from, to);
    assert_ne!(text, evaluation::scheme::DEFAULT_SCHEME, "{from} not found");
    std::fs::write(dir.join("default.toml"), text).unwrap();
}

async fn an_edited_scheme_changes_the_scores(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let store = &ts.store;
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.evaluation_schemes = Some(dir.path().to_path_buf());

    scheme_with(dir.path(), "version = \"2025.2\"", "version = \"2025.2-a\"");
    let before = live(store, &config, 2025).await.unwrap();
    let builtin = live(store, &Config::default(), 2025).await.unwrap();
    assert_eq!(
        before.departments, builtin.departments,
        "a copy scores like the built-in scheme"
    );

    // Approvals weigh 60 instead of 25: departments with late stages fall.
    scheme_with(
        dir.path(),
        "metric = \"approval_stages_on_time\"\nweight = 25.0",
        "metric = \"approval_stages_on_time\"\nweight = 60.0",
    );
    let after = live(store, &config, 2025).await.unwrap();
    let changed = before
        .departments
        .iter()
        .zip(&after.departments)
        .filter(|(b, a)| b.score.score != a.score.score)
        .count();
    assert!(changed > 0, "no score changed");
    let d = after
        .departments
        .iter()
        .find(|d| d.score.evaluable)
        .unwrap();
    let approvals = d
        .score
        .indicators
        .iter()
        .find(|i| i.id == "requests_in_time")
        .unwrap();
    assert_eq!(approvals.weight, 60.0);

    // A broken scheme names the key.
    std::fs::write(
        dir.path().join("default.toml"),
        evaluation::scheme::DEFAULT_SCHEME
            .replace("metric = \"grants_used\"", "metric = \"grants_loved\""),
    )
    .unwrap();
    let err = live(store, &config, 2025).await.unwrap_err();
    assert!(err.to_string().contains("indicator[5].metric"), "{err}");
}

/// The first year a scheme covers is evaluated; the year before it has no
/// scheme, so the comparison is simply absent and the result says so.
async fn the_first_year_of_a_scheme(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let end_2024 = parse_as_of(Some("2024-12-31")).unwrap();
    let e = evaluation::evaluate(
        &ts.store,
        &Config::default(),
        2024,
        end_2024,
        Mode::Official,
    )
    .await
    .expect("2024, the built-in scheme's first year, evaluates");
    assert_eq!(e.result.previous_source, PreviousSource::Absent);
    assert!(e.result.departments.iter().all(|d| d.change.is_none()));
    assert!(
        e.result
            .comparison_notes()
            .iter()
            .any(|n| n.contains("无上年度可比结果")),
        "{:?}",
        e.result.comparison_notes()
    );
}

both_backends!(first_year_of_a_scheme, the_first_year_of_a_scheme);

both_backends!(
    an_edited_scheme_changes_the_scores,
    an_edited_scheme_changes_the_scores
);
