//! Sender authentication of inbound replies: SPF, DKIM and DMARC with mail-auth, through a
//! DNS resolver — the system's, or the server named by `--dns-server` (tests start their own,
//! so nothing leaves the machine).
//!
//! The results go at the top of the original as an `Authentication-Results` header; whether a
//! failure holds the reply is the use case's decision (`parley_app::held`).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use mail_auth::common::headers::HeaderWriter;
use mail_auth::dmarc::Policy;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts,
};
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{AuthenticatedMessage, AuthenticationResults, DmarcResult, MessageAuthenticator};
use parley_app::relay::SenderCheck;

/// The longest the checks may hold a reply's `250`: past it they count as a temporary DNS
/// error (recorded, nothing held), so a slow resolver never stops the relay.
const DEADLINE: Duration = Duration::from_secs(10);

/// Checks senders against what their domains publish.
pub struct SenderAuthenticator {
    authenticator: MessageAuthenticator,
    /// This relay's name, the `authserv-id` of its results.
    hostname: String,
}

impl std::fmt::Debug for SenderAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SenderAuthenticator({})", self.hostname)
    }
}

impl SenderAuthenticator {
    /// An authenticator asking `dns_server` (UDP, then TCP for long answers), or the servers
    /// of the system's configuration. The resolver caches answers for their TTL.
    pub fn new(hostname: &str, dns_server: Option<SocketAddr>) -> Result<Self, String> {
        let (config, mut options) = match dns_server {
            Some(server) => {
                let mut udp = ConnectionConfig::udp();
                udp.port = server.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = server.port();
                let name_server = NameServerConfig::new(server.ip(), true, vec![udp, tcp]);
                (
                    ResolverConfig::from_name_servers(vec![name_server]),
                    ResolverOpts::default(),
                )
            }
            None => mail_auth::hickory_resolver::system_conf::read_system_conf()
                .map_err(|e| format!("reading the system's DNS configuration: {e}"))?,
        };
        options.timeout = Duration::from_secs(3);
        options.attempts = 1;
        let authenticator = MessageAuthenticator::new(config, options)
            .map_err(|e| format!("starting the DNS resolver: {e}"))?;
        Ok(Self {
            authenticator,
            hostname: hostname.to_owned(),
        })
    }

    /// What SPF (for the envelope sender from `ip`), DKIM and DMARC (for the From domain) say
    /// of `raw`.
    pub async fn check(&self, raw: &[u8], ip: IpAddr, helo: &str, mail_from: &str) -> SenderCheck {
        match tokio::time::timeout(DEADLINE, self.verify(raw, ip, helo, mail_from)).await {
            Ok(check) => check,
            Err(_) => SenderCheck {
                results: format!("{}; dmarc=temperror (DNS answers too slow)", self.hostname),
                dmarc_rejects: false,
            },
        }
    }

    async fn verify(&self, raw: &[u8], ip: IpAddr, helo: &str, mail_from: &str) -> SenderCheck {
        let Some(message) = AuthenticatedMessage::parse(raw) else {
            return SenderCheck {
                results: format!("{}; none", self.hostname),
                dmarc_rejects: false,
            };
        };
        let dkim = self.authenticator.verify_dkim(&message).await;
        let spf = self
            .authenticator
            .verify_spf(SpfParameters::verify_mail_from(
                ip,
                helo,
                &self.hostname,
                mail_from,
            ))
            .await;
        let domain = mail_from
            .rsplit_once('@')
            .map_or(helo, |(_, domain)| domain);
        let dmarc = self
            .authenticator
            .verify_dmarc(DmarcParameters::new(&message, &dkim, domain, &spf))
            .await;
        let header = AuthenticationResults::new(&self.hostname)
            .with_dkim_results(&dkim, mail_from)
            .with_spf_mailfrom_result(&spf, ip, mail_from, helo)
            .with_dmarc_result(&dmarc)
            .to_header();
        let results = header
            .trim_start_matches("Authentication-Results:")
            .trim()
            .to_owned();
        SenderCheck {
            results,
            dmarc_rejects: matches!(dmarc.result(), DmarcResult::Fail(_))
                && matches!(dmarc.policy(), Policy::Reject | Policy::Quarantine),
        }
    }
}

/// `raw` with the results on top, as RFC 8601 has a receiver add them.
#[must_use]
pub fn with_results(check: &SenderCheck, raw: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + check.results.len() + 32);
    out.extend_from_slice(b"Authentication-Results: ");
    out.extend_from_slice(check.results.as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&raw);
    out
}
