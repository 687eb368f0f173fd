//! A development stand-in for Stripe Checkout, like the dev mailbox for mail: `serve --demo`
//! uses it when no Stripe key is configured, so a person can walk the whole quote-to-order path
//! offline. Its payment page lives in Parley (`/dev/checkout/…`); paying there sends a webhook
//! signed exactly as Stripe signs, through the same verification as Stripe's.

use crate::stripe::Stripe;
use crate::{BoxFuture, Checkout, CheckoutRequest, PaymentError, PaymentEvent, PaymentProvider};

/// The stand-in, with Parley's public URL and the secret its webhooks are signed with.
#[derive(Clone)]
pub struct DevCheckout {
    base: String,
    verifier: Stripe,
    secret: String,
}

impl std::fmt::Debug for DevCheckout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevCheckout")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl DevCheckout {
    #[must_use]
    pub fn new(base: &str, secret: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            verifier: Stripe::new("http://127.0.0.1:9", "unused", secret),
            secret: secret.to_owned(),
        }
    }

    /// The signing secret (the dev payment page signs its webhook with it).
    #[must_use]
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl PaymentProvider for DevCheckout {
    fn name(&self) -> &'static str {
        "dev-checkout"
    }

    fn create_checkout<'a>(
        &'a self,
        request: &'a CheckoutRequest,
    ) -> BoxFuture<'a, Result<Checkout, PaymentError>> {
        Box::pin(async move {
            let session_id = format!("cs_dev_{}", request.reference.replace('-', ""));
            let url = format!(
                "{}/dev/checkout/{session_id}?reference={}&amount={}&currency={}&description={}&success={}",
                self.base,
                encode(&request.reference),
                request.amount_minor,
                encode(&request.currency),
                encode(&request.description),
                encode(&request.success_url),
            );
            Ok(Checkout { session_id, url })
        })
    }

    fn parse_webhook(
        &self,
        payload: &[u8],
        signature: &str,
        now: i64,
    ) -> Result<Option<PaymentEvent>, PaymentError> {
        self.verifier.parse_webhook(payload, signature, now)
    }
}
