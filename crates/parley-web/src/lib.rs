//! Parley's HTTP adapter: the JSON API v1 (with its OpenAPI document), health and metrics.
//! Handlers translate HTTP to use-case calls and back; they hold no rules of their own.

mod api;
mod auth;
mod client;
mod error;
mod export;
mod ids;
mod metrics;
mod ops;
mod pages;
mod request_id;
mod security;
mod server;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use parley_app::App;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use api::ApiDoc;
pub use error::ApiError;
pub use metrics::Metrics;
pub use server::{HttpLimits, serve_router};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Arc<Metrics>,
}

/// The whole HTTP surface.
pub fn router(app: App) -> Router {
    let state = AppState {
        app,
        metrics: Arc::new(Metrics::default()),
    };
    Router::new()
        .nest("/api/v1", api::router(&state))
        .merge(pages::router(&state))
        .merge(ops::router())
        // Stripe signs its webhooks; no session or token here.
        .route(
            "/webhooks/stripe",
            axum::routing::post(api::orders::stripe_webhook).layer(
                axum::extract::DefaultBodyLimit::max(parley_pay::MAX_PAYLOAD_BYTES),
            ),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(request_id::request_id))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, router(app), HttpLimits::default(), shutdown).await
}
