//! Parley's use cases. Every adapter (JSON API, web pages, SMTP relay, jobs) calls these
//! functions; they own the transaction, write the history events in it, and ask the access
//! policy before anything else.

mod auto_replies;
mod caller;
pub mod copies;
mod error;
mod events;
mod files;
mod inbound;

pub mod auth;
pub mod backup;
pub mod bounces;
pub mod demo;
pub mod documents;
pub mod drafts;
pub mod handover;
pub mod held;
pub mod history;
pub mod i18n;
pub mod jobs;
pub mod limits;
pub mod lists;
pub mod mail;
pub mod messages;
pub mod network;
pub mod new_request;
pub mod orders;
pub mod party_actions;
pub mod provisioning;
pub mod quotes;
pub mod ratings;
pub mod relay;
pub mod relay_metrics;
pub mod remind;
pub mod request_documents;
pub mod requests;
mod reviews;
pub mod team;
pub mod translate;
mod ttl_cache;
pub mod web_sessions;
pub mod webhooks;
pub mod worker_health;

use std::path::Path;
use std::sync::Arc;

pub use caller::Caller;
pub use error::AppError;
pub use files::{DocumentStore, S3Settings, Upload};
/// The store's write-path counters, for `/metrics`.
pub use parley_store::metrics as store_metrics;
pub use parley_store::seed as store_seed;
pub use parley_store::{Backend, Store};

/// Settings of the use cases.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The largest document accepted, in bytes (the guide says 10 MB).
    pub max_document_bytes: usize,
    /// The address people reach Parley at (`https://parley.example.com`), for links in emails
    /// and to mark cookies Secure when it is HTTPS.
    pub public_url: Option<String>,
    /// Show queued mail at `/dev/mail` (development and demos only: it shows sign-in links).
    pub dev_mailbox: bool,
    /// The domain of masked addresses (`reply.parley.localhost`): Parley's SMTP listener
    /// receives its mail.
    pub relay_domain: String,
    /// SQLite commit durability (full by default: accepted means on disk) and how long the
    /// relay's accepted mail may wait to be folded into the conversations.
    pub sqlite: parley_store::SqliteOptions,
    /// A request counts as handled in the network ratings when answered or declined within
    /// this many days.
    pub response_window_days: u32,
    /// The translation engines, in order of preference (none: translation unavailable).
    pub translation: Vec<TranslationEngine>,
    /// Stripe, for online payment of quotes (none: sellers take payment offline).
    pub stripe: Option<StripeSettings>,
    /// Without Stripe, a local stand-in for its Checkout (`/dev/checkout`, demos only).
    pub dev_payments: bool,
    /// Rate limits on sign-in emails, API calls and emailed replies.
    pub limits: limits::LimitSettings,
    /// Let webhooks post to private and local addresses (development and tests; never on a
    /// server a marketplace's key should not reach behind).
    pub webhooks_allow_private: bool,
    /// Weekday hours (Monday to Friday, in the member's time zone) after which the handler of
    /// an unhandled request is reminded once; 0 turns seller reminders off.
    pub reminder_delay_hours: u32,
    /// Days a delivered email is kept whole before its bodies are pruned (what was sent to
    /// whom and when stays); 0 keeps them forever.
    pub mail_retention_days: u32,
    /// How long the network ratings are shown before they are summed again (zero: summed on
    /// every read).
    pub ratings_max_age: std::time::Duration,
    /// Sender authentication of emailed replies: off, monitor (recorded with the original)
    /// or enforce (replies failing their domain's DMARC policy held for their holder).
    pub sender_auth: held::SenderAuthMode,
}

/// Stripe's API address, the secret key, and the webhook endpoint's signing secret.
#[derive(Clone)]
pub struct StripeSettings {
    pub api: String,
    pub secret_key: String,
    pub webhook_secret: String,
}

// By hand: the secrets never reach a log.
impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Stripe({})", self.api)
    }
}

/// A configured translation engine.
#[derive(Clone)]
pub enum TranslationEngine {
    /// An Apertium APY server's URL.
    Apertium(String),
    /// A LibreTranslate server's URL and API key.
    LibreTranslate(String, Option<String>),
    /// DeepL's API URL and key.
    DeepL(String, String),
}

// By hand: keys never reach a log.
impl std::fmt::Debug for TranslationEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Apertium(url) => write!(f, "Apertium({url})"),
            Self::LibreTranslate(url, _) => write!(f, "LibreTranslate({url})"),
            Self::DeepL(url, _) => write!(f, "DeepL({url})"),
        }
    }
}

impl TranslationEngine {
    fn engine(&self) -> parley_translate::Engine {
        use parley_translate::{Apertium, DeepL, Engine, LibreTranslate};
        match self {
            Self::Apertium(url) => Engine::Apertium(Apertium::new(url)),
            Self::LibreTranslate(url, key) => {
                Engine::LibreTranslate(LibreTranslate::new(url, key.clone()))
            }
            Self::DeepL(url, key) => Engine::DeepL(DeepL::new(url, key)),
        }
    }
}

impl Settings {
    /// The largest message body accepted: room for a few documents at the limit and the text
    /// fields, so one document over the limit gets a clear `file_too_large` and only a body past
    /// this gets 413.
    #[must_use]
    pub fn message_body_limit(&self) -> usize {
        self.max_document_bytes.saturating_mul(4) + (1 << 20)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_document_bytes: 10 * 1024 * 1024,
            public_url: None,
            dev_mailbox: false,
            relay_domain: "reply.parley.localhost".to_owned(),
            sqlite: parley_store::SqliteOptions::default(),
            response_window_days: 2,
            translation: Vec::new(),
            stripe: None,
            dev_payments: false,
            limits: limits::LimitSettings::default(),
            webhooks_allow_private: false,
            reminder_delay_hours: 24,
            mail_retention_days: 30,
            ratings_max_age: std::time::Duration::from_secs(60),
            sender_auth: held::SenderAuthMode::Monitor,
        }
    }
}

