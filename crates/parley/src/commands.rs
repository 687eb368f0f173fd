//! The subcommands.

use anyhow::Context;
use parley_app::{App, Settings};
use parley_smtp::sender::Transport;
use parley_smtp::{DeliveryConfig, SmtpConfig};
use tokio::net::TcpListener;

use crate::cli::{Command, DevCommand, ServeArgs};
use crate::config::Config;

mod dev;
mod maintenance;
use dev::{print_demo, seed, storage};
use maintenance::{backup, mail, restore, token};

pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    tracing::debug!(?config, "configuration");
    if let Command::Mail(command) = command {
        return mail(command);
    }
    // Before anything opens the database it puts back.
    if let Command::Restore { dir } = &command {
        return restore(dir, &config);
    }
    // `serve` starts Debian's apertium-apy itself when installed and not configured; it stops
    // with Parley (the handle lives until the end of this function).
    let mut config = config;
    let _apertium = start_apertium(&command, &mut config).await;
    let app = open(&config).await?;
    let result = match command {
        Command::Serve(args) => serve(&app, &config, &args).await,
        Command::Smtp => smtp_only(&app, &config).await,
        Command::Migrate => {
            println!("Database is up to date.");
            Ok(())
        }
        Command::Demo => {
            let summary = app.load_demo().await?;
            print_demo(&summary, &config);
            Ok(())
        }
        Command::Token(command) => token(&app, command).await,
        Command::Marketplace(command) => crate::operator::marketplace(&app, command).await,
        Command::Organization(command) => crate::operator::organization(&app, command).await,
        Command::Backup { dir } => backup(&app, &dir).await,
        Command::Mail(command) => mail(command),
        Command::Dev(DevCommand::Seed {
            organizations,
            requests,
            messages_per_request,
        }) => seed(&app, organizations, requests, messages_per_request).await,
        Command::Dev(DevCommand::Storage) => storage(&app).await,
        Command::Restore { .. } => unreachable!("handled before opening the database"),
    };
    app.close().await;
    result
}

/// With `--apertium auto`, for `serve`: a local apertium-apy, put first among the engines.
async fn start_apertium(
    command: &Command,
    config: &mut Config,
) -> Option<parley_translate::LocalApy> {
    if !matches!(command, Command::Serve(_))
        || config.apertium != "auto"
        || !parley_translate::LocalApy::installed()
    {
        return None;
    }
    match parley_translate::LocalApy::start().await {
        Ok(apy) => {
            tracing::info!(url = apy.url(), "apertium-apy started for translations");
            config.translation.insert(
                0,
                parley_app::TranslationEngine::Apertium(apy.url().to_owned()),
            );
            Some(apy)
        }
        Err(error) => {
            tracing::warn!(%error, "apertium-apy could not start: no offline translation");
            None
        }
    }
}

/// Opens the database (applying migrations) and the document store.
async fn open(config: &Config) -> anyhow::Result<App> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    let settings = Settings {
        max_document_bytes: config.max_document_bytes,
        public_url: Some(
            config
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", config.http)),
        ),
        dev_mailbox: config.dev_mailbox,
        relay_domain: config.relay_domain.clone(),
        sqlite: parley_store::SqliteOptions {
            sync: config.sqlite_sync,
            relay_fold: config.relay_fold,
        },
        response_window_days: config.response_days,
        reminder_delay_hours: config.reminder_delay_hours,
        sender_auth: config.sender_auth,
        mail_retention_days: config.mail_retention_days,
        webhooks_allow_private: config.webhooks_allow_private,
        translation: config.translation.clone(),
        stripe: config.stripe.clone(),
        // Like the dev mailbox: without Stripe, demos pay on a local stand-in of Checkout.
        dev_payments: config.dev_mailbox,
        limits: config.limits,
        ..Settings::default()
    };
    App::open_with(&config.database_url, &config.documents, settings)
        .await
        .context("opening the database")
}

/// Raises the open-file limit to the hard limit: systemd's usual soft limit (1,024) is what a
/// crowd of idle connections exhausted. Logged either way.
fn raise_open_file_limit() {
    let before = rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft);
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(now) => {
            tracing::info!(before = ?before.ok(), now, "open-file limit raised to the hard limit")
        }
        Err(error) => tracing::warn!(%error, "could not raise the open-file limit"),
    }
}

