//! Stripe's webhook signatures: the `Stripe-Signature` header carries `t=<unix seconds>` and one
//! or more `v1=<hex HMAC-SHA256 of "{t}.{payload}" with the endpoint secret>`. A signature is
//! accepted when one v1 matches (compared in constant time) and `t` is within the tolerance.

use hmac::{KeyInit, Mac};

type HmacSha256 = hmac::Hmac<sha2_11::Sha256>;

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no t= or v1= in the header")]
    Malformed,
    #[error("the timestamp is outside the tolerance (replayed or clock skew)")]
    OutsideTolerance,
    #[error("no signature matches")]
    Mismatch,
}

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// The header Stripe would send for `payload` at `timestamp` (tests and tooling).
#[must_use]
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let signature = hex::encode(mac(secret, timestamp, payload).finalize().into_bytes());
    format!("t={timestamp},v1={signature}")
}

/// The most `v1=` signatures one header may carry.
pub const MAX_SIGNATURES: usize = 8;
/// The longest signature header.
pub const MAX_HEADER_BYTES: usize = 1024;
/// The largest webhook payload accepted (Stripe's events are a few kilobytes).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// Checks `header` for `payload` at `now` (Unix seconds), with `tolerance` seconds.
pub fn verify_signature(
    secret: &str,
    payload: &[u8],
    header: &str,
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    // Bounded before any HMAC: an unauthenticated caller must not buy CPU with a long header
    // (Stripe sends one or two signatures; a few more during a secret's rotation).
    if header.len() > MAX_HEADER_BYTES {
        return Err(SignatureError::Malformed);
    }
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => {
                if let Ok(bytes) = hex::decode(value) {
                    candidates.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() || candidates.len() > MAX_SIGNATURES {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > tolerance {
        return Err(SignatureError::OutsideTolerance);
    }
    let matches = candidates.iter().any(|candidate| {
        mac(secret, timestamp, payload)
            .verify_slice(candidate)
            .is_ok()
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_stuffed_with_signatures_is_refused_before_any_hmac() {
        let payload = b"{}";
        let header = format!("t=1700000000,{}", "v1=00,".repeat(900));
        assert_eq!(
            verify_signature(SECRET, payload, &header, 1_700_000_000, 300),
            Err(SignatureError::Malformed)
        );
        let nine = format!("t=1700000000,{}", "v1=00,".repeat(9));
        assert_eq!(
            verify_signature(SECRET, payload, &nine, 1_700_000_000, 300),
            Err(SignatureError::Malformed)
        );
    }

    const SECRET: &str = "whsec_test_secret";

    #[test]
    fn signed_payloads_verify_and_forged_or_replayed_ones_do_not() {
        let payload = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
        let header = sign(SECRET, 1_700_000_000, payload);
        assert_eq!(
            verify_signature(SECRET, payload, &header, 1_700_000_100, 300),
            Ok(())
        );
        // Another secret, another body, an old timestamp, a garbled header.
        assert_eq!(
            verify_signature("whsec_other", payload, &header, 1_700_000_100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(SECRET, b"{\"id\":\"evt_2\"}", &header, 1_700_000_100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(SECRET, payload, &header, 1_700_000_000 + 301, 300),
            Err(SignatureError::OutsideTolerance)
        );
        assert_eq!(
            verify_signature(SECRET, payload, "v1=abc", 1_700_000_000, 300),
            Err(SignatureError::Malformed)
        );
        // Several v1 (secret rotation): one match is enough.
        let rotated = format!("{header},v1={}", "00".repeat(32));
        assert_eq!(
            verify_signature(SECRET, payload, &rotated, 1_700_000_000, 300),
            Ok(())
        );
    }

    #[test]
    fn matches_stripes_documented_scheme() {
        // HMAC-SHA256 of "{t}.{payload}", hex: computed independently with openssl:
        // printf '%s' '1.{}' | openssl dgst -sha256 -hmac secret
        let header = sign("secret", 1, b"{}");
        assert_eq!(
            header,
            "t=1,v1=1122767b193110cfec322b6f199b599edbf608ed087f2d27afb0b97d99523908"
        );
    }
}
