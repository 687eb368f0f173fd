//! A DNS server for tests: answers TXT questions from records the test gives it, on a
//! loopback UDP port, so sender authentication (SPF, DKIM, DMARC) runs through a real resolver
//! and nothing leaves the machine.
//!
//! Enough of RFC 1035 for that: one question per query; TXT answers for names it knows,
//! "no data" for another type of a known name, NXDOMAIN for any other name.

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};

/// TXT records by name (lower case, without the final dot).
type Zone = Arc<Mutex<HashMap<String, Vec<String>>>>;

/// A running test DNS server; it stops with the test process.
pub struct TestDns {
    pub addr: SocketAddr,
    zone: Zone,
}

impl TestDns {
    /// Starts the server with these TXT records (`name`, `text`; several per name allowed).
    #[must_use]
    pub fn start(records: &[(&str, &str)]) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP port for DNS");
        let addr = socket.local_addr().expect("DNS address");
        let zone: Zone = Arc::default();
        let dns = Self { addr, zone };
        for (name, text) in records {
            dns.add_txt(name, text);
        }
        let zone = Arc::clone(&dns.zone);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 1500];
            while let Ok((len, from)) = socket.recv_from(&mut buffer) {
                let zone = zone.lock().expect("zone").clone();
                if let Some(answer) = answer(&buffer[..len], &zone) {
                    let _ = socket.send_to(&answer, from);
                }
            }
        });
        dns
    }

    /// Publishes one more TXT record.
    pub fn add_txt(&self, name: &str, text: &str) {
        self.zone
            .lock()
            .expect("zone")
            .entry(name.trim_end_matches('.').to_ascii_lowercase())
            .or_default()
            .push(text.to_owned());
    }
}

const TXT: u16 = 16;

/// The response to one query, or `None` for what is not a query this server can read.
fn answer(query: &[u8], zone: &HashMap<String, Vec<String>>) -> Option<Vec<u8>> {
    let header = query.get(..12)?;
    if header[2] & 0x80 != 0 || u16::from_be_bytes([header[4], header[5]]) != 1 {
        return None;
    }
    // The question: labels, then type and class.
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*query.get(at)?);
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(at..at + len)?).to_ascii_lowercase());
        at += len;
    }
    let kind = u16::from_be_bytes([*query.get(at)?, *query.get(at + 1)?]);
    let question = query.get(12..at + 4)?;
    let records = zone.get(&labels.join("."));
    let texts: &[String] = match (records, kind) {
        (Some(texts), TXT) => texts,
        _ => &[],
    };
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&header[..2]);
    // A response, authoritative, recursion desired copied and available; NXDOMAIN for an
    // unknown name.
    out.push(0x84 | (header[2] & 0x01));
    out.push(if records.is_some() { 0x80 } else { 0x83 });
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&u16::try_from(texts.len()).ok()?.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(question);
    for text in texts {
        let mut data = Vec::new();
        for chunk in text.as_bytes().chunks(255) {
            data.push(u8::try_from(chunk.len()).ok()?);
            data.extend_from_slice(chunk);
        }
        // The name as a pointer to the question's, type TXT, class IN, a minute's TTL.
        out.extend_from_slice(&[0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60]);
        out.extend_from_slice(&u16::try_from(data.len()).ok()?.to_be_bytes());
        out.extend_from_slice(&data);
    }
    Some(out)
}
