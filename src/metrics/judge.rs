//! Judging a period: the one pipeline every caller runs — the CLI's
//! `dukao check` and `dukao metrics`, the metrics API, the evaluation, the
//! annual report and the demo (and next, the scheduler and the dashboard).
//!
//! The checks run concurrently, each on a task of its own so that one
//! check's queries overlap another's computation; every breach is filed
//! under its category; the breaches become findings (one per key), joined
//! by the inspectors' imported findings of the period.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::findings::{self, Finding, Recorded};
use super::{
    CheckItem, Context, MetricsError, approvals, catalog, corrections, freshness, grants,
    open_applications,
};
use crate::store::Store;
use crate::vocab::CheckKind;

/// Wall time of one stage of a run (`dukao metrics --timings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// The stage.
    pub stage: String,
    /// How long it took.
    pub elapsed: Duration,
}

impl Timing {
    /// The time since `started`, as stage `name`.
    pub fn since(name: &str, started: Instant) -> Timing {
        Timing {
            stage: name.to_string(),
            elapsed: started.elapsed(),
        }
    }
}

/// A judged period: every item, and the findings.
#[derive(Debug, Clone)]
pub struct Judged {
    /// The items of the checks run, in the order of the checks.
    pub items: Vec<CheckItem>,
    /// Detected findings (one per breach key), then the imported ones of
    /// the period up to the as-of instant.
    pub findings: Vec<Finding>,
    /// Wall time of each check and stage.
    pub timings: Vec<Timing>,
}

impl Judged {
    /// Records the detected findings in `detected_findings` (deduplicated
    /// across runs), marks healed the recorded ones this run judged
    /// without a breach, and reopens the closed cases whose findings
    /// recurred; `now` is the run's wall-clock time.
    pub async fn record(
        &self,
        ctx: &Context,
        store: &Store,
        now: i64,
    ) -> Result<Recorded, MetricsError> {
        let recorded = findings::record(store, &self.findings, ctx.as_of, now).await?;
        let healed = findings::heal(store, &self.items, ctx.as_of, now).await?;
        let reopened = crate::cases::recurrence::reopen(store, &self.findings, now)
            .await
            .map_err(|e| MetricsError::Cases(Box::new(e)))?;
        Ok(Recorded {
            healed,
            reopened: reopened.len() as u64,
            ..recorded
        })
    }
}

/// Judges the period with every check.
pub async fn judge(ctx: &Context, store: &Store) -> Result<Judged, MetricsError> {
    judge_checks(ctx, store, &CheckKind::ALL).await
}

/// Judges the period with the given checks.
pub async fn judge_checks(
    ctx: &Context,
    store: &Store,
    kinds: &[CheckKind],
) -> Result<Judged, MetricsError> {
    let mut timings = Vec::new();
    let started = Instant::now();
    let items = run_checks(ctx, store, kinds, &mut timings).await?;
    timings.push(Timing::since("checks (concurrent)", started));
    let started = Instant::now();
    let mut all = findings::detected(ctx, &items);
    all.extend(findings::imported(ctx, store).await?);
    all.extend(findings::of_cases(ctx, store).await?);
    timings.push(Timing::since("findings", started));
    Ok(Judged {
        items,
        findings: all,
        timings,
    })
}

/// Runs one check; every breach is filed under its category.
pub async fn run_check(
    ctx: &Context,
    store: &Store,
    kind: CheckKind,
) -> Result<Vec<CheckItem>, MetricsError> {
    let mut items = match kind {
        CheckKind::Approvals => approvals::run(ctx, store).await?,
        CheckKind::Catalog => catalog::run(ctx, store).await?,
        CheckKind::Freshness => freshness::run(ctx, store).await?,
        CheckKind::Grants => grants::run(ctx, store).await?,
        CheckKind::Corrections => corrections::run(ctx, store).await?,
        CheckKind::OpenApplications => open_applications::run(ctx, store).await?,
    };
    for item in &mut items {
        item.classify();
        not_yet_in_force(ctx, item);
    }
    Ok(items)
}

/// An event that happened before its regulation came into force breaks no
/// rule of it: the item says so and is no breach's finding. (A regulation
/// that lapsed before the item was judged is flagged by [`Context::item`].)
fn not_yet_in_force(ctx: &Context, item: &mut CheckItem) {
    let Some(start) = item.clock_start else {
        return;
    };
    let Some(profile) = ctx.profiles.by_id(&item.profile) else {
        return;
    };
    let day = crate::time::local_date(start);
    if profile.in_force_on(day) || profile.lapsed_on(day).is_some() {
        return;
    }
    item.category = None;
    item.add_note(format!(
        "{}自{}起施行，事项发生时尚未施行，不认定违规",
        profile.title_marked(),
        crate::time::chinese_date(profile.validity.from.unwrap_or(profile.issued_on))
    ));
}

/// Runs the given checks concurrently; returns their items in the order of
/// `kinds` and appends each one's wall time.
pub async fn run_checks(
    ctx: &Context,
    store: &Store,
    kinds: &[CheckKind],
    timings: &mut Vec<Timing>,
) -> Result<Vec<CheckItem>, MetricsError> {
    let shared = Arc::new(ctx.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for (i, &kind) in kinds.iter().enumerate() {
        let (ctx, store) = (shared.clone(), store.clone());
        tasks.spawn(async move {
            let started = Instant::now();
            let items = run_check(&ctx, &store, kind).await;
            (i, kind, items, started.elapsed())
        });
    }
    let mut results: Vec<Option<Vec<CheckItem>>> = vec![None; kinds.len()];
    let mut times = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (i, kind, items, elapsed) = joined.map_err(|e| MetricsError::Task(e.to_string()))?;
        results[i] = Some(items?);
        times.push((i, kind, elapsed));
    }
    times.sort_by_key(|t| t.0);
    timings.extend(times.into_iter().map(|(_, kind, elapsed)| Timing {
        stage: format!("check {kind}"),
        elapsed,
    }));
    Ok(results.into_iter().flatten().flatten().collect())
}
