//! Operations endpoints: health and Prometheus metrics.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use parley_app::worker_health::{WorkerHealth, WorkerState};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
}

/// 200 when the database answers and the background worker (when this process runs one) is
/// alive and delivering; 503 otherwise, with one line per check saying which failed.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let database = match state.app.health().await {
        Ok(()) => Ok("database: ok".to_owned()),
        Err(error) => {
            tracing::error!(error = %error.chain(), "health check failed");
            Err("database: unavailable".to_owned())
        }
    };
    let worker = match state.app.worker_health().state(parley_app::now().0) {
        WorkerState::NotRunning => Ok("worker: not running in this process".to_owned()),
        WorkerState::Ok => Ok("worker: ok".to_owned()),
        WorkerState::Stalled(ms) => Err(format!("worker: stalled (no round for {} s)", ms / 1000)),
        WorkerState::Failing(count) => Err(format!(
            "worker: failing ({count} deliveries failed in a row)"
        )),
    };
    let healthy = database.is_ok() && worker.is_ok();
    let body = [database, worker]
        .into_iter()
        .map(|line| line.unwrap_or_else(|e| e) + "\n")
        .collect::<String>();
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, body)
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render()
            + &worker_metrics(state.app.worker_health())
            + &relay_metrics(state.app.relay_metrics())
            + &mail_queue_metrics(&state).await
            + &jobs_metrics(&state).await
            + &storage_metrics()
            + &translation_metrics(&state.app.translation_calls())
            + &intake_metrics(state.app.intake_lag()),
    )
}

/// The SMTP relay's answers in the Prometheus text format.
fn relay_metrics(relay: &parley_app::relay_metrics::RelayMetrics) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    out.push_str("# HELP parley_relay_messages_accepted_total Emailed messages stored (250).\n");
    out.push_str("# TYPE parley_relay_messages_accepted_total counter\n");
    let _ = writeln!(
        out,
        "parley_relay_messages_accepted_total {}",
        relay.accepted_total()
    );
    out.push_str("# HELP parley_relay_refusals_total SMTP replies refusing something, by code.\n");
    out.push_str("# TYPE parley_relay_refusals_total counter\n");
    for (code, count) in relay.refused() {
        let _ = writeln!(
            out,
            "parley_relay_refusals_total{{code=\"{code}\"}} {count}"
        );
    }
    out
}

/// The outgoing mail queue: its depth and the age of its oldest mail (absent when the
/// database does not answer: /healthz says so).
async fn mail_queue_metrics(state: &AppState) -> String {
    let Ok((waiting, oldest_ms)) = state.app.mail_waiting().await else {
        return String::new();
    };
    format!(
        "# HELP parley_mail_queue_depth Mails waiting to be delivered (not given up).\n\
         # TYPE parley_mail_queue_depth gauge\n\
         parley_mail_queue_depth {waiting}\n\
         # HELP parley_mail_queue_oldest_age_seconds How long the oldest waiting mail has waited.\n\
         # TYPE parley_mail_queue_oldest_age_seconds gauge\n\
         parley_mail_queue_oldest_age_seconds {}\n",
        oldest_ms.unwrap_or(0) as f64 / 1000.0
    )
}

/// The store's write paths: batches, units, time running and committing, failed commits.
fn storage_metrics() -> String {
    use std::fmt::Write as _;
    let paths = parley_app::store_metrics::write_paths();
    let mut out = String::new();
    let mut family =
        |name: &str,
         help: &str,
         kind: &str,
         value: &dyn Fn(&parley_app::store_metrics::PathStats) -> String| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for path in paths {
                let _ = writeln!(out, "{name}{{path=\"{}\"}} {}", path.name, value(path));
            }
        };
    family(
        "parley_store_batches_total",
        "Write batches by path (sqlx units, direct rusqlite batches, relay folds).",
        "counter",
        &|p| p.read().0.to_string(),
    );
    family(
        "parley_store_batch_units_total",
        "Units (writes, or folded replies) in those batches.",
        "counter",
        &|p| p.read().1.to_string(),
    );
    family(
        "parley_store_batch_seconds_total",
        "Time running and committing those batches.",
        "counter",
        &|p| p.read().2.to_string(),
    );
    family(
        "parley_store_commit_failures_total",
        "Batches whose commit failed (a fold is retried with the next).",
        "counter",
        &|p| p.read().3.to_string(),
    );
    out
}

