//! Recomputing in the background, once.
//!
//! A reader that finds a result missing or stale asks the [`Refresher`] for
//! it and goes on: the answer never waits. The refresher starts one task
//! per wanted result unless the same is already under way, and runs them
//! one at a time (judging a city's year takes both cores for seconds;
//! several at once would only slow each other and the pages).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, watch};

use super::compute::{self, Recording};
use crate::config::Config;
use crate::metrics::Period;
use crate::store::Store;
use crate::time::Clock;

/// A result wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Want {
    /// The period as of now (whole years record their findings too).
    Latest(Period),
    /// The period as of this instant (ms).
    AsOf(Period, i64),
}

/// Starts background recomputations, one per wanted result at a time.
#[derive(Clone)]
pub struct Refresher(Arc<Inner>);

struct Inner {
    store: Store,
    config: Arc<Config>,
    clock: Clock,
    in_flight: Mutex<HashSet<Want>>,
    failures: Mutex<HashMap<Want, String>>,
    one_at_a_time: Semaphore,
    running: watch::Sender<usize>,
}

impl std::fmt::Debug for Refresher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refresher")
            .field("in_flight", &self.0.in_flight.lock().map(|s| s.len()).ok())
            .finish()
    }
}

impl Refresher {
    /// A refresher computing into `store`.
    pub fn new(store: Store, config: Arc<Config>, clock: Clock) -> Refresher {
        Refresher(Arc::new(Inner {
            store,
            config,
            clock,
            in_flight: Mutex::new(HashSet::new()),
            failures: Mutex::new(HashMap::new()),
            one_at_a_time: Semaphore::new(1),
            running: watch::channel(0).0,
        }))
    }

    /// Starts computing `want` in the background unless it is under way
    /// already; returns whether this call started it.
    pub fn request(&self, want: Want) -> bool {
        {
            let mut in_flight = self.0.in_flight.lock().expect("refresher lock");
            if !in_flight.insert(want) {
                return false;
            }
        }
        self.0.running.send_modify(|n| *n += 1);
        let inner = self.0.clone();
        tokio::spawn(async move {
            let outcome = match inner.one_at_a_time.acquire().await {
                Ok(_permit) => run(&inner, want).await,
                Err(_) => Err("the refresher is closed".to_string()),
            };
            {
                let mut failures = inner.failures.lock().expect("refresher lock");
                match outcome {
                    Ok(()) => failures.remove(&want),
                    Err(e) => {
                        tracing::error!(?want, error = %e, "recomputing a stored result failed");
                        failures.insert(want, e)
                    }
                };
            }
            inner
                .in_flight
                .lock()
                .expect("refresher lock")
                .remove(&want);
            inner.running.send_modify(|n| *n -= 1);
        });
        true
    }

    /// Why the last computation of `want` failed, if it did.
    pub fn failure(&self, want: Want) -> Option<String> {
        self.0
            .failures
            .lock()
            .expect("refresher lock")
            .get(&want)
            .cloned()
    }

    /// Resolves once no computation is under way (tests, shutdown).
    pub async fn settled(&self) {
        let mut rx = self.0.running.subscribe();
        // The sender lives in `self`, so the channel cannot close here.
        let _ = rx.wait_for(|n| *n == 0).await;
    }
}

async fn run(inner: &Inner, want: Want) -> Result<(), String> {
    let now = inner.clock.now();
    let (period, as_of, recording) = match want {
        Want::Latest(period) if period.quarter.is_none() && period.month.is_none() => {
            (period, now, Recording::Findings)
        }
        Want::Latest(period) => (period, now, Recording::ResultsOnly),
        Want::AsOf(period, as_of) => (period, as_of, Recording::ResultsOnly),
    };
    let computed = compute::compute(&inner.store, &inner.config, period, as_of, now, recording)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(
        period = %period.label(),
        as_of = %crate::time::format_millis(as_of),
        data_version = computed.data_version,
        ms = computed.compute_ms,
        "stored results recomputed"
    );
    Ok(())
}
