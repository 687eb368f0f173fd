//! Delivering a webhook job: one signed POST (Standard Webhooks: `webhook-id`,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`) to
//! the endpoint, 10 s at most. A 2xx is done; anything else is tried again (see the policy in
//! `jobs`), and the last failure marks the delivery failed.

use std::net::IpAddr;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{KeyInit, Mac};
use parley_store::jobs::Job;
use parley_store::webhooks as store;

use super::Attempt;
use crate::{App, now};

pub const KIND: &str = store::JOB_KIND;

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

type HmacSha256 = hmac::Hmac<sha2_11::Sha256>;

/// The `v1,…` signature of a message with `secret` (`whsec_` and base64); `None` for a secret
/// that is not one.
#[must_use]
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = BASE64.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = HmacSha256::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// A new secret: `whsec_` and 24 random bytes in base64.
pub(crate) fn new_secret() -> Result<String, crate::AppError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| crate::AppError::internal(format!("getrandom: {e}")))?;
    Ok(format!("whsec_{}", BASE64.encode(bytes)))
}

/// Whether `ip` is on the public internet: a marketplace's key must not make Parley post to
/// the machine it runs on or its private network (unless the operator allows it).
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            let [first, second, ..] = a.octets();
            !(a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_documentation()
                || (first == 100 && (second & 0xc0) == 64)
                || first >= 240
                || first == 0)
        }
        IpAddr::V6(a) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = a.segments()[0];
            !(a.is_loopback()
                || a.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

impl App {
    pub(crate) async fn deliver_webhook(&self, job: &Job) -> Attempt {
        let give_up = |error: String| Attempt::GiveUp { error, code: None };
        let Some(webhook_id) = &job.subject else {
            return give_up("a webhook job without its webhook".to_owned());
        };
        let found = match self.store.read().await {
            Ok(mut conn) => store::get(&mut conn, webhook_id).await,
            Err(error) => Err(error),
        };
        let hook = match found {
            Ok(Some((hook, false))) => hook,
            Ok(_) => return give_up("the webhook was deleted".to_owned()),
            Err(error) => {
                return Attempt::Failed {
                    error: format!("reading the webhook: {error}"),
                    code: None,
                };
            }
        };
        // The message id is the job's up to its endpoint: the same for every endpoint and retry.
        let message_id = job.id.split(':').next().unwrap_or(&job.id);
        if let Err(error) = self.check_target(&hook.url).await {
            return give_up(error);
        }
        let at = now();
        let timestamp = at.0 / 1000;
        let mut signatures: Vec<String> = sign(&hook.secret, message_id, timestamp, &job.payload)
            .into_iter()
            .collect();
        if let Some((previous, until)) = &hook.previous_secret
            && *until > at.0
        {
            signatures.extend(sign(previous, message_id, timestamp, &job.payload));
        }
        let sent = self
            .http
            .post(&hook.url)
            .header("content-type", "application/json")
            .header("webhook-id", message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signatures.join(" "))
            .body(job.payload.clone())
            .timeout(TIMEOUT)
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Attempt::Done {
                code: Some(i64::from(response.status().as_u16())),
            },
            Ok(response) => Attempt::Failed {
                error: format!("the receiver answered {}", response.status()),
                code: Some(i64::from(response.status().as_u16())),
            },
            Err(error) if error.is_timeout() => Attempt::Failed {
                error: format!("no answer within {} s", TIMEOUT.as_secs()),
                code: None,
            },
            Err(error) => Attempt::Failed {
                error: format!(
                    "could not reach the receiver: {}",
                    crate::error::source_chain(&error)
                ),
                code: None,
            },
        }
    }

    /// Refuses a target on a private address (looked up now: a name may point anywhere).
    async fn check_target(&self, url: &str) -> Result<(), String> {
        if self.settings.webhooks_allow_private {
            return Ok(());
        }
        let url = reqwest::Url::parse(url).map_err(|e| format!("the URL: {e}"))?;
        let host = url.host_str().ok_or("the URL has no host")?;
        let port = url.port_or_known_default().unwrap_or(443);
        let addresses = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
            .await
            .map_err(|e| format!("looking up {host}: {e}"))?;
        for address in addresses {
            if !is_public(address.ip()) {
                return Err(format!("{host} is a private address ({})", address.ip()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, id, 1_614_265_330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(sign("not a secret", id, 1, body), None);
    }

    #[test]
    fn private_and_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().expect("test value")), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(is_public(ip.parse().expect("test value")), "{ip}");
        }
    }
}
