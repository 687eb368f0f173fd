//! The command line. Every option is defined once, in [`Options`]: its flag, its `PARLEY_*`
//! environment variable (the flag's name in capitals), its key in the configuration file
//! (`parley.toml` in the working directory, or `--config FILE`: the field's name) and its help
//! all come from that definition. A flag wins over the variable, which wins over the file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser};
use serde::{Deserialize, Serialize};

mod subcommands;
pub use subcommands::*;

#[derive(Debug, Parser)]
#[command(
    name = "parley",
    version,
    about = "Parley: a self-hosted negotiation hub for B2B marketplaces"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Options,
    #[command(subcommand)]
    pub command: Command,
}

/// Every option. `None` means "not given here": see [`Options::over`].
#[derive(Debug, Default, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Configuration file [default: ./parley.toml when it exists]
    #[arg(long, global = true, env = "PARLEY_CONFIG", value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// HTTP listen address (serve) [default: 127.0.0.1:8080]
    #[arg(long, global = true, env = "PARLEY_HTTP", value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// SMTP listen address (serve, smtp) [default: 127.0.0.1:2525]
    #[arg(long, global = true, env = "PARLEY_SMTP", value_name = "ADDR")]
    pub smtp: Option<SocketAddr>,
    /// Data directory: the SQLite database and documents live here [default: ./parley-data]
    #[arg(long, global = true, env = "PARLEY_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Where documents are kept: a folder, or s3://BUCKET/PREFIX for an S3-compatible object
    /// store (what several `serve` processes on one PostgreSQL database share)
    /// [default: DATA_DIR/files]
    #[arg(
        long,
        global = true,
        env = "PARLEY_DOCUMENTS",
        value_name = "DIR|s3://BUCKET/PREFIX"
    )]
    pub documents: Option<String>,
    /// S3 endpoint, for a server other than AWS (e.g. http://127.0.0.1:9000) [default: AWS]
    #[arg(long, global = true, env = "PARLEY_S3_ENDPOINT", value_name = "URL")]
    pub s3_endpoint: Option<String>,
    /// S3 region [default: us-east-1]
    #[arg(long, global = true, env = "PARLEY_S3_REGION", value_name = "REGION")]
    pub s3_region: Option<String>,
    /// S3 access key id
    #[arg(
        long,
        global = true,
        env = "PARLEY_S3_ACCESS_KEY_ID",
        value_name = "ID"
    )]
    pub s3_access_key_id: Option<String>,
    /// S3 secret access key
    #[arg(
        long,
        global = true,
        env = "PARLEY_S3_SECRET_ACCESS_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub s3_secret_access_key: Option<String>,
    /// Database URL: sqlite://FILE or postgres://… [default: SQLite in the data directory]
    #[arg(long, global = true, env = "PARLEY_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Largest document accepted, in MB [default: 10]
    #[arg(long, global = true, env = "PARLEY_MAX_DOCUMENT_MB", value_name = "MB")]
    pub max_document_mb: Option<u32>,
    /// The address people reach Parley at, e.g. https://parley.example.com (links in emails;
    /// cookies are marked Secure when it is https)
    #[arg(long, global = true, env = "PARLEY_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Log format: text or json [default: text]
    #[arg(long, global = true, env = "PARLEY_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Domain of the masked addresses; its MX must point at Parley's SMTP listener
    /// [default: reply.parley.localhost]
    #[arg(
        long,
        global = true,
        env = "PARLEY_RELAY_DOMAIN",
        value_name = "DOMAIN"
    )]
    pub relay_domain: Option<String>,
    /// Outbound mail server, e.g. smtp://host:25, smtp://user:pass@host:587?tls=required,
    /// smtps://user:pass@host:465 [default: none; with --dev-mailbox mail shows at /dev/mail]
    #[arg(long, global = true, env = "PARLEY_SMARTHOST", value_name = "URL")]
    pub smarthost: Option<String>,
    /// Sender of mail outside conversations (sign-in links) [default: noreply@RELAY_DOMAIN]
    #[arg(long, global = true, env = "PARLEY_MAIL_FROM", value_name = "ADDRESS")]
    pub mail_from: Option<String>,
    /// PEM certificate chain for STARTTLS on the SMTP listener (with --smtp-key)
    #[arg(long, global = true, env = "PARLEY_SMTP_CERT", value_name = "FILE")]
    pub smtp_cert: Option<PathBuf>,
    /// PEM private key for STARTTLS
    #[arg(long, global = true, env = "PARLEY_SMTP_KEY", value_name = "FILE")]
    pub smtp_key: Option<PathBuf>,
    /// RSA private key (PEM) to DKIM-sign outbound mail with; publish its public key at
    /// SELECTOR._domainkey.DOMAIN
    #[arg(long, global = true, env = "PARLEY_DKIM_KEY", value_name = "FILE")]
    pub dkim_key: Option<PathBuf>,
    /// DKIM selector [default: parley]
    #[arg(
        long,
        global = true,
        env = "PARLEY_DKIM_SELECTOR",
        value_name = "SELECTOR"
    )]
    pub dkim_selector: Option<String>,
    /// DKIM signing domain [default: the relay domain]
    #[arg(long, global = true, env = "PARLEY_DKIM_DOMAIN", value_name = "DOMAIN")]
    pub dkim_domain: Option<String>,
    /// Sender authentication of emailed replies (SPF, DKIM, DMARC): off, monitor (results
    /// kept with the original) or enforce (replies failing their domain's DMARC reject or
    /// quarantine policy are held for their holder to release or delete) [default: monitor]
    #[arg(long, global = true, env = "PARLEY_SENDER_AUTH", value_name = "MODE")]
    pub sender_auth: Option<String>,
    /// DNS server for sender authentication, as IP:PORT [default: the system's resolvers]
    #[arg(long, global = true, env = "PARLEY_DNS_SERVER", value_name = "IP:PORT")]
    pub dns_server: Option<SocketAddr>,
    /// SQLite commit durability: full (synced before a write is acknowledged) or normal
    /// (synced at checkpoints: faster, may lose the last commits on a power cut) [default: full]
    #[arg(long, global = true, env = "PARLEY_SQLITE_SYNC", value_name = "MODE")]
    pub sqlite_sync: Option<String>,
    /// Milliseconds an email accepted by the relay may wait in the spool (on disk already)
    /// before it is folded into its conversation with others: the history's lag behind the
    /// relay [default: 20]
    #[arg(long, global = true, env = "PARLEY_RELAY_FOLD_MS", value_name = "MS")]
    pub relay_fold_ms: Option<u64>,
    /// Days within which a request counts as handled in the network ratings [default: 2]
    #[arg(long, global = true, env = "PARLEY_RESPONSE_DAYS", value_name = "DAYS")]
    pub response_days: Option<u32>,
    /// Weekday hours (Monday to Friday, in the member's time zone) after which the handler of
    /// an unhandled request gets one reminder; 0 turns them off [default: 24]
    #[arg(
        long,
        global = true,
        env = "PARLEY_REMINDER_DELAY_HOURS",
        value_name = "HOURS"
    )]
    pub reminder_delay_hours: Option<u32>,
    /// Days a delivered email is kept whole; after that only what was sent to whom and when
    /// stays (the request's history is never pruned); 0 keeps them forever [default: 30]
    #[arg(
        long,
        global = true,
        env = "PARLEY_MAIL_RETENTION_DAYS",
        value_name = "DAYS"
    )]
    pub mail_retention_days: Option<u32>,
    /// Let marketplaces' webhooks post to private and local addresses (development and tests
    /// only: a key could otherwise reach services behind the server) [default: false]
    #[arg(
        long,
        global = true,
        env = "PARLEY_WEBHOOKS_ALLOW_PRIVATE",
        value_name = "true|false"
    )]
    pub webhooks_allow_private: Option<bool>,
    /// Apertium APY server for translations: a URL, `auto` (start Debian's apertium-apy on a
    /// loopback port when installed, for `serve`) or `off` [default: auto]
    #[arg(
        long,
        global = true,
        env = "PARLEY_APERTIUM",
        value_name = "URL|auto|off"
    )]
    pub apertium: Option<String>,
    /// LibreTranslate server URL (used for the pairs it lists, after Apertium)
    #[arg(long, global = true, env = "PARLEY_LIBRETRANSLATE", value_name = "URL")]
    pub libretranslate: Option<String>,
    /// LibreTranslate API key, when the server asks for one
    #[arg(
        long,
        global = true,
        env = "PARLEY_LIBRETRANSLATE_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub libretranslate_key: Option<String>,
    /// DeepL API key (DeepL then serves every pair the others do not)
    #[arg(
        long,
        global = true,
        env = "PARLEY_DEEPL_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub deepl_key: Option<String>,
    /// DeepL API URL [default: https://api-free.deepl.com]
    #[arg(long, global = true, env = "PARLEY_DEEPL_URL", value_name = "URL")]
    pub deepl_url: Option<String>,
    /// Stripe secret key: enables online payment of quotes (Stripe Checkout)
    #[arg(
        long,
        global = true,
        env = "PARLEY_STRIPE_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub stripe_key: Option<String>,
    /// Signing secret of the Stripe webhook endpoint (`/webhooks/stripe`)
    #[arg(
        long,
        global = true,
        env = "PARLEY_STRIPE_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub stripe_webhook_secret: Option<String>,
    /// Stripe API address [default: https://api.stripe.com]
    #[arg(long, global = true, env = "PARLEY_STRIPE_API", value_name = "URL")]
    pub stripe_api: Option<String>,
    /// Largest email accepted by the SMTP listener, in MB [default: 25]
    #[arg(long, global = true, env = "PARLEY_MAX_MESSAGE_MB", value_name = "MB")]
    pub max_message_mb: Option<u32>,
    /// SMTP sessions at once; beyond, clients get 421 [default: 400]
    #[arg(
        long,
        global = true,
        env = "PARLEY_SMTP_MAX_SESSIONS",
        value_name = "N"
    )]
    pub smtp_max_sessions: Option<usize>,
    /// SMTP sessions at once from one client address [default: 20]
    #[arg(
        long,
        global = true,
        env = "PARLEY_SMTP_MAX_SESSIONS_PER_IP",
        value_name = "N"
    )]
    pub smtp_max_sessions_per_ip: Option<usize>,
    /// Sign-in emails per address and hour [default: 5]
    #[arg(
        long,
        global = true,
        env = "PARLEY_SIGN_IN_PER_ADDRESS_HOURLY",
        value_name = "N"
    )]
    pub sign_in_per_address_hourly: Option<u32>,
    /// Sign-in emails asked from one client address per hour [default: 20]
    #[arg(
        long,
        global = true,
        env = "PARLEY_SIGN_IN_PER_IP_HOURLY",
        value_name = "N"
    )]
    pub sign_in_per_ip_hourly: Option<u32>,
    /// API calls per token and second [default: 100]
    #[arg(long, global = true, env = "PARLEY_API_PER_SECOND", value_name = "N")]
    pub api_per_second: Option<u32>,
    /// API calls a token may make in a burst above that rate [default: 200]
    #[arg(long, global = true, env = "PARLEY_API_BURST", value_name = "N")]
    pub api_burst: Option<u32>,
    /// Emailed replies per sender and conversation per minute [default: 30]
    #[arg(long, global = true, env = "PARLEY_RELAY_PER_MINUTE", value_name = "N")]
    pub relay_per_minute: Option<u32>,
}

