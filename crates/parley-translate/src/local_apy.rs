//! Starting Debian's `apertium-apy` on a loopback port: `parley serve` does it when Apertium is
//! installed and no server is configured (`--apertium auto`), and the tests do it too.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian's language pairs put their modes.
pub const MODES: &str = "/usr/share/apertium/modes";

/// An `apertium-apy` child process, stopped when dropped.
#[derive(Debug)]
pub struct LocalApy {
    child: Child,
    url: String,
}

impl LocalApy {
    /// Whether `apertium-apy` and some language pairs are installed.
    #[must_use]
    pub fn installed() -> bool {
        which("apertium-apy") && std::path::Path::new(MODES).is_dir()
    }

    /// Starts it on a free loopback port and waits (up to 30 s) until it lists its pairs.
    pub async fn start() -> Result<Self, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free port: {e}"))?;
        let child = Command::new("apertium-apy")
            .args(["-p", &port.to_string(), MODES])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting apertium-apy: {e}"))?;
        let apy = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let client = crate::http_client();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = client.get(format!("{}/listPairs", apy.url)).send().await
                && response.status().is_success()
            {
                return Ok(apy);
            }
            if Instant::now() > deadline {
                return Err("apertium-apy did not answer within 30 s".to_owned());
            }
            // Readiness polling: APY has no other way to say it is up.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Its base URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for LocalApy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}
