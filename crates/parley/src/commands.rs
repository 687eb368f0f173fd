//! The subcommands.

use anyhow::Context;
use parley_app::demo::DemoSummary;
use parley_app::{App, Caller, Settings};
use parley_smtp::sender::Transport;
use parley_smtp::{DeliveryConfig, SmtpConfig};
use tokio::net::TcpListener;

use crate::cli::{Command, DevCommand, MailCommand, ServeArgs, TokenCommand};
use crate::config::Config;

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

async fn token(app: &App, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            email,
            marketplace,
            label,
        } => {
            if let Some(slug) = marketplace {
                let key = app
                    .create_marketplace_key(&slug, &label)
                    .await
                    .map_err(describe)?;
                println!("{key}");
                eprintln!(
                    "Integration key for marketplace {slug}: keep it secret, it is shown once."
                );
            } else if let Some(email) = email {
                let (token, caller) = app.create_token(&email, &label).await.map_err(describe)?;
                println!("{token}");
                let who = match caller {
                    Caller::Member(m) => format!("member {} <{}>", m.name, m.email),
                    Caller::Buyer(b) => format!("buyer {} <{}>", b.name, b.email),
                    Caller::Marketplace(m) => format!("marketplace {}", m.name),
                };
                eprintln!("Token for {who}: keep it secret, it is shown once.");
            }
            Ok(())
        }
        TokenCommand::Revoke { token } => {
            if app.revoke_token(&token).await.map_err(describe)? {
                println!("Revoked.");
                Ok(())
            } else {
                anyhow::bail!("no such token")
            }
        }
    }
}

/// Mail tools: no database needed.
fn mail(command: MailCommand) -> anyhow::Result<()> {
    match command {
        MailCommand::Trim { file } => {
            let bytes = match &file {
                Some(path) => {
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
                }
                None => {
                    let mut bytes = Vec::new();
                    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
                        .context("reading standard input")?;
                    bytes
                }
            };
            // Bodies come in every charset; bytes that are not UTF-8 are shown replaced
            // rather than refused.
            let body = String::from_utf8_lossy(&bytes);
            println!("{}", parley_mail::trim_reply(&body));
            Ok(())
        }
    }
}

/// Turns validation errors into their human messages.
async fn backup(app: &App, dir: &std::path::Path) -> anyhow::Result<()> {
    let summary = app.backup(dir).await.map_err(describe)?;
    if summary.database {
        println!(
            "Backed up the database and {} documents into {}.",
            summary.documents,
            dir.display()
        );
    } else {
        println!(
            "Backed up {} documents into {}. Back the PostgreSQL database up with pg_dump \
             (see the README).",
            summary.documents,
            dir.display()
        );
    }
    if let parley_app::DocumentStore::S3(s3) = app.documents() {
        println!(
            "Documents stay in {s3:?}: back the bucket up with the object store's own tools \
             (versioning or replication)."
        );
    }
    Ok(())
}

fn restore(dir: &std::path::Path, config: &Config) -> anyhow::Result<()> {
    let parley_app::DocumentStore::Local(files) = &config.documents else {
        anyhow::bail!(
            "documents are kept in an S3 bucket: restore the database with the tools of its \
             server and the bucket with the object store's (see the README)"
        );
    };
    let restored =
        parley_app::backup::restore(dir, &config.database_url, files).map_err(describe)?;
    if restored {
        println!(
            "Restored {} into {}.",
            dir.display(),
            config.data_dir.display()
        );
    } else {
        println!(
            "Restored the documents of {}. Restore the PostgreSQL database with pg_restore \
             (see the README).",
            dir.display()
        );
    }
    Ok(())
}

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

fn print_demo(summary: &DemoSummary, config: &Config) {
    println!(
        "Demo data loaded ({} new requests).",
        summary.requests_created
    );
    println!();
    let base = format!("http://{}", config.http);
    println!("Sign in to the web pages (each link works once, for 30 minutes; for new links,");
    println!("ask at {base}/signin and open the dev mailbox at {base}/dev/mail):");
    for (name, email, path) in &summary.sign_in_links {
        println!("  {name:<14} {email:<36} {base}{path}");
    }
    println!();
    println!("API tokens (Authorization: Bearer …), minted now:");
    for (name, email, token) in &summary.tokens {
        println!("  {name:<14} {email:<36} {token}");
    }
    println!();
    println!(
        "Marketplace integration key ({}): {}",
        summary.marketplace_key.0, summary.marketplace_key.1
    );
    println!(
        "Manufacturer id for new requests: {}",
        summary.manufacturer_id
    );
    println!();
    println!("Try:");
    println!(
        "  curl -H 'Authorization: Bearer {}' {base}/api/v1/requests",
        summary.tokens.first().map_or("", |t| t.2.as_str())
    );
    println!("  {base}/api/v1/openapi.json   {base}/healthz   {base}/metrics");
    if let Some(request) = &summary.wall_example {
        println!();
        println!(
            "The confidentiality wall: this request was routed to the distributor Iberia Fluidos."
        );
        println!(
            "  Open {base}/requests/{request} as Lucía (distributor): her conversation with the buyer."
        );
        println!(
            "  Open it as Claire (manufacturer): only the statuses (routed, contacted the buyer)."
        );
        println!("  Claire's network and its response ratings: {base}/network");
        println!(
            "  As Lucía, translate Carmen's Spanish message: pick Français or English, Translate."
        );
    }
    if let Some((buyer, address, request)) = &summary.relay_example {
        println!();
        println!(
            "Reply by email as the buyer (the SMTP relay listens on {}):",
            config.smtp
        );
        println!(
            "  swaks --server {} --from {buyer} --to {address} --body 'Thanks, the quote suits us.'",
            config.smtp
        );
        println!(
            "  then see it at {base}/requests/{request} and the notification at {base}/dev/mail"
        );
        println!();
        println!("Quote to order: sign in as {buyer}, open {base}/requests/{request},");
        println!("  Accept the quote, Pay online (a local test checkout without Stripe keys),");
        println!("  confirm billing and delivery, leave a review; the seller sees each step.");
    }
}

/// `parley dev seed`: writes the generated data and says what it wrote.
/// `parley dev storage`: bytes per request, by table.
async fn storage(app: &parley_app::App) -> anyhow::Result<()> {
    let (requests, tables) = app.store().storage().await?;
    let per = |bytes: i64| bytes as f64 / requests.max(1) as f64;
    let total: i64 = tables.iter().map(|(_, bytes)| bytes).sum();
    println!("{requests} requests, {:.0} bytes per request", per(total));
    for (table, bytes) in tables.iter().filter(|(_, bytes)| per(*bytes) >= 1.0) {
        println!("{table:<28} {:>8.0}", per(*bytes));
    }
    Ok(())
}

async fn seed(
    app: &parley_app::App,
    organizations: u32,
    requests: u64,
    messages_per_request: u32,
) -> anyhow::Result<()> {
    let seeded = app
        .store()
        .seed(parley_app::store_seed::Plan {
            organizations,
            requests,
            messages_per_request,
        })
        .await?;
    println!(
        "seeded {} requests in {:.1} s ({:.0}/s)\n\
         admin of the busiest manufacturer: {}\n\
         salesperson of its first distributor: {}\n\
         a buyer: {}",
        seeded.requests,
        seeded.seconds,
        seeded.requests as f64 / seeded.seconds.max(1e-9),
        seeded.busiest_admin,
        seeded.distributor_member,
        seeded.buyer
    );
    Ok(())
}
