//! Online payment of accepted quotes (guide section 1 and 3). The application talks to a
//! [`PaymentProvider`]; [`Stripe`] implements it over Stripe's HTTP API (Checkout Sessions, no
//! SDK). A payment is confirmed only by a webhook whose `Stripe-Signature` verifies.

mod dev;
mod stripe;
mod webhook;

use std::future::Future;
use std::pin::Pin;

pub use dev::DevCheckout;
pub use stripe::Stripe;
pub use webhook::{MAX_PAYLOAD_BYTES, SignatureError, sign, verify_signature};

/// A boxed future, so providers can be used as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What to charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutRequest {
    /// Our reference: the quote's id (comes back in the webhook).
    pub reference: String,
    /// Lower-case ISO currency (`eur`).
    pub currency: String,
    /// Minor units.
    pub amount_minor: i64,
    /// What the buyer sees on the payment page.
    pub description: String,
    pub success_url: String,
    pub cancel_url: String,
    pub customer_email: Option<String>,
}

/// A payment page to send the buyer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    pub session_id: String,
    pub url: String,
}

/// A verified notification that a payment completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The provider's event id: a payment event is applied once.
    pub event_id: String,
    pub session_id: String,
    /// Our reference given at checkout.
    pub reference: String,
    pub amount_minor: i64,
    pub currency: String,
    /// Whether the money was received (`false`: e.g. an asynchronous payment still pending).
    pub paid: bool,
}

/// Why a payment step failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("payment provider: {0}")]
    Provider(String),
    #[error("webhook signature: {0}")]
    Signature(#[from] SignatureError),
    #[error("webhook payload: {0}")]
    Payload(String),
}

/// An online payment provider.
pub trait PaymentProvider: Send + Sync + std::fmt::Debug {
    /// The provider's name (`stripe`).
    fn name(&self) -> &'static str;

    /// Creates a payment page for `request`.
    fn create_checkout<'a>(
        &'a self,
        request: &'a CheckoutRequest,
    ) -> BoxFuture<'a, Result<Checkout, PaymentError>>;

    /// Verifies a webhook (`payload` as received, its signature header, `now` in Unix seconds)
    /// and returns the payment it reports, or `None` for events Parley does not act on.
    fn parse_webhook(
        &self,
        payload: &[u8],
        signature: &str,
        now: i64,
    ) -> Result<Option<PaymentEvent>, PaymentError>;
}
