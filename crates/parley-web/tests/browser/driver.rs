//! Starting chromedriver and a headless Chromium, and stopping them whatever happens.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// chromedriver in its own process group, killed with its browsers on drop (a panicking test
/// must not leave Chromium running).
pub struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// Whether the browser tests can run here; when `PARLEY_REQUIRE_BROWSER` is set (as
/// `scripts/test` does) a missing browser is a failure, not a skip.
pub fn available() -> bool {
    let found = Command::new("chromedriver")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("PARLEY_REQUIRE_BROWSER").is_none(),
        "PARLEY_REQUIRE_BROWSER is set but chromedriver is not installed"
    );
    found
}

impl Driver {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        // Ready when it says so on stdout.
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        loop {
            let line = lines.next().expect("chromedriver exited").expect("read");
            if line.contains("started successfully") {
                break;
            }
        }
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            port,
            _profile: tempfile::tempdir().expect("profile dir"),
        }
    }

    /// A new headless Chromium with a phone-sized viewport and a fresh profile.
    pub async fn browser(&self) -> Client {
        self.browser_sized(json!({
            "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 1.0 }
        }))
        .await
    }

    /// A phone-sized Chromium whose person reads `language` (`de`, `ja`): the browser's
    /// language, so its Accept-Language.
    pub async fn browser_speaking(&self, language: &str) -> Client {
        self.browser_with(
            json!({ "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 1.0 } }),
            Some(language),
        )
        .await
    }

    /// The same at a desktop's 1280×800.
    pub async fn desktop(&self) -> Client {
        self.browser_sized(json!({
            "deviceMetrics": { "width": 1280, "height": 800, "pixelRatio": 1.0, "mobile": false }
        }))
        .await
    }

    async fn browser_sized(&self, emulation: serde_json::Value) -> Client {
        self.browser_with(emulation, None).await
    }

    async fn browser_with(&self, emulation: serde_json::Value, language: Option<&str>) -> Client {
        let profile = tempfile::tempdir().expect("profile").keep();
        let mut capabilities = Capabilities::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--disable-sync", "--disable-quic",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--lang={}", language.unwrap_or("en-US")),
                ],
                "prefs": {
                    "session.restore_on_startup": 4,
                    "session.startup_urls": ["about:blank"],
                    "intl.accept_languages": language.unwrap_or("en-US"),
                },
                "mobileEmulation": emulation,
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("browser session")
    }
}

/// Saves a screenshot of the current page as `target/browser-screenshots/NAME.png`.
pub async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

/// Waits (up to 10 s) for an element, as a person waits for a page.
pub async fn find(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
}

/// Waits (up to 10 s) for an element of `css` whose text contains `text`: for a page that a
/// form submission replaces with one showing `text`.
pub async fn find_text(client: &Client, css: &str, text: &str) -> fantoccini::elements::Element {
    let xpath = format!(
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' {css} ')][contains(., \"{text}\")]"
    );
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no .{css} with “{text}”: {e}"))
}

/// The whole text of the element `find_text` waits for. After a click that loads a new page,
/// reading a selector the old page also has may read the old page, or an element that goes
/// stale while it is read; waiting for the new content cannot.
pub async fn text_with(client: &Client, css: &str, text: &str) -> String {
    find_text(client, css, text)
        .await
        .text()
        .await
        .expect("text")
}
