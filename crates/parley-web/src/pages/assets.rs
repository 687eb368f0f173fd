//! The stylesheet, vendored htmx and the time-zone script, compiled into the binary (no build step, no CDN).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

const CSS: &str = include_str!("../../static/parley.css");
const HTMX: &str = include_str!("../../static/htmx.min.js");
/// Sets the `parley_tz` cookie to the browser's time zone (see `i18n`).
const ZONE: &str = include_str!("../../static/zone.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/parley.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/static/htmx.min.js",
            get(|| async { asset("text/javascript; charset=utf-8", HTMX) }),
        )
        .route(
            "/static/zone.js",
            get(|| async { asset("text/javascript; charset=utf-8", ZONE) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
}
