//! DKIM signatures on outbound mail (mail-auth, RSA-SHA256, relaxed canonicalisation), when a
//! key is configured. The DNS record `SELECTOR._domainkey.DOMAIN` must publish its public key.

use std::path::Path;

use mail_auth::common::crypto::{RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{Canonicalization, DkimSigner, Done};
use tokio_rustls::rustls::pki_types::PrivateKeyDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;

/// The headers signed: those a forwarder must not change.
const SIGNED_HEADERS: [&str; 6] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
];

/// A DKIM signer for one domain and selector.
pub struct Dkim {
    signer: DkimSigner<RsaKey<Sha256>, Done>,
}

impl std::fmt::Debug for Dkim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dkim { .. }")
    }
}

impl Dkim {
    /// Loads an RSA private key (PEM, PKCS#1 or PKCS#8).
    pub fn load(key: &Path, domain: &str, selector: &str) -> Result<Self, String> {
        let der = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| format!("reading the DKIM key {}: {e}", key.display()))?;
        let key = RsaKey::<Sha256>::from_key_der(der)
            .map_err(|e| format!("the DKIM key {} is not an RSA key: {e}", key.display()))?;
        Ok(Self {
            signer: DkimSigner::from_key(key)
                .domain(domain)
                .selector(selector)
                .headers(SIGNED_HEADERS)
                .header_canonicalization(Canonicalization::Relaxed)
                .body_canonicalization(Canonicalization::Relaxed),
        })
    }

    /// `message` with its DKIM-Signature header in front.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let signature = self
            .signer
            .sign(message)
            .map_err(|e| format!("DKIM signing: {e}"))?;
        let mut signed = signature.to_header().into_bytes();
        signed.extend_from_slice(message);
        Ok(signed)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use mail_auth::common::parse::TxtRecordParser;
    use mail_auth::common::verify::DomainKey;
    use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
    use mail_auth::{
        AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, ResolverCache, Txt,
    };

    use super::*;

    /// DNS answers for the test, so verification needs no network.
    struct Records(Mutex<HashMap<Box<str>, Txt>>);

    impl ResolverCache<Box<str>, Txt> for Records {
        fn get<Q>(&self, name: &Q) -> Option<Txt>
        where
            Box<str>: std::borrow::Borrow<Q>,
            Q: std::hash::Hash + Eq + ?Sized,
        {
            self.0.lock().expect("lock").get(name).cloned()
        }

        fn remove<Q>(&self, name: &Q) -> Option<Txt>
        where
            Box<str>: std::borrow::Borrow<Q>,
            Q: std::hash::Hash + Eq + ?Sized,
        {
            self.0.lock().expect("lock").remove(name)
        }

        fn insert(&self, key: Box<str>, value: Txt, _: std::time::Instant) {
            self.0.lock().expect("lock").insert(key, value);
        }
    }

    fn base64(bytes: &[u8]) -> String {
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
    }

    #[tokio::test]
    async fn signed_mail_verifies_against_the_published_key() {
        let dir = tempfile::tempdir().expect("dir");
        let key = dir.path().join("dkim.pem");
        let made = std::process::Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
            ])
            .arg(&key)
            .output()
            .expect("openssl");
        assert!(made.status.success(), "{made:?}");
        let dkim = Dkim::load(&key, "reply.example", "parley").expect("load");
        let public =
            RsaKey::<Sha256>::from_key_der(PrivateKeyDer::from_pem_file(&key).expect("pem"))
                .expect("rsa")
                .public_key();

        let message =
            b"From: Hydrotech via Parley <abc@reply.example>\r\nTo: ana@buyer.example\r\n\
Subject: Your request\r\nDate: Fri, 27 Nov 2026 08:00:00 +0000\r\nMessage-ID: <1@reply.example>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere is our offer.\r\n";
        let signed = dkim.sign(message).expect("sign");
        assert!(signed.starts_with(b"DKIM-Signature: v=1; a=rsa-sha256;"));

        let records = Records(Mutex::default());
        let record = format!("v=DKIM1; k=rsa; p={}", base64(&public));
        records.insert(
            "parley._domainkey.reply.example.".into(),
            Txt::DomainKey(Arc::new(
                DomainKey::parse(record.as_bytes()).expect("record"),
            )),
            std::time::Instant::now() + std::time::Duration::from_secs(60),
        );
        let authenticator =
            MessageAuthenticator::new(ResolverConfig::default(), ResolverOpts::default())
                .expect("authenticator");
        let verify = |bytes: Vec<u8>| {
            let records = &records;
            let authenticator = authenticator.clone();
            async move {
                let parsed = AuthenticatedMessage::parse(&bytes).expect("parse");
                let outputs = authenticator
                    .verify_dkim(Parameters::new(&parsed).with_txt_cache(records))
                    .await;
                outputs.first().map(|o| o.result().clone())
            }
        };
        assert_eq!(verify(signed.clone()).await, Some(DkimResult::Pass));
        // A changed body no longer verifies.
        let mut tampered = signed;
        let at = tampered.len() - 8;
        tampered[at] = b'X';
        let result = verify(tampered).await;
        assert!(
            result.is_some_and(|r| r != DkimResult::Pass),
            "tampered mail passed"
        );
    }
}
