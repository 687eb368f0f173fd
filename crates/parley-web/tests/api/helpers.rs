//! The test application: a real server on a loopback port, a fresh database, a small world of
//! organizations, people and tokens, and an HTTP client.

use std::net::SocketAddr;

use parley_app::{App, Settings};
use parley_domain::{
    EmailAddress, LanguageCode, Marketplace, MarketplaceId, Member, MemberId, NetworkLink,
    Organization, OrganizationId, OrganizationKind,
};
use parley_store::directory;
use reqwest::multipart::Form;
use serde_json::{Value, json};

pub use http::{error_codes, pdf, pdf_part, walk, walk_items};
pub use parley_test_support::Db;
pub use smtp_sink::{SmtpSink, free_port};

// Paths, not the default lookup: tests/browser includes this file by its path as well.
#[path = "helpers/http.rs"]
mod http;
#[path = "helpers/smtp_sink.rs"]
mod smtp_sink;

/// The largest document in tests: small, so the oversize cases stay fast.
pub const MAX_DOCUMENT: usize = 256 * 1024;

pub struct Person {
    pub token: String,
}

pub struct TestApp {
    pub addr: SocketAddr,
    /// Parley's SMTP relay listener for this app.
    pub smtp: SocketAddr,
    pub client: reqwest::Client,
    pub app: App,
    pub marketplace_key: String,
    pub manufacturer: OrganizationId,
    pub distributor: OrganizationId,
    /// Claire, of the manufacturer.
    pub maker: Person,
    /// Tom, the manufacturer's second member.
    pub maker2: Person,
    /// Lucía, of the distributor covering ES and PT.
    pub distributor_member: Person,
    /// Jonas, the area manager for DE.
    pub area_member: Person,
    /// A member of another manufacturer.
    pub outsider: Person,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn(db: Db) -> Self {
        Self::spawn_with(db, Self::settings()).await
    }

    /// The settings of [`TestApp::spawn`], to change before [`TestApp::spawn_with`].
    pub fn settings() -> Settings {
        Settings {
            max_document_bytes: MAX_DOCUMENT,
            // Figures as they are after each step (the cache has its own test, `ratings`).
            ratings_max_age: std::time::Duration::ZERO,
            ..Settings::default()
        }
    }

    /// [`TestApp::spawn`] with the dev mailbox on (mail readable at `/dev/mail`).
    pub async fn spawn_with_dev_mailbox(db: Db) -> Self {
        let settings = Settings {
            dev_mailbox: true,
            ..Self::settings()
        };
        Self::spawn_with(db, settings).await
    }