impl Options {
    /// These options, each one unset here taken from `file`: the flags and variables (clap
    /// read them into `self`) win over the file.
    pub fn over(self, file: Options) -> anyhow::Result<Options> {
        let mut merged = serde_json::to_value(file)?;
        if let (serde_json::Value::Object(merged), serde_json::Value::Object(given)) =
            (&mut merged, serde_json::to_value(&self)?)
        {
            for (key, value) in given {
                if !value.is_null() {
                    merged.insert(key, value);
                }
            }
        }
        let mut options: Options = serde_json::from_value(merged)?;
        options.config = self.config;
        Ok(options)
    }
}

/// The command line, with the configuration file's keys listed in its help (derived from
/// [`Options`], so the list is always whole).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let keys: Vec<String> = Cli::command()
        .get_arguments()
        .filter(|arg| arg.is_global_set() && arg.get_id() != "config")
        .map(|arg| arg.get_id().to_string())
        .collect();
    Cli::command()
        .after_help(format!(
            "Configuration file keys (parley.toml): {}. Precedence: flag > PARLEY_* variable > \
             file > default.",
            keys.join(", ")
        ))
        .mut_args(|arg| match heading(arg.get_id().as_str()) {
            Some(heading) => arg.help_heading(heading),
            None => arg,
        })
}

