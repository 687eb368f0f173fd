//! JSON API v1, described by the OpenAPI 3.1 document at `/api/v1/openapi.json`.

pub(crate) mod documents;
pub mod dto;
mod filters;
mod handling;
mod held;
pub(crate) mod messages;
pub(crate) mod network;
pub(crate) mod orders;
mod organizations;
mod quotes;
mod request_documents;
mod requests;
mod team;
mod translations;
mod webhooks;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;
use crate::error::{FieldErrorDto, Problem};

/// The OpenAPI description of API v1.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Parley API",
        version = "1",
        description = "Requests, threads, messages, documents and history of the Parley \
                       negotiation hub. Authenticate with `Authorization: Bearer <token>` \
                       (tokens from `parley token create`). Errors are \
                       `application/problem+json`."
    ),
    servers((url = "/api/v1")),
    paths(
        requests::create_request,
        requests::list_requests,
        filters::choices,
        filters::export,
        requests::get_request,
        requests::history,
        requests::display_phone,
        requests::mark_read,
        messages::post_message,
        held::list,
        held::release,
        held::delete,
        documents::download,
        handling::forward,
        handling::cc,
        handling::copies,
        handling::remove_cc,
        handling::decline,
        handling::outcome,
        network::overview,
        network::add_member,
        network::update_member,
        network::remove_member,
        network::routing,
        translations::translate,
        translations::translate_request,
        quotes::list,
        quotes::accept,
        quotes::decline,
        orders::pay,
        orders::order,
        orders::review,
        organizations::put_organization,
        organizations::get_organization,
        organizations::list_organizations,
        organizations::put_member,
        organizations::delete_member,
        team::team,
        team::put_colleague,
        team::remove_colleague,
        team::put_reminders,
        webhooks::create,
        webhooks::list,
        webhooks::delete,
        webhooks::rotate,
        webhooks::deliveries,
    ),
    components(schemas(Problem, FieldErrorDto)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub fn router(state: &AppState) -> Router<AppState> {
    let message_limit = state.app.settings().message_body_limit();
    Router::new()
        .route("/openapi.json", get(openapi))
        .route(
            "/requests",
            post(requests::create_request)
                .get(requests::list_requests)
                .layer(DefaultBodyLimit::max(message_limit)),
        )
        .route("/requests/filters", get(filters::choices))
        .route("/requests/export.csv", get(filters::export))
        .route("/requests/{id}", get(requests::get_request))
        .route("/requests/{id}/history", get(requests::history))
        .route("/requests/{id}/phone", post(requests::display_phone))
        .route("/requests/{id}/read", post(requests::mark_read))
        .route(
            "/requests/{id}/messages",
            post(messages::post_message).layer(DefaultBodyLimit::max(message_limit)),
        )
        .route("/documents/{id}", get(documents::download))
        .route("/requests/{id}/forward", post(handling::forward))
        .route(
            "/requests/{id}/cc",
            post(handling::cc).get(handling::copies),
        )
        .route(
            "/requests/{id}/cc/{member}",
            axum::routing::delete(handling::remove_cc),
        )
        .route("/requests/{id}/decline", post(handling::decline))
        .route("/requests/{id}/outcome", post(handling::outcome))
        .route("/organizations", get(organizations::list_organizations))
        .route(
            "/organizations/{external_id}",
            put(organizations::put_organization).get(organizations::get_organization),
        )
        .route(
            "/organizations/{external_id}/members/{email}",
            put(organizations::put_member).delete(organizations::delete_member),
        )
        .route("/team", get(team::team))
        .route("/team/reminders", put(team::put_reminders))
        .route("/webhooks", post(webhooks::create).get(webhooks::list))
        .route("/webhooks/{id}", axum::routing::delete(webhooks::delete))
        .route("/webhooks/{id}/rotate", post(webhooks::rotate))
        .route("/webhooks/{id}/deliveries", get(webhooks::deliveries))
        .route(
            "/team/members/{email}",
            put(team::put_colleague).delete(team::remove_colleague),
        )
        .route("/network", get(network::overview))
        .route("/network/members", post(network::add_member))
        .route(
            "/network/members/{id}",
            put(network::update_member).delete(network::remove_member),
        )
        .route("/network/routing", put(network::routing))
        .route("/messages/{id}/translations", post(translations::translate))
        .route(
            "/requests/{id}/translations",
            post(translations::translate_request),
        )
        .route("/requests/{id}/held", get(held::list))
        .route("/requests/{id}/held/{held}/release", post(held::release))
        .route(
            "/requests/{id}/held/{held}",
            axum::routing::delete(held::delete),
        )
        .route("/requests/{id}/quotes", get(quotes::list))
        .route("/quotes/{id}/accept", post(quotes::accept))
        .route("/quotes/{id}/decline", post(quotes::decline))
        .route("/quotes/{id}/pay", post(orders::pay))
        .route("/quotes/{id}/order", post(orders::order))
        .route("/requests/{id}/review", post(orders::review))
        .fallback(|| async { crate::ApiError::not_found() })
        .layer(axum::middleware::from_fn(crate::error::problems_only))
}

/// Parses an id from a path; a malformed id is as absent as an unknown one.
fn path_id<T: std::str::FromStr>(text: &str) -> Result<T, crate::ApiError> {
    text.parse().map_err(|_| crate::ApiError::not_found())
}
