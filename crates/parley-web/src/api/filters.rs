//! The choices the list's filters offer the caller (what occurs in their requests), and the
//! list as a CSV file.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FilterChoices {
    /// Marketplaces the caller's requests came through, by name.
    pub marketplaces: Vec<Choice>,
    /// Products asked about, by name.
    pub products: Vec<Choice>,
    /// Buyers' countries (ISO 3166-1 alpha-2), in order.
    pub countries: Vec<String>,
}

/// The values the filters of `GET /requests` can take for the caller (the ones that occur).
#[utoipa::path(
    get, path = "/requests/filters", tag = "requests",
    responses(
        (status = 200, body = FilterChoices),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn choices(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Json<FilterChoices>, ApiError> {
    let facets = state.app.list_facets(&caller).await?;
    let choices = |pairs: Vec<(String, String)>| {
        pairs
            .into_iter()
            .map(|(id, name)| Choice { id, name })
            .collect()
    };
    Ok(Json(FilterChoices {
        marketplaces: choices(facets.marketplaces),
        products: choices(facets.products),
        countries: facets.countries,
    }))
}

/// The caller's list with the same filters as `GET /requests`, every page, as a CSV file
/// (streamed; the filters in the file's name).
#[utoipa::path(
    get, path = "/requests/export.csv", tag = "requests",
    params(super::requests::ListParams),
    responses(
        (status = 200, description = "The list as CSV (RFC 4180)", content_type = "text/csv"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    Query(params): Query<super::requests::ListParams>,
) -> Result<Response, ApiError> {
    Ok(crate::export::csv(state.app.clone(), caller, params.into_query()).await?)
}