async fn serve(app: &App, config: &Config, args: &ServeArgs) -> anyhow::Result<()> {
    raise_open_file_limit();
    if args.demo {
        let summary = app.load_demo().await?;
        print_demo(&summary, config);
    }
    let http = TcpListener::bind(config.http)
        .await
        .with_context(|| format!("listening on {}", config.http))?;
    let smtp = TcpListener::bind(config.smtp)
        .await
        .with_context(|| format!("listening for SMTP on {}", config.smtp))?;
    let delivery = delivery_config(config)?;
    let transport = if config.smarthost.is_some() || config.dev_mailbox {
        Some(Transport::new(&delivery).context("the smarthost URL")?)
    } else {
        tracing::warn!("no smarthost configured: outbound mail stays queued (see --smarthost)");
        None
    };
    let smtp_config = smtp_config(config)?;
    tracing::info!(
        http = %http.local_addr()?,
        smtp = %smtp.local_addr()?,
        relay_domain = %config.relay_domain,
        "Parley is serving"
    );
    let stop = Stop::new();
    let poll = delivery.poll_interval;
    let mailer = transport.map(|transport| {
        std::sync::Arc::new(parley_smtp::Mailer::new(delivery, transport))
            as std::sync::Arc<dyn parley_app::jobs::MailDelivery>
    });
    // The engines' languages, asked once at start: pages then offer only what can work.
    tokio::spawn({
        let app = app.clone();
        async move { app.list_translation_pairs().await }
    });
    let jobs = tokio::spawn(parley_app::jobs::run(
        app.clone(),
        poll,
        mailer,
        stop.wait(),
    ));
    let relay = tokio::spawn(parley_smtp::serve(
        smtp,
        app.clone(),
        smtp_config,
        stop.wait(),
    ));
    let signal = stop.clone();
    let web = parley_web::serve(http, app.clone(), async move {
        shutdown_signal().await;
        signal.trigger();
    });
    web.await?;
    stop.trigger();
    relay.await??;
    jobs.await?;
    tracing::info!("stopped");
    Ok(())
}

/// `parley smtp`: the relay listener alone.
async fn smtp_only(app: &App, config: &Config) -> anyhow::Result<()> {
    raise_open_file_limit();
    let smtp = TcpListener::bind(config.smtp)
        .await
        .with_context(|| format!("listening for SMTP on {}", config.smtp))?;
    tracing::info!(smtp = %smtp.local_addr()?, relay_domain = %config.relay_domain, "Parley SMTP relay is serving");
    // On a worker thread rather than the main one: the accept loop then spawns each session
    // on the worker that accepted it, with no wake-up of another thread per connection.
    tokio::spawn(parley_smtp::serve(
        smtp,
        app.clone(),
        smtp_config(config)?,
        shutdown_signal(),
    ))
    .await??;
    tracing::info!("stopped");
    Ok(())
}

fn smtp_config(config: &Config) -> anyhow::Result<SmtpConfig> {
    let mut smtp = SmtpConfig::new(&config.relay_domain);
    smtp.max_message_bytes = config.max_message_bytes;
    smtp.max_document_bytes = config.max_document_bytes;
    smtp.limits = config.smtp_limits;
    if let Some((cert, key)) = &config.smtp_tls {
        smtp.tls = Some(parley_smtp::load_acceptor(cert, key)?);
    }
    if config.sender_auth != parley_app::held::SenderAuthMode::Off {
        let checker = parley_smtp::authentication::SenderAuthenticator::new(
            &smtp.hostname,
            config.dns_server,
        )
        .map_err(anyhow::Error::msg)?;
        smtp.sender_auth = Some(std::sync::Arc::new(checker));
    }
    Ok(smtp)
}

fn delivery_config(config: &Config) -> anyhow::Result<DeliveryConfig> {
    let dkim = match &config.dkim {
        Some((key, domain, selector)) => Some(std::sync::Arc::new(
            parley_smtp::sender::Dkim::load(key, domain, selector).map_err(anyhow::Error::msg)?,
        )),
        None => None,
    };
    Ok(DeliveryConfig {
        smarthost: config.smarthost.clone(),
        from_address: config.mail_from.clone(),
        message_id_domain: config.relay_domain.clone(),
        poll_interval: std::time::Duration::from_millis(500),
        batch: 50,
        dkim,
    })
}

/// A shutdown shared by the web server, the relay and the worker.
#[derive(Clone)]
struct Stop(tokio::sync::watch::Sender<bool>);

impl Stop {
    fn new() -> Self {
        Self(tokio::sync::watch::channel(false).0)
    }

    fn trigger(&self) {
        self.0.send_replace(true);
    }

    fn wait(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut receiver = self.0.subscribe();
        async move {
            let _ = receiver.wait_for(|stopped| *stopped).await;
        }
    }
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Turns validation errors into their human messages.
pub(crate) fn describe(error: parley_app::AppError) -> anyhow::Error {
    match error {
        parley_app::AppError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => anyhow::Error::new(other),
    }
}
