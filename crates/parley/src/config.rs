//! The resolved configuration: flags and environment (through clap), then the file, then
//! defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{Cli, Command, Options};

/// The configuration in force.
pub struct Config {
    pub data_dir: PathBuf,
    /// Secrets inside (S3): never logged.
    pub documents: parley_app::DocumentStore,
    pub database_url: String,
    pub http: SocketAddr,
    pub max_document_bytes: usize,
    pub json_logs: bool,
    pub public_url: Option<String>,
    pub dev_mailbox: bool,
    pub smtp: SocketAddr,
    pub relay_domain: String,
    /// Secret (may hold a password): never logged.
    pub smarthost: Option<String>,
    pub mail_from: String,
    pub smtp_tls: Option<(PathBuf, PathBuf)>,
    pub max_message_bytes: usize,
    /// SMTP sessions at once, in total and per client address.
    pub smtp_limits: parley_smtp::gate::ConnectionLimits,
    /// Rate limits on sign-in emails, API calls and emailed replies.
    pub limits: parley_app::limits::LimitSettings,
    /// (key file, domain, selector)
    pub dkim: Option<(PathBuf, String, String)>,
    pub sqlite_sync: parley_store::SqliteSync,
    pub relay_fold: std::time::Duration,
    pub response_days: u32,
    pub reminder_delay_hours: u32,
    pub sender_auth: parley_app::held::SenderAuthMode,
    pub dns_server: Option<SocketAddr>,
    pub mail_retention_days: u32,
    pub webhooks_allow_private: bool,
    /// `auto`, `off` or a URL.
    pub apertium: String,
    /// Secret keys inside: never logged.
    pub translation: Vec<parley_app::TranslationEngine>,
    /// Secrets inside: never logged.
    pub stripe: Option<parley_app::StripeSettings>,
}

// By hand, so a password in the database URL never reaches a log.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact(&self.database_url))
            .field("http", &self.http)
            .field("max_document_bytes", &self.max_document_bytes)
            .field("smtp", &self.smtp)
            .field("relay_domain", &self.relay_domain)
            .field("smarthost", &self.smarthost.as_deref().map(redact))
            .finish_non_exhaustive()
    }
}

