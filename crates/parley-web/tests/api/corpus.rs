//! Real-world messages through the relay (issue "Real-world mail"): each message of
//! `parley-mail/tests/corpus` (Outlook, Apple Mail, UTF-7, ISO-2022-JP, KOI8-R, TNEF, calendar
//! invitations, broken MIME…) is sent over SMTP by the seller, from her own mailbox, to her
//! masked address in a conversation — every address in it replaced by hers or her masked one,
//! in quoted headers, signatures and links too. Each is stored or refused with a
//! permanent reply and an enhanced status code; and nothing the buyer can read (the
//! conversation, its history, the notification emails) shows the seller's address or her
//! masked address.

use std::path::{Path, PathBuf};

use crate::both;
use crate::helpers::{Db, TestApp};
use crate::relay::{last_mail, outbox, send};

both!(real_world_messages_pass_the_relay_without_revealing_the_seller);

const SELLER: &str = "claire@hydrotech.example";

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../parley-mail/tests/corpus");
    let mut files = Vec::new();
    for dir in [
        "mail-parser/legacy",
        "mail-parser/malformed",
        "mail-parser/rfc",
        "written",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).expect("corpus") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "eml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// `body` with every email address in it replaced, in turn, by the seller's address and by her
/// masked address: as if each quoted header, signature and `mailto:` link named her.
fn with_the_seller_everywhere(body: &[u8], masked: &str) -> Vec<u8> {
    let local = |b: u8| b.is_ascii_alphanumeric() || b".%+_-".contains(&b);
    let domain = |b: u8| b.is_ascii_alphanumeric() || b".-".contains(&b);
    let mut out = Vec::with_capacity(body.len());
    let (mut copied, mut turn) = (0, 0);
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'@' {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > copied && local(body[start - 1]) {
            start -= 1;
        }
        let mut end = i + 1;
        while end < body.len() && domain(body[end]) {
            end += 1;
        }
        while end > i + 1 && body[end - 1] == b'.' {
            end -= 1;
        }
        if start < i && body[i + 1..end].contains(&b'.') {
            out.extend_from_slice(&body[copied..start]);
            out.extend_from_slice(if turn % 2 == 0 { SELLER } else { masked }.as_bytes());
            turn += 1;
            copied = end;
        }
        i = end.max(i + 1);
    }
    out.extend_from_slice(&body[copied..]);
    out
}

/// The message as the seller sends it: her From, her masked address as To, a Message-ID of
/// its own; every address in the body becomes hers or her masked one.
fn as_sent_by_the_seller(raw: &[u8], masked: &str, n: usize) -> Vec<u8> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 2)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|at| at + 1))
        .unwrap_or(raw.len());
    let (head, body) = raw.split_at(split);
    let head = String::from_utf8_lossy(head);
    let mut kept = String::new();
    let mut dropping = false;
    for line in head.split_inclusive('\n') {
        if line.starts_with([' ', '\t']) {
            if !dropping {
                kept.push_str(line);
            }
            continue;
        }
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .trim()
            .to_lowercase();
        dropping = matches!(
            name.as_str(),
            "from" | "to" | "cc" | "bcc" | "reply-to" | "sender" | "message-id" | "return-path"
        );
        if !dropping {
            kept.push_str(line);
        }
    }
    let mut out = format!(
        "From: Claire Martin <{SELLER}>\r\nTo: <{masked}>\r\nMessage-ID: <corpus-{n}@hydrotech.example>\r\n"
    )
    .into_bytes();
    out.extend_from_slice(kept.as_bytes());
    out.extend_from_slice(&with_the_seller_everywhere(body, masked));
    out
}

async fn real_world_messages_pass_the_relay_without_revealing_the_seller(db: Db) {
    let mut settings = TestApp::settings();
    settings.dev_mailbox = true;
    settings.limits.relay_per_minute = 10_000;
    let t = TestApp::spawn_with(db, settings).await;
    let (request, buyer) = t.request_from("FR", "ana@buyer.example").await;
    let masked = last_mail(&t, SELLER, "new_request")
        .await
        .from_address
        .expect("the seller's masked address");
    let token = masked.split('@').next().expect("token").to_owned();

    let files = corpus();
    assert!(files.len() >= 50, "{} messages", files.len());
    let (mut stored, mut refused) = (0, Vec::new());
    // Messages whose text names the seller or her masked address beyond their headers (a
    // signature, a quoted attribution): what the relay must hide from the buyer.
    let mut naming = 0;
    for (n, path) in files.iter().enumerate() {
        let raw = as_sent_by_the_seller(&std::fs::read(path).expect("read"), &masked, n);
        let body = String::from_utf8_lossy(&raw);
        naming += usize::from(body.matches(SELLER).count() + body.matches(&token).count() > 2);
        match send(t.smtp, SELLER, &masked, &raw).await {
            Ok(()) => stored += 1,
            Err(reply) => {
                // A permanent refusal that says why (`550 5.6.0 …`), never a dropped session
                // or a temporary failure (lettre words it "permanent error (550): 5.6.0 …").
                let enhanced = reply.split("): ").nth(1).unwrap_or_default();
                assert!(
                    reply.starts_with("permanent error (5") && enhanced.starts_with("5."),
                    "{}: {reply}",
                    path.display()
                );
                refused.push(format!("{}: {enhanced}", path.display()));
            }
        }
    }
    eprintln!(
        "{stored} stored, {} refused ({refused:?}), {naming} naming the seller in their text",
        refused.len()
    );
    assert!(
        naming >= 10,
        "{naming} messages name the seller in their text"
    );
    assert!(
        stored * 10 >= files.len() * 9,
        "{stored} stored of {}; refused: {refused:?}",
        files.len()
    );

    // What the buyer can read: the conversation, its history, and every email sent to them.
    t.relay_caught_up().await;
    let view = t
        .get_json(&buyer.token, &format!("/api/v1/requests/{request}"))
        .await;
    let messages = view["threads"][0]["messages"]
        .as_array()
        .expect("messages")
        .len();
    assert!(
        messages >= stored / 2,
        "{messages} messages seen of {stored}"
    );
    let history = t
        .get_json(&buyer.token, &format!("/api/v1/requests/{request}/history"))
        .await;
    let mut seen = vec![view.to_string(), history.to_string()];
    for mail in outbox(&t).await {
        if mail.recipient == "ana@buyer.example" {
            seen.push(mail.text_body.clone());
            seen.extend(mail.html_body.clone());
            seen.extend(mail.from_address.clone());
        }
    }
    assert!(seen.len() > 2, "the buyer was told");
    for text in &seen {
        assert!(
            !text.to_lowercase().contains(SELLER),
            "the seller's address: {text}"
        );
        assert!(
            !text.contains(&token),
            "the seller's masked address: {text}"
        );
    }
}
