//! A free loopback port, and Postfix's smtp-sink on one: the real SMTP server outbound mail is
//! delivered to in these tests.

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Postfix's smtp-sink on a free port, dumping every message into a folder.
pub struct SmtpSink {
    pub port: u16,
    child: std::process::Child,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("dir");
        // smtp-sink drops to `nobody`, who must be able to write the dumps.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o777),
        )
        .expect("chmod");
        let port = free_port();
        let child = std::process::Command::new("smtp-sink")
            .args(["-u", "nobody", "-d"])
            .arg(dir.path().join("%M."))
            .arg(format!("127.0.0.1:{port}"))
            .arg("10")
            .spawn()
            .expect("smtp-sink (Debian package postfix, installed by scripts/test)");
        // Wait until it accepts connections.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "smtp-sink did not start"
            );
            std::thread::yield_now();
        }
        Self { port, child, dir }
    }

    /// Everything received so far.
    pub fn received(&self) -> String {
        self.mails().concat()
    }

    /// Each mail received so far (its envelope first, as `X-Mail-Args` and `X-Rcpt-Args`), in
    /// no particular order.
    pub fn mails(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path())
            .expect("dumps")
            .map(|entry| {
                let bytes = std::fs::read(entry.expect("entry").path()).expect("dump");
                String::from_utf8_lossy(&bytes).into_owned()
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
