//! The HTTP service: assembles every feature's routes into one router and
//! serves it until shutdown. Handlers live with their feature
//! (`people::api`, `org::api`, `ingest::api`, `metrics::api`,
//! `evaluation::api`, `documents::api`, `audit::api`) and share only
//! [`crate::http`] (state, errors) and [`crate::access`] (who may do what).
//! Every route but `/healthz` and signing in needs an identity.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::json;
use tower_http::trace::TraceLayer;

use std::process::ExitCode;

use anyhow::Context as _;

use crate::config::Config;
use crate::http::{ApiError, AppState};
use crate::store::Store;

/// `dukao serve`.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// Listen address (default 127.0.0.1:8080).
    #[arg(long)]
    pub bind: Option<String>,
    /// Serve without running the scheduled jobs (a replica that only
    /// answers; another one runs the clock — or several do, the ledger
    /// runs each occurrence once).
    #[arg(long)]
    pub no_scheduler: bool,
}

/// Runs `dukao serve`.
pub async fn run_serve(mut config: Config, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    set_bind(&mut config, args.bind.as_deref())?;
    let store = Store::connect(&config.database_url).await?;
    let clock = if args.no_scheduler {
        Scheduling::Off
    } else {
        Scheduling::On
    };
    serve_until_shutdown(store, config, clock).await
}

/// Whether `dukao serve` runs the scheduled jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheduling {
    /// Runs the clock beside the service.
    On,
    /// Only serves.
    Off,
}

/// Overrides the configured listen address.
pub fn set_bind(config: &mut Config, bind: Option<&str>) -> anyhow::Result<()> {
    if let Some(bind) = bind {
        config.bind = bind
            .parse()
            .with_context(|| format!("invalid listen address {bind:?}"))?;
    }
    Ok(())
}

/// Serves (and runs the clock, unless told not to) until shutdown; then
/// waits for a running job, and closes the store.
pub async fn serve_until_shutdown(
    store: Store,
    config: Config,
    scheduling: Scheduling,
) -> anyhow::Result<ExitCode> {
    let state = AppState::new(store.clone(), config);
    let clockwork = match scheduling {
        Scheduling::On => Some(
            crate::jobs::Clockwork::start(state.jobs.clone())
                .await
                .context("starting the scheduler")?,
        ),
        Scheduling::Off => None,
    };
    let served = serve(state).await;
    if let Some(c) = clockwork {
        c.stop().await;
    }
    store.close().await;
    served?;
    Ok(ExitCode::SUCCESS)
}

/// The application's router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(crate::people::api::routes())
        .merge(crate::org::api::routes())
        .merge(crate::ingest::api::routes())
        .merge(crate::metrics::api::routes())
        .merge(crate::evaluation::api::routes())
        .merge(crate::documents::api::routes())
        .merge(crate::cases::api::routes())
        .merge(crate::jobs::api::routes())
        .merge(crate::pages::routes())
        .merge(crate::audit::api::routes())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    state.store.ping().await?;
    Ok(Json(
        json!({ "status": "ok", "backend": state.store.backend() }),
    ))
}

/// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.bind).await?;
    tracing::info!(address = %listener.local_addr()?, backend = ?state.store.backend(), "dukao is serving");
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
