//! A marketplace's webhooks: it registers endpoints for the event types it wants, rotates their
//! secrets, deletes them, and reads what was delivered. Only the marketplace's integration key
//! reaches them; another marketplace's endpoint is not found.

use parley_domain::FieldError;
use parley_domain::webhook::EVENT_TYPES;
use parley_store::jobs as store_jobs;
use parley_store::webhooks as store;
pub use parley_store::webhooks::Webhook;

use crate::jobs::webhooks::{is_public, new_secret};
use crate::provisioning::marketplace_of;
use crate::{App, AppError, Caller, now};

/// The most endpoints a marketplace keeps.
pub const MAX_WEBHOOKS: usize = 10;
/// The longest URL accepted.
pub const URL_MAX_CHARS: usize = 2000;
/// How long a rotated-out secret still signs (receivers switch without losing a delivery).
pub const PREVIOUS_SECRET_MS: i64 = 24 * 3600 * 1000;
/// The most deliveries listed.
pub const DELIVERIES_MAX: u32 = 100;

/// One delivery of an event to an endpoint.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The message id (`webhook-id`).
    pub id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed` (after the last attempt).
    pub status: &'static str,
    pub attempts: i64,
    pub last_response_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: parley_domain::Timestamp,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<parley_domain::Timestamp>,
    pub finished_at: Option<parley_domain::Timestamp>,
}

fn invalid(field: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

/// The endpoint's URL and event types, every bad field at once.
fn parse(
    url: &str,
    events: &[String],
    allow_private: bool,
) -> Result<(String, Vec<String>), AppError> {
    let mut errors = Vec::new();
    let url = url.trim();
    match reqwest::Url::parse(url) {
        _ if url.chars().count() > URL_MAX_CHARS => errors.push(invalid(
            "url",
            "too_long",
            format!("At most {URL_MAX_CHARS} characters."),
        )),
        Ok(parsed)
            if matches!(parsed.scheme(), "http" | "https")
                && parsed.host_str().is_some()
                && parsed.username().is_empty()
                && parsed.password().is_none() =>
        {
            let literal = parsed
                .host_str()
                .and_then(|h| h.trim_matches(['[', ']']).parse().ok());
            let local =
                parsed.host_str() == Some("localhost") || literal.is_some_and(|ip| !is_public(ip));
            if local && !allow_private {
                errors.push(invalid(
                    "url",
                    "url_private",
                    "Webhooks go to the internet, not to a private or local address.",
                ));
            }
        }
        _ => errors.push(invalid(
            "url",
            "url_invalid",
            "Give an http:// or https:// address without a user name or password.",
        )),
    }
    let mut chosen: Vec<String> = Vec::new();
    if events.is_empty() {
        errors.push(invalid(
            "events",
            "required",
            "Choose at least one event type.",
        ));
    }
    for event in events {
        if !EVENT_TYPES.contains(&event.as_str()) {
            errors.push(invalid(
                "events",
                "event_unknown",
                format!("Unknown event type (one of {}).", EVENT_TYPES.join(", ")),
            ));
            break;
        }
        if !chosen.contains(event) {
            chosen.push(event.clone());
        }
    }
    if errors.is_empty() {
        Ok((url.to_owned(), chosen))
    } else {
        Err(AppError::Invalid(errors))
    }
}

impl App {
    /// Registers an endpoint for the calling marketplace; returns it with its secret.
    pub async fn create_webhook(
        &self,
        caller: &Caller,
        url: &str,
        events: &[String],
    ) -> Result<Webhook, AppError> {
        let marketplace = marketplace_of(caller)?.id;
        let (url, events) = parse(url, events, self.settings.webhooks_allow_private)?;
        let hook = Webhook {
            id: uuid::Uuid::now_v7().to_string(),
            marketplace_id: marketplace,
            url,
            events,
            secret: new_secret()?,
            previous_secret: None,
            created_at: now().0,
        };
        self.store
            .write(hook, |tx, hook| {
                Box::pin(async move {
                    if store::of_marketplace(tx, hook.marketplace_id).await?.len() >= MAX_WEBHOOKS {
                        return Err(AppError::Conflict("too_many_webhooks".to_owned()));
                    }
                    store::insert(tx, hook).await?;
                    Ok(hook.clone())
                })
            })
            .await
    }

    /// The calling marketplace's endpoints.
    pub async fn webhooks(&self, caller: &Caller) -> Result<Vec<Webhook>, AppError> {
        let marketplace = marketplace_of(caller)?.id;
        let mut conn = self.store.read().await?;
        Ok(store::of_marketplace(&mut conn, marketplace).await?)
    }

    /// Deletes an endpoint: nothing more is delivered to it.
    pub async fn delete_webhook(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        let marketplace = marketplace_of(caller)?.id;
        let id = id.to_owned();
        let at = now().0;
        let deleted = self
            .store
            .write(id, move |tx, id| {
                Box::pin(store::delete(tx, marketplace, id, at))
            })
            .await?;
        if deleted {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Gives an endpoint a new secret (returned); the old one also signs for a day.
    pub async fn rotate_webhook_secret(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<String, AppError> {
        let marketplace = marketplace_of(caller)?.id;
        let secret = new_secret()?;
        let until = now().0 + PREVIOUS_SECRET_MS;
        let rotated = self
            .store
            .write((id.to_owned(), secret.clone()), move |tx, (id, secret)| {
                Box::pin(store::rotate(tx, marketplace, id, secret, until))
            })
            .await?;
        if rotated {
            Ok(secret)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The latest deliveries to an endpoint of the calling marketplace, newest first.
    pub async fn webhook_deliveries(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Vec<Delivery>, AppError> {
        let marketplace = marketplace_of(caller)?.id;
        let mut conn = self.store.read().await?;
        match store::get(&mut conn, id).await? {
            Some((hook, _)) if hook.marketplace_id == marketplace => {}
            _ => return Err(AppError::NotFound),
        }
        let jobs = store_jobs::of_subject(&mut conn, id, DELIVERIES_MAX).await?;
        Ok(jobs
            .into_iter()
            .filter(|job| job.kind == store::JOB_KIND)
            .map(|job| {
                let event_type = serde_json::from_str::<serde_json::Value>(&job.payload)
                    .ok()
                    .and_then(|body| body["type"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                let status = match job.state.as_str() {
                    "done" => "delivered",
                    "dead" => "failed",
                    _ => "pending",
                };
                Delivery {
                    id: job.id.split(':').next().unwrap_or_default().to_owned(),
                    event_type,
                    status,
                    attempts: job.attempts,
                    last_response_code: job.last_code,
                    last_error: job.last_error,
                    created_at: parley_domain::Timestamp(job.created_at),
                    next_attempt_at: (status == "pending")
                        .then_some(parley_domain::Timestamp(job.run_at)),
                    finished_at: job.finished_at.map(parley_domain::Timestamp),
                }
            })
            .collect())
    }
}
