//! The resolved configuration: flags and environment (through clap), then the file, then
//! defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::cli::{Cli, Command};

/// What the configuration file may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    http: Option<SocketAddr>,
    max_document_mb: Option<u32>,
    log_format: Option<String>,
    public_url: Option<String>,
    smtp: Option<SocketAddr>,
    relay_domain: Option<String>,
    smarthost: Option<String>,
    mail_from: Option<String>,
    smtp_cert: Option<PathBuf>,
    smtp_key: Option<PathBuf>,
    max_message_mb: Option<u32>,
    dkim_key: Option<PathBuf>,
    dkim_selector: Option<String>,
    dkim_domain: Option<String>,
    sqlite_sync: Option<String>,
    relay_fold_ms: Option<u64>,
    response_days: Option<u32>,
    apertium: Option<String>,
    libretranslate: Option<String>,
    libretranslate_key: Option<String>,
    deepl_key: Option<String>,
    deepl_url: Option<String>,
    stripe_key: Option<String>,
    stripe_webhook_secret: Option<String>,
    stripe_api: Option<String>,
    smtp_max_sessions: Option<usize>,
    smtp_max_sessions_per_ip: Option<usize>,
}

/// The configuration in force.
pub struct Config {
    pub data_dir: PathBuf,
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
    /// (key file, domain, selector)
    pub dkim: Option<(PathBuf, String, String)>,
    pub sqlite_sync: parley_store::SqliteSync,
    pub relay_fold: std::time::Duration,
    pub response_days: u32,
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
        let global = &cli.global;
        let file = match &global.config {
            Some(path) => read_file(path)?,
            None if Path::new("parley.toml").exists() => read_file(Path::new("parley.toml"))?,
            None => FileConfig::default(),
        };
        let data_dir = global
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("parley-data"));
        let database_url = global
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("parley.db").display()));
        let (serve_http, dev_mailbox, smtp) = match &cli.command {
            Command::Serve(args) => (args.http, args.dev_mailbox || args.demo, args.smtp),
            Command::Smtp(args) => (None, false, args.smtp),
            _ => (None, false, None),
        };
        let smtp = smtp
            .or(file.smtp)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 2525)));
        let relay_domain = global
            .relay_domain
            .clone()
            .or(file.relay_domain)
            .unwrap_or_else(|| "reply.parley.localhost".to_owned())
            .trim()
            .to_ascii_lowercase();
        anyhow::ensure!(
            !relay_domain.is_empty() && !relay_domain.contains(['@', ' ', '/']),
            "relay_domain must be a domain name, like reply.example.com"
        );
        let smarthost = global.smarthost.clone().or(file.smarthost);
        let mail_from = global
            .mail_from
            .clone()
            .or(file.mail_from)
            .unwrap_or_else(|| format!("noreply@{relay_domain}"));
        let smtp_tls = match (
            global.smtp_cert.clone().or(file.smtp_cert),
            global.smtp_key.clone().or(file.smtp_key),
        ) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => anyhow::bail!("STARTTLS needs both smtp_cert and smtp_key"),
        };
        let dkim = global.dkim_key.clone().or(file.dkim_key).map(|key| {
            let domain = global
                .dkim_domain
                .clone()
                .or(file.dkim_domain.clone())
                .unwrap_or_else(|| relay_domain.clone());
            let selector = global
                .dkim_selector
                .clone()
                .or(file.dkim_selector.clone())
                .unwrap_or_else(|| "parley".to_owned());
            (key, domain, selector)
        });
        let sqlite_sync = match global
            .sqlite_sync
            .clone()
            .or(file.sqlite_sync)
            .as_deref()
            .unwrap_or("full")
        {
            "full" => parley_store::SqliteSync::Full,
            "normal" => parley_store::SqliteSync::Normal,
            other => anyhow::bail!("sqlite_sync must be full or normal, not {other}"),
        };
        let apertium = global
            .apertium
            .clone()
            .or(file.apertium)
            .unwrap_or_else(|| "auto".to_owned());
        let mut translation = Vec::new();
        if apertium.starts_with("http://") || apertium.starts_with("https://") {
            translation.push(parley_app::TranslationEngine::Apertium(apertium.clone()));
        } else {
            anyhow::ensure!(
                apertium == "auto" || apertium == "off",
                "apertium must be a URL, auto or off"
            );
        }
        if let Some(url) = global.libretranslate.clone().or(file.libretranslate) {
            let key = global
                .libretranslate_key
                .clone()
                .or(file.libretranslate_key);
            translation.push(parley_app::TranslationEngine::LibreTranslate(url, key));
        }
        if let Some(key) = global.deepl_key.clone().or(file.deepl_key) {
            let url = global
                .deepl_url
                .clone()
                .or(file.deepl_url)
                .unwrap_or_else(|| "https://api-free.deepl.com".to_owned());
            translation.push(parley_app::TranslationEngine::DeepL(url, key));
        }
        let stripe = match (
            global.stripe_key.clone().or(file.stripe_key),
            global
                .stripe_webhook_secret
                .clone()
                .or(file.stripe_webhook_secret),
        ) {
            (Some(secret_key), Some(webhook_secret)) => Some(parley_app::StripeSettings {
                api: global
                    .stripe_api
                    .clone()
                    .or(file.stripe_api)
                    .unwrap_or_else(|| "https://api.stripe.com".to_owned()),
                secret_key,
                webhook_secret,
            }),
            (None, None) => None,
            _ => anyhow::bail!("online payment needs both stripe_key and stripe_webhook_secret"),
        };
        let relay_fold_ms = global.relay_fold_ms.or(file.relay_fold_ms).unwrap_or(20);
        anyhow::ensure!(
            relay_fold_ms <= 3_600_000,
            "relay_fold_ms must be at most 3600000 (an hour)"
        );
        let response_days = global.response_days.or(file.response_days).unwrap_or(2);
        anyhow::ensure!(response_days > 0, "response_days must be at least 1");
        let max_message_mb = global.max_message_mb.or(file.max_message_mb).unwrap_or(25);
        anyhow::ensure!(max_message_mb > 0, "max_message_mb must be at least 1");
        let defaults = parley_smtp::gate::ConnectionLimits::default();
        let smtp_limits = parley_smtp::gate::ConnectionLimits {
            total: global
                .smtp_max_sessions
                .or(file.smtp_max_sessions)
                .unwrap_or(defaults.total),
            per_ip: global
                .smtp_max_sessions_per_ip
                .or(file.smtp_max_sessions_per_ip)
                .unwrap_or(defaults.per_ip),
        };
        anyhow::ensure!(
            smtp_limits.total > 0 && smtp_limits.per_ip > 0,
            "smtp_max_sessions and smtp_max_sessions_per_ip must be at least 1"
        );
        let http = serve_http
            .or(file.http)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let max_document_mb = global
            .max_document_mb
            .or(file.max_document_mb)
            .unwrap_or(10);
        anyhow::ensure!(max_document_mb > 0, "max_document_mb must be at least 1");
        let log_format = global
            .log_format
            .clone()
            .or(file.log_format)
            .unwrap_or_else(|| "text".to_owned());
        let json_logs = match log_format.as_str() {
            "text" => false,
            "json" => true,
            other => anyhow::bail!("log format must be text or json, not {other}"),
        };
        let public_url = global
            .public_url
            .clone()
            .or(file.public_url)
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
            apertium,
            translation,
            stripe,
            max_message_bytes: max_message_mb as usize * 1024 * 1024,
            smtp_limits,
            public_url,
            data_dir,
            database_url,
            http,
            max_document_bytes: max_document_mb as usize * 1024 * 1024,
            json_logs,
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
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
    use super::redact;

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