    pub async fn spawn_with(db: Db, settings: Settings) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = db.fresh_url(dir.path()).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        // Like `parley serve`, links in mail point at the address served.
        let mut settings = settings;
        settings
            .public_url
            .get_or_insert_with(|| format!("http://{addr}"));
        let app = App::open(&url, &dir.path().join("files"), settings)
            .await
            .expect("open app");
        let served = app.clone();
        tokio::spawn(async move {
            parley_web::serve(listener, served, std::future::pending())
                .await
                .expect("serve");
        });
        let smtp_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind smtp");
        let smtp = smtp_listener.local_addr().expect("smtp addr");
        let mut smtp_config = parley_smtp::SmtpConfig::new(&app.settings().relay_domain);
        smtp_config.max_document_bytes = app.settings().max_document_bytes;
        smtp_config.max_message_bytes = 4 * MAX_DOCUMENT;
        let relay = app.clone();
        tokio::spawn(async move {
            parley_smtp::serve(smtp_listener, relay, smtp_config, std::future::pending())
                .await
                .expect("serve smtp");
        });
        let marketplace = Marketplace {
            id: MarketplaceId::new(),
            slug: "directindustry".into(),
            name: "DirectIndustry".into(),
        };
        let (manufacturer, distributor) = app
            .store()
            .write(marketplace, |tx, marketplace| {
                Box::pin(async move {
                    directory::insert_marketplace(&mut *tx, marketplace)
                        .await
                        .expect("marketplace");
                    let manufacturer =
                        org(&mut *tx, OrganizationKind::Manufacturer, "Hydrotech").await;
                    let distributor =
                        org(&mut *tx, OrganizationKind::Distributor, "Iberia Fluidos").await;
                    let area_manager =
                        org(&mut *tx, OrganizationKind::AreaManager, "Alpen Vertrieb").await;
                    let other = org(&mut *tx, OrganizationKind::Manufacturer, "Rival Pumps").await;
                    member(
                        &mut *tx,
                        manufacturer,
                        "Claire Martin",
                        "claire@hydrotech.example",
                    )
                    .await;
                    member(
                        &mut *tx,
                        manufacturer,
                        "Tom Becker",
                        "tom@hydrotech.example",
                    )
                    .await;
                    member(
                        &mut *tx,
                        distributor,
                        "Lucía García",
                        "lucia@iberia.example",
                    )
                    .await;
                    member(&mut *tx, area_manager, "Jonas Weber", "jonas@alpen.example").await;
                    member(&mut *tx, other, "Rita Rival", "rita@rival.example").await;
                    for (party, territory) in [(distributor, "ES,PT"), (area_manager, "DE,AT")] {
                        let link = NetworkLink {
                            manufacturer_id: manufacturer,
                            member_org_id: party,
                            territories: parley_domain::territory::parse_territory(territory)
                                .expect("t"),
                            contacts: Vec::new(),
                            auto_cc: Vec::new(),
                        };
                        directory::upsert_network_link(&mut *tx, &link)
                            .await
                            .expect("link");
                    }
                    Ok::<_, parley_store::StoreError>((manufacturer, distributor))
                })
            })
            .await
            .expect("seed");
        let marketplace_key = app
            .create_marketplace_key("directindustry", "test")
            .await
            .expect("key");
        let client = reqwest::Client::new();
        Self {
            addr,
            smtp,
            client,
            marketplace_key,
            manufacturer,
            distributor,
            maker: person(&app, "claire@hydrotech.example").await,
            maker2: person(&app, "tom@hydrotech.example").await,
            distributor_member: person(&app, "lucia@iberia.example").await,
            area_member: person(&app, "jonas@alpen.example").await,
            outsider: person(&app, "rita@rival.example").await,
            app,
            _dir: dir,
        }
    }

    /// Waits until the replies the relay accepted so far are in their conversations, as
    /// `/metrics` tells an operator (`parley_relay_unfolded_messages`): on SQLite they are
    /// durable at `250` and in their conversation milliseconds later.
    pub async fn relay_caught_up(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while self.app.intake_lag().is_some_and(|lag| lag.unfolded > 0) {
            assert!(
                std::time::Instant::now() < deadline,
                "accepted replies still out of their conversations after 30 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The body of an unauthenticated `GET path` (pages, `/metrics`).
    pub async fn text(&self, path: &str) -> String {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("text")
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// GETs `path` and returns its JSON body, asserting success.
    pub async fn get_json(&self, token: &str, path: &str) -> Value {
        let response = self.get(token, path).await;
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.expect("json")
    }

    /// POSTs a multipart form as a message of `request`.
    pub async fn post_form(&self, token: &str, request: &str, form: Form) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/v1/requests/{request}/messages")))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("POST")
    }

    /// Sends a message with a PDF quote and returns the quote's download URL.
    pub async fn post_quote(&self, token: &str, request: &str) -> String {
        let form = Form::new()
            .text("body", "Our quote")
            .part("quote", pdf_part(pdf(), "quote.pdf"));
        let response = self.post_form(token, request, form).await;
        assert_eq!(response.status(), 201);
        let sent: Value = response.json().await.expect("json");
        sent["documents"][0]["url"]
            .as_str()
            .expect("url")
            .to_owned()
    }

    /// Creates a request from a buyer in `country` (which decides the routing) and returns its
    /// id and the buyer (with a token).
    pub async fn request_from(&self, country: &str, buyer_email: &str) -> (String, Person) {
        self.request_speaking(country, buyer_email, "es").await
    }

    /// [`TestApp::request_from`] a buyer whose profile language is `language`.
    pub async fn request_speaking(
        &self,
        country: &str,
        buyer_email: &str,
        language: &str,
    ) -> (String, Person) {
        let body = json!({
            "buyer": {
                "name": "Buyer ".to_owned() + country,
                "company": "Buying Co",
                "country": country,
                "language": language,
                "email": buyer_email,
                "phone": "+34 600 000 001"
            },
            "manufacturer_id": self.manufacturer.to_string(),
            "product": { "reference": "HT-200", "name": "Centrifugal pump HT-200" },
            "message": "¿Pueden enviarme un presupuesto?"
        });
        let response = self
            .post_json(&self.marketplace_key, "/api/v1/requests", &body)
            .await;
        assert_eq!(
            response.status(),
            201,
            "{}",
            response.text().await.unwrap_or_default()
        );
        let created: Value = response.json().await.expect("json");
        let id = created["id"].as_str().expect("id").to_owned();
        (id, person(&self.app, buyer_email).await)
    }

    /// Posts a JSON message and returns the response.
    pub async fn say(&self, who: &Person, request: &str, body: &str) -> reqwest::Response {
        self.post_json(
            &who.token,
            &format!("/api/v1/requests/{request}/messages"),
            &json!({ "body": body }),
        )
        .await
    }

    /// The kinds of the history entries `who` sees, newest first.
    pub async fn history_kinds(&self, who: &Person, request: &str) -> Vec<String> {
        let response = self
            .get(&who.token, &format!("/api/v1/requests/{request}/history"))
            .await;
        assert_eq!(response.status(), 200);
        let history: Value = response.json().await.expect("json");
        history["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

async fn org(
    tx: &mut parley_store::Connection,
    kind: OrganizationKind,
    name: &str,
) -> OrganizationId {
    let organization = Organization {
        id: OrganizationId::new(),
        kind,
        name: name.into(),
        country: None,
    };
    directory::insert_organization(tx, &organization)
        .await
        .expect("org");
    organization.id
}

async fn member(tx: &mut parley_store::Connection, org: OrganizationId, name: &str, email: &str) {
    let member = Member {
        id: MemberId::new(),
        organization_id: org,
        name: name.into(),
        email: EmailAddress::parse(email).expect("email"),
        phone: None,
        language: LanguageCode::Fr,
    };
    directory::insert_member(tx, &member).await.expect("member");
}

/// A token for the member or buyer with this email.
pub async fn person(app: &App, email: &str) -> Person {
    let (token, caller) = app.create_token(email, "test").await.expect("token");
    assert!(!matches!(caller, parley_app::Caller::Marketplace(_)));
    Person { token }
}

/// Runs `sql` through the store's writer, as another process or a hand-made fix would: no
/// application code that could tell a cache about it.
pub async fn raw_write(t: &TestApp, sql: &'static str) {
    t.app
        .store()
        .write((), move |tx, ()| {
            Box::pin(async move {
                sqlx::query(sql).execute(&mut *tx).await?;
                Ok::<_, parley_store::StoreError>(())
            })
        })
        .await
        .expect("raw write");
}