/// The application: storage, files and settings. Cheap to clone.
#[derive(Clone)]
pub struct App {
    store: Store,
    files: files::Files,
    settings: Arc<Settings>,
    callers: Arc<ttl_cache::TtlCache<Caller>>,
    relay_targets: Arc<ttl_cache::TtlCache<relay::RelayTarget>>,
    translators: Arc<parley_translate::Translators>,
    payments: Option<Arc<dyn parley_pay::PaymentProvider>>,
    /// The dev stand-in's handle, for its payment page.
    dev_checkout: Option<Arc<parley_pay::DevCheckout>>,
    /// The background worker's vital signs (`/healthz`, `/metrics`).
    worker_health: Arc<worker_health::WorkerHealth>,
    relay_metrics: Arc<relay_metrics::RelayMetrics>,
    limits: Arc<limits::RateLimits>,
    jobs_metrics: Arc<jobs::JobsMetrics>,
    ratings: Arc<ratings::RatingsCache>,
    /// The HTTP client of webhook deliveries (no redirects: a receiver answers itself).
    http: reqwest::Client,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Connects to the database at `database_url`, applies migrations, and keeps documents in
    /// `documents_dir`.
    pub async fn open(
        database_url: &str,
        documents_dir: &Path,
        settings: Settings,
    ) -> Result<Self, AppError> {
        Self::open_with(
            database_url,
            &DocumentStore::Local(documents_dir.to_owned()),
            settings,
        )
        .await
    }

    /// [`App::open`] with documents kept in `documents` (a folder or an S3 bucket).
    pub async fn open_with(
        database_url: &str,
        documents: &DocumentStore,
        settings: Settings,
    ) -> Result<Self, AppError> {
        let store = Store::open(database_url, settings.sqlite).await?;
        let files = files::Files::open(documents)?;
        let mut settings_payments = settings.stripe.as_ref().map(|s| {
            Arc::new(parley_pay::Stripe::new(
                &s.api,
                &s.secret_key,
                &s.webhook_secret,
            )) as Arc<dyn parley_pay::PaymentProvider>
        });
        let mut dev_checkout = None;
        if settings_payments.is_none() && settings.dev_payments {
            let secret = format!("whsec_dev_{}", crate::auth::new_token()?);
            let dev = parley_pay::DevCheckout::new(
                settings.public_url.as_deref().unwrap_or_default(),
                &secret,
            );
            dev_checkout = Some(Arc::new(dev.clone()));
            settings_payments = Some(Arc::new(dev) as Arc<dyn parley_pay::PaymentProvider>);
        }
        let translators = parley_translate::Translators::new(
            settings
                .translation
                .iter()
                .map(TranslationEngine::engine)
                .collect(),
        );
        let limits = Arc::new(limits::RateLimits::new(settings.limits));
        Ok(Self {
            limits,
            store,
            files,
            settings: Arc::new(settings),
            callers: Arc::default(),
            relay_targets: Arc::default(),
            translators: Arc::new(translators),
            payments: settings_payments,
            dev_checkout,
            worker_health: Arc::default(),
            relay_metrics: Arc::default(),
            jobs_metrics: Arc::default(),
            ratings: Arc::default(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("Parley-Webhooks/", env!("CARGO_PKG_VERSION")))
                .timeout(jobs::webhooks::TIMEOUT)
                .build()
                .map_err(|e| AppError::internal(format!("the HTTP client: {e}")))?,
        })
    }

    /// The database.
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether quotes can be paid online (a provider is configured).
    #[must_use]
    pub fn online_payment_available(&self) -> bool {
        self.payments.is_some()
    }

    /// The dev payment stand-in's signing secret, when it is in use.
    #[must_use]
    pub fn dev_checkout_secret(&self) -> Option<String> {
        self.dev_checkout.as_ref().map(|d| d.secret().to_owned())
    }

    /// The settings.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// What the SMTP relay answered (see [`relay_metrics`]).
    #[must_use]
    pub fn relay_metrics(&self) -> &relay_metrics::RelayMetrics {
        &self.relay_metrics
    }

    /// The mail waiting to go out, and how long the oldest has waited (ms).
    pub async fn mail_waiting(&self) -> Result<(i64, Option<i64>), AppError> {
        let mut conn = self.store.read().await?;
        let (count, oldest) = parley_store::outbox::waiting(&mut conn).await?;
        Ok((count, oldest.map(|at| (now().0 - at).max(0))))
    }

    /// The background worker's vital signs.
    #[must_use]
    pub fn worker_health(&self) -> &worker_health::WorkerHealth {
        &self.worker_health
    }

    /// Counts an API call made with `token`: `RateLimited` past the per-token allowance.
    pub fn api_call(&self, token: &str) -> Result<(), AppError> {
        self.limits.api_call(token)
    }

    /// Lets the rate limiters forget callers whose allowance is whole again (the worker calls
    /// it now and then).
    pub fn forget_idle_callers(&self) {
        self.limits.forget_idle();
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn health(&self) -> Result<(), AppError> {
        Ok(self.store.ping().await?)
    }

    /// Closes the database cleanly.
    pub async fn close(&self) {
        self.store.close().await;
    }
}

/// The current time, as Parley stores it.
#[must_use]
pub fn now() -> parley_domain::Timestamp {
    parley_domain::Timestamp(parley_store::now_millis())
}