/// The sections of `--help` (every subcommand's help lists every option), with their options.
const SECTIONS: [(&str, &str); 7] = [
    ("Server", "config http smtp public_url log_format"),
    (
        "Storage",
        "data_dir documents s3_endpoint s3_region s3_access_key_id s3_secret_access_key \
         database_url sqlite_sync max_document_mb mail_retention_days",
    ),
    (
        "Outbound mail",
        "smarthost mail_from dkim_key dkim_selector dkim_domain",
    ),
    (
        "Email relay",
        "relay_domain smtp_cert smtp_key sender_auth dns_server relay_fold_ms max_message_mb",
    ),
    ("Requests", "response_days reminder_delay_hours"),
    (
        "Integrations",
        "webhooks_allow_private apertium libretranslate libretranslate_key deepl_key deepl_url \
         stripe_key stripe_webhook_secret stripe_api",
    ),
    (
        "Limits",
        "smtp_max_sessions smtp_max_sessions_per_ip sign_in_per_address_hourly \
         sign_in_per_ip_hourly api_per_second api_burst relay_per_minute",
    ),
];

fn heading(option: &str) -> Option<&'static str> {
    SECTIONS
        .iter()
        .find(|(_, options)| options.split_whitespace().any(|o| o == option))
        .map(|(section, _)| *section)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// One definition: each option's variable is its flag in capitals, and its file key its
    /// field's name.
    #[test]
    fn every_option_has_its_variable_and_file_key() {
        let file_keys = match serde_json::to_value(Options::default()).expect("json") {
            serde_json::Value::Object(keys) => keys,
            _ => panic!("an object"),
        };
        for arg in Cli::command().get_arguments().filter(|a| a.is_global_set()) {
            let id = arg.get_id().as_str();
            let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
            assert_eq!(
                env.as_deref(),
                Some(format!("PARLEY_{}", id.to_uppercase()).as_str()),
                "{id}"
            );
            assert!(
                id == "config" || file_keys.contains_key(id),
                "{id} has no file key"
            );
            assert!(heading(id).is_some(), "{id} has no section in --help");
        }
        assert!(
            command()
                .render_long_help()
                .to_string()
                .contains("relay_per_minute")
        );
    }

    #[test]
    fn flags_win_over_the_file() {
        let flags = Options {
            data_dir: Some("flag".into()),
            ..Options::default()
        };
        let file: Options = toml::from_str("data_dir = \"file\"\napi_burst = 7\n").expect("toml");
        let merged = flags.over(file).expect("merge");
        assert_eq!(merged.data_dir, Some("flag".into()));
        assert_eq!(merged.api_burst, Some(7));
    }
}
