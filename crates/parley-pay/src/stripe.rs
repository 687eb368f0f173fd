//! Stripe Checkout over Stripe's HTTP API: `POST /v1/checkout/sessions` (form-encoded, secret
//! key as Bearer) creates the payment page; the `checkout.session.completed` webhook, once its
//! signature verifies, reports the payment.

use serde::Deserialize;

use crate::webhook::verify_signature;
use crate::{BoxFuture, Checkout, CheckoutRequest, PaymentError, PaymentEvent, PaymentProvider};

/// How old a webhook may be (Stripe's libraries use 5 minutes).
const TOLERANCE_SECONDS: i64 = 300;

/// Stripe, with the account's secret key and the webhook endpoint's signing secret.
#[derive(Clone)]
pub struct Stripe {
    api: String,
    secret_key: String,
    webhook_secret: String,
    client: reqwest::Client,
}

// By hand: the keys never reach a log.
impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stripe")
            .field("api", &self.api)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Session {
    id: String,
    url: Option<String>,
}

#[derive(Deserialize)]
struct StripeError {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: SessionObject,
}

#[derive(Deserialize)]
struct SessionObject {
    id: String,
    client_reference_id: Option<String>,
    payment_status: Option<String>,
    amount_total: Option<i64>,
    currency: Option<String>,
}

impl Stripe {
    /// `api` is `https://api.stripe.com` (or a local server speaking its API, for tests).
    #[must_use]
    pub fn new(api: &str, secret_key: &str, webhook_secret: &str) -> Self {
        Self {
            api: api.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
            webhook_secret: webhook_secret.to_owned(),
            client: reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(5))
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
        }
    }

    async fn checkout(&self, request: &CheckoutRequest) -> Result<Checkout, PaymentError> {
        let amount = request.amount_minor.to_string();
        let mut form = vec![
            ("mode", "payment".to_owned()),
            ("client_reference_id", request.reference.clone()),
            ("metadata[quote_id]", request.reference.clone()),
            ("success_url", request.success_url.clone()),
            ("cancel_url", request.cancel_url.clone()),
            ("line_items[0][quantity]", "1".to_owned()),
            (
                "line_items[0][price_data][currency]",
                request.currency.clone(),
            ),
            ("line_items[0][price_data][unit_amount]", amount),
            (
                "line_items[0][price_data][product_data][name]",
                request.description.clone(),
            ),
        ];
        if let Some(email) = &request.customer_email {
            form.push(("customer_email", email.clone()));
        }
        let response = self
            .client
            .post(format!("{}/v1/checkout/sessions", self.api))
            .bearer_auth(&self.secret_key)
            // The quote's id makes a retried creation return the same session.
            .header("Idempotency-Key", format!("checkout-{}", request.reference))
            .form(&form)
            .send()
            .await
            .map_err(|e| PaymentError::Provider(e.to_string()))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| PaymentError::Provider(e.to_string()))?;
        if !status.is_success() {
            let message = serde_json::from_str::<StripeError>(&body)
                .ok()
                .and_then(|e| e.error.message)
                .unwrap_or_else(|| status.to_string());
            return Err(PaymentError::Provider(message));
        }
        let session: Session =
            serde_json::from_str(&body).map_err(|e| PaymentError::Provider(e.to_string()))?;
        let url = session
            .url
            .ok_or_else(|| PaymentError::Provider("the session has no URL".to_owned()))?;
        Ok(Checkout {
            session_id: session.id,
            url,
        })
    }
}

impl PaymentProvider for Stripe {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn create_checkout<'a>(
        &'a self,
        request: &'a CheckoutRequest,
    ) -> BoxFuture<'a, Result<Checkout, PaymentError>> {
        Box::pin(self.checkout(request))
    }

    fn parse_webhook(
        &self,
        payload: &[u8],
        signature: &str,
        now: i64,
    ) -> Result<Option<PaymentEvent>, PaymentError> {
        verify_signature(
            &self.webhook_secret,
            payload,
            signature,
            now,
            TOLERANCE_SECONDS,
        )?;
        let event: Event =
            serde_json::from_slice(payload).map_err(|e| PaymentError::Payload(e.to_string()))?;
        let paid = match event.kind.as_str() {
            "checkout.session.completed" => {
                event.data.object.payment_status.as_deref() == Some("paid")
            }
            "checkout.session.async_payment_succeeded" => true,
            _ => return Ok(None),
        };
        let object = event.data.object;
        Ok(Some(PaymentEvent {
            event_id: event.id,
            session_id: object.id,
            reference: object
                .client_reference_id
                .ok_or_else(|| PaymentError::Payload("no client_reference_id".to_owned()))?,
            amount_minor: object.amount_total.unwrap_or_default(),
            currency: object.currency.unwrap_or_default(),
            paid,
        }))
    }
}
