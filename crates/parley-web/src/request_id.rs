//! A request id on every HTTP request: taken from `X-Request-Id` when a proxy set a sane one
//! (at most 64 letters, digits, `-` and `_`; anything else could forge log lines), else a new
//! UUIDv7. Every log line of the request carries it (a span around it), and the response
//! says it, so a user's report of an error can be found in the logs.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;

const HEADER: &str = "x-request-id";

/// The inbound id when it is safe to log, else a new one.
fn id_of(request: &Request) -> String {
    request
        .headers()
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| {
            (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

pub async fn request_id(mut request: Request, next: Next) -> Response {
    let id = id_of(&request);
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("-"));
    request.headers_mut().insert(HEADER, value.clone());
    let span = tracing::info_span!("http", request_id = %id);
    let mut response = next.run(request).instrument(span).await;
    response.headers_mut().insert(HEADER, value);
    response
}