/// The documents' store: `documents` as a folder or an `s3://` URL with its `s3_*` options.
fn documents(o: &Options, data_dir: &Path) -> anyhow::Result<parley_app::DocumentStore> {
    let Some(location) = o.documents.as_deref().map(str::trim) else {
        return Ok(parley_app::DocumentStore::Local(data_dir.join("files")));
    };
    let Some((bucket, prefix)) = parley_app::S3Settings::parse_location(location) else {
        anyhow::ensure!(
            !location.contains("://"),
            "documents must be a folder or s3://BUCKET/PREFIX, not {location}"
        );
        return Ok(parley_app::DocumentStore::Local(PathBuf::from(location)));
    };
    anyhow::ensure!(
        !bucket.is_empty(),
        "documents = s3://BUCKET/PREFIX needs a bucket name"
    );
    Ok(parley_app::DocumentStore::S3(parley_app::S3Settings {
        bucket,
        prefix,
        endpoint: o.s3_endpoint.clone(),
        region: o
            .s3_region
            .clone()
            .unwrap_or_else(|| "us-east-1".to_owned()),
        access_key_id: o.s3_access_key_id.clone(),
        secret_access_key: o.s3_secret_access_key.clone(),
    }))
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Config {
    pub fn resolve(cli: &Cli) -> anyhow::Result<Self> {
        let flags = cli.global.clone();
        let file = match &flags.config {
            Some(path) => read_file(path)?,
            None if Path::new("parley.toml").exists() => read_file(Path::new("parley.toml"))?,
            None => Options::default(),
        };
        let o = flags.over(file)?;
        let data_dir = o
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("parley-data"));
        let database_url = o
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("parley.db").display()));
        let documents = documents(&o, &data_dir)?;
        let dev_mailbox = match &cli.command {
            Command::Serve(args) => args.dev_mailbox || args.demo,
            _ => false,
        };
        let smtp = o
            .smtp
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 2525)));
        let relay_domain = o
            .relay_domain
            .clone()
            .unwrap_or_else(|| "reply.parley.localhost".to_owned())
            .trim()
            .to_ascii_lowercase();
        anyhow::ensure!(
            !relay_domain.is_empty() && !relay_domain.contains(['@', ' ', '/']),
            "relay_domain must be a domain name, like reply.example.com"
        );
        let smarthost = o.smarthost.clone();
        let mail_from = o
            .mail_from
            .clone()
            .unwrap_or_else(|| format!("noreply@{relay_domain}"));
        let smtp_tls = match (o.smtp_cert.clone(), o.smtp_key.clone()) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => anyhow::bail!("STARTTLS needs both smtp_cert and smtp_key"),
        };
        let dkim = o.dkim_key.clone().map(|key| {
            let domain = o
                .dkim_domain
                .clone()
                .unwrap_or_else(|| relay_domain.clone());
            let selector = o
                .dkim_selector
                .clone()
                .unwrap_or_else(|| "parley".to_owned());
            (key, domain, selector)
        });
        let sqlite_sync = match o.sqlite_sync.clone().as_deref().unwrap_or("full") {
            "full" => parley_store::SqliteSync::Full,
            "normal" => parley_store::SqliteSync::Normal,
            other => anyhow::bail!("sqlite_sync must be full or normal, not {other}"),
        };
        let apertium = o.apertium.clone().unwrap_or_else(|| "auto".to_owned());
        let mut translation = Vec::new();
        if apertium.starts_with("http://") || apertium.starts_with("https://") {
            translation.push(parley_app::TranslationEngine::Apertium(apertium.clone()));
        } else {
            anyhow::ensure!(
                apertium == "auto" || apertium == "off",
                "apertium must be a URL, auto or off"
            );
        }
        if let Some(url) = o.libretranslate.clone() {
            let key = o.libretranslate_key.clone();
            translation.push(parley_app::TranslationEngine::LibreTranslate(url, key));
        }
        if let Some(key) = o.deepl_key.clone() {
            let url = o
                .deepl_url
                .clone()
                .unwrap_or_else(|| "https://api-free.deepl.com".to_owned());
            translation.push(parley_app::TranslationEngine::DeepL(url, key));
        }
        let stripe = match (o.stripe_key.clone(), o.stripe_webhook_secret.clone()) {
            (Some(secret_key), Some(webhook_secret)) => Some(parley_app::StripeSettings {
                api: o
                    .stripe_api
                    .clone()
                    .unwrap_or_else(|| "https://api.stripe.com".to_owned()),
                secret_key,
                webhook_secret,
            }),
            (None, None) => None,
            _ => anyhow::bail!("online payment needs both stripe_key and stripe_webhook_secret"),
        };
        let relay_fold_ms = o.relay_fold_ms.unwrap_or(20);
        anyhow::ensure!(
            relay_fold_ms <= 3_600_000,
            "relay_fold_ms must be at most 3600000 (an hour)"
        );
        let response_days = o.response_days.unwrap_or(2);
        anyhow::ensure!(response_days > 0, "response_days must be at least 1");
        let max_message_mb = o.max_message_mb.unwrap_or(25);
        anyhow::ensure!(max_message_mb > 0, "max_message_mb must be at least 1");
        let defaults = parley_smtp::gate::ConnectionLimits::default();
        let smtp_limits = parley_smtp::gate::ConnectionLimits {
            total: o.smtp_max_sessions.unwrap_or(defaults.total),
            per_ip: o.smtp_max_sessions_per_ip.unwrap_or(defaults.per_ip),
        };
        anyhow::ensure!(
            smtp_limits.total > 0 && smtp_limits.per_ip > 0,
            "smtp_max_sessions and smtp_max_sessions_per_ip must be at least 1"
        );
        let http = o
            .http
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let max_document_mb = o.max_document_mb.unwrap_or(10);
        anyhow::ensure!(max_document_mb > 0, "max_document_mb must be at least 1");
        let log_format = o.log_format.clone().unwrap_or_else(|| "text".to_owned());
        let json_logs = match log_format.as_str() {
            "text" => false,
            "json" => true,
            other => anyhow::bail!("log format must be text or json, not {other}"),
        };
        let public_url = o
            .public_url
            .clone()
            .map(|url| url.trim_end_matches('/').to_owned());
        if let Some(url) = &public_url {
            anyhow::ensure!(
                url.starts_with("http://") || url.starts_with("https://"),
                "public_url must start with http:// or https://"
            );
        }
        Ok(Self {
            dev_mailbox,
            smtp,
            relay_domain,
            smarthost,
            mail_from,
            smtp_tls,
            dkim,
            sqlite_sync,
            relay_fold: std::time::Duration::from_millis(relay_fold_ms),
            response_days,
            reminder_delay_hours: o.reminder_delay_hours.unwrap_or(24),
            sender_auth: match o.sender_auth.as_deref() {
                Some(mode) => mode.parse().map_err(anyhow::Error::msg)?,
                None => parley_app::held::SenderAuthMode::Monitor,
            },
            dns_server: o.dns_server,
            mail_retention_days: o.mail_retention_days.unwrap_or(30),
            webhooks_allow_private: o.webhooks_allow_private.unwrap_or(false),
            apertium,
            translation,
            stripe,
            max_message_bytes: max_message_mb as usize * 1024 * 1024,
            smtp_limits,
            limits: parley_app::limits::LimitSettings {
                sign_in_per_address_hourly: o.sign_in_per_address_hourly.unwrap_or(5),
                sign_in_per_ip_hourly: o.sign_in_per_ip_hourly.unwrap_or(20),
                api_per_second: o.api_per_second.unwrap_or(100),
                api_burst: o.api_burst.unwrap_or(200),
                relay_per_minute: o.relay_per_minute.unwrap_or(30),
            },
            public_url,
            data_dir,
            documents,
            database_url,
            http,
            max_document_bytes: max_document_mb as usize * 1024 * 1024,
            json_logs,
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<Options> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing configuration file {}", path.display()))
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if config.json_logs {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::{documents, redact};
    use crate::cli::Options;
    use parley_app::DocumentStore;
    use std::path::Path;

    #[test]
    fn documents_go_to_a_folder_or_a_bucket() {
        let at = |location: Option<&str>| {
            let options = Options {
                documents: location.map(str::to_owned),
                s3_endpoint: Some("http://127.0.0.1:9000".to_owned()),
                ..Options::default()
            };
            documents(&options, Path::new("data"))
        };
        assert!(matches!(at(None), Ok(DocumentStore::Local(p)) if p == Path::new("data/files")));
        assert!(
            matches!(at(Some("/srv/docs")), Ok(DocumentStore::Local(p)) if p == Path::new("/srv/docs"))
        );
        match at(Some("s3://parley-docs/eu/prod/")) {
            Ok(DocumentStore::S3(s3)) => {
                assert_eq!(
                    (s3.bucket.as_str(), s3.prefix.as_str()),
                    ("parley-docs", "eu/prod")
                );
                assert_eq!(s3.region, "us-east-1");
                assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
            }
            _ => panic!("an S3 bucket"),
        }
        assert!(at(Some("s3:///prefix")).is_err(), "no bucket");
        assert!(at(Some("ftp://host/docs")).is_err(), "not a store");
    }

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://u:secret@db/parley"),
            "postgres://***@db/parley"
        );
        assert_eq!(
            redact("sqlite://parley-data/parley.db"),
            "sqlite://parley-data/parley.db"
        );
    }
}