/// Where the relay's emailed replies wait on SQLite: made durable in the relay's own log
/// before `250` (messages, syncs, time syncing, time waited by the sessions) and folded into
/// their conversations a moment later (how many are not yet, and for how long).
fn intake_metrics(lag: Option<parley_app::store_metrics::IntakeLag>) -> String {
    let (messages, syncs, sync_seconds, wait_seconds) = parley_app::store_metrics::INTAKE.read();
    let mut out = format!(
        "# HELP parley_relay_intake_messages_total Emailed replies made durable before their 250.\n\
         # TYPE parley_relay_intake_messages_total counter\n\
         parley_relay_intake_messages_total {messages}\n\
         # HELP parley_relay_intake_syncs_total Syncs to disk those replies shared.\n\
         # TYPE parley_relay_intake_syncs_total counter\n\
         parley_relay_intake_syncs_total {syncs}\n\
         # HELP parley_relay_intake_sync_seconds_total Time writing and syncing them.\n\
         # TYPE parley_relay_intake_sync_seconds_total counter\n\
         parley_relay_intake_sync_seconds_total {sync_seconds}\n\
         # HELP parley_relay_intake_wait_seconds_total Time the sessions waited for them to be durable.\n\
         # TYPE parley_relay_intake_wait_seconds_total counter\n\
         parley_relay_intake_wait_seconds_total {wait_seconds}\n"
    );
    if let Some(lag) = lag {
        out += &format!(
            "# HELP parley_relay_unfolded_messages Replies acknowledged and not in their conversation yet.\n\
             # TYPE parley_relay_unfolded_messages gauge\n\
             parley_relay_unfolded_messages {}\n\
             # HELP parley_relay_fold_lag_seconds How long the oldest of them has waited.\n\
             # TYPE parley_relay_fold_lag_seconds gauge\n\
             parley_relay_fold_lag_seconds {}\n",
            lag.unfolded,
            lag.oldest.as_secs_f64()
        );
    }
    out
}

/// The jobs queue: depth, oldest age and dead jobs per kind, and attempts by outcome.
async fn jobs_metrics(state: &AppState) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if let Ok(stats) = state.app.jobs_stats().await {
        let at = parley_app::now().0;
        out.push_str("# HELP parley_jobs_depth Jobs waiting to run, by kind.\n");
        out.push_str("# TYPE parley_jobs_depth gauge\n");
        for kind in &stats {
            let _ = writeln!(
                out,
                "parley_jobs_depth{{kind=\"{}\"}} {}",
                kind.kind, kind.pending
            );
        }
        out.push_str("# HELP parley_jobs_oldest_age_seconds How long the oldest waiting job has waited, by kind.\n");
        out.push_str("# TYPE parley_jobs_oldest_age_seconds gauge\n");
        for kind in &stats {
            let age = kind.oldest_pending.map_or(0, |t| (at - t).max(0));
            let _ = writeln!(
                out,
                "parley_jobs_oldest_age_seconds{{kind=\"{}\"}} {}",
                kind.kind,
                age as f64 / 1000.0
            );
        }
        out.push_str("# HELP parley_jobs_dead Jobs given up after their last attempt, by kind.\n");
        out.push_str("# TYPE parley_jobs_dead gauge\n");
        for kind in &stats {
            let _ = writeln!(
                out,
                "parley_jobs_dead{{kind=\"{}\"}} {}",
                kind.kind, kind.dead
            );
        }
    }
    out.push_str("# HELP parley_jobs_attempts_total Job attempts by kind and outcome (done, failed and tried again, dead).\n");
    out.push_str("# TYPE parley_jobs_attempts_total counter\n");
    for (kind, outcome, count) in state.app.jobs_metrics().snapshot() {
        let _ = writeln!(
            out,
            "parley_jobs_attempts_total{{kind=\"{kind}\",outcome=\"{outcome}\"}} {count}"
        );
    }
    out
}

/// Calls to the translation engines by engine and outcome, and the time they took.
fn translation_metrics(
    calls: &[(
        &'static str,
        &'static str,
        parley_app::translate::EngineCalls,
    )],
) -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# HELP parley_translation_calls_total Calls to a translation engine (a stored \
         translation calls none), by engine and outcome.\n\
         # TYPE parley_translation_calls_total counter\n",
    );
    for (engine, outcome, c) in calls {
        let _ = writeln!(
            out,
            "parley_translation_calls_total{{engine=\"{engine}\",outcome=\"{outcome}\"}} {}",
            c.count
        );
    }
    out.push_str(
        "# HELP parley_translation_seconds_total Time spent waiting for translation engines, \
         by engine and outcome.\n# TYPE parley_translation_seconds_total counter\n",
    );
    for (engine, outcome, c) in calls {
        let _ = writeln!(
            out,
            "parley_translation_seconds_total{{engine=\"{engine}\",outcome=\"{outcome}\"}} {:.6}",
            c.seconds
        );
    }
    out
}

/// The background worker's counters in the Prometheus text format.
fn worker_metrics(health: &WorkerHealth) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    out.push_str("# HELP parley_mail_delivered_total Mails the worker delivered.\n");
    out.push_str("# TYPE parley_mail_delivered_total counter\n");
    let _ = writeln!(
        out,
        "parley_mail_delivered_total {}",
        health.delivered_total()
    );
    out.push_str(
        "# HELP parley_mail_failures_total Mails (or worker rounds) that failed, by reason.\n",
    );
    out.push_str("# TYPE parley_mail_failures_total counter\n");
    for (reason, count) in health.failures() {
        let _ = writeln!(
            out,
            "parley_mail_failures_total{{reason=\"{}\"}} {count}",
            reason.as_str()
        );
    }
    out.push_str("# HELP parley_worker_last_round_timestamp_seconds When the worker last finished a round.\n");
    out.push_str("# TYPE parley_worker_last_round_timestamp_seconds gauge\n");
    let _ = writeln!(
        out,
        "parley_worker_last_round_timestamp_seconds {}",
        health.last_round_ms() / 1000
    );
    out
}
