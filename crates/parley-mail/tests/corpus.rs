//! The MIME ingest on real-world messages (`tests/corpus/`, see its README for sources and
//! licences): every message is either read or refused as unreadable, never a panic; what is
//! read is text a person can read (no MIME structure, headers, encoded words or transfer
//! encodings left in it), and the messages written for a named shape give exactly their text.

use std::path::{Path, PathBuf};

use parley_mail::parse_email;

fn corpus() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("corpus folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "eml") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"),
        &mut files,
    );
    files.sort();
    files
}

/// What a reader must never see in a message's text: the machinery of MIME.
fn machinery(text: &str) -> Option<&'static str> {
    const HEADERS: [&str; 4] = [
        "content-type:",
        "content-transfer-encoding:",
        "mime-version:",
        "content-disposition:",
    ];
    for line in text.lines() {
        let lower = line.trim_start().to_lowercase();
        if let Some(header) = HEADERS.iter().find(|h| lower.starts_with(**h)) {
            return Some(header);
        }
        if lower.starts_with("--") && lower.len() > 20 && !lower.contains(' ') {
            // A boundary line (`--_002_…`), not a signature separator (`-- `).
            return Some("a MIME boundary");
        }
    }
    if text.contains("=?utf-8?") || text.contains("=?UTF-8?") || text.contains("=?iso-") {
        return Some("an encoded word");
    }
    None
}

#[test]
fn every_message_is_read_or_refused_and_reads_as_text() {
    let files = corpus();
    assert!(files.len() >= 50, "{} messages", files.len());
    let mut read = 0;
    let mut problems: Vec<String> = Vec::new();
    for path in &files {
        let raw = std::fs::read(path).expect("read");
        let name = path.display();
        let Ok(email) = parse_email(&raw) else {
            continue; // refused as unreadable: the relay answers 554 with its reason
        };
        read += 1;
        // A malformed message may carry what looks like MIME in its one text part: that is
        // its text. Every other one must read as text.
        let malformed = path.components().any(|c| c.as_os_str() == "malformed");
        for text in [&email.full_text, &email.reply_text] {
            match machinery(text) {
                Some(what) if !malformed => problems.push(format!("{name}: {what} in {text:?}")),
                _ => {}
            }
            if text
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
            {
                problems.push(format!("{name}: control characters in {text:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(
        read * 10 >= files.len() * 9,
        "{read} of {} read",
        files.len()
    );
}

/// (file, words the new text holds, words it must not: the quoted part or a machine's).
const SHAPES: [(&str, &[&str], &[&str]); 10] = [
    (
        "iso-2022-jp.eml",
        &["納期を三週間に短縮できますか"],
        &["\u{1b}"],
    ),
    (
        "koi8-r.eml",
        &["Нам нужно 12 насосов", "Иван Петров"],
        &["цена 1 250 евро"],
    ),
    (
        "windows-1252-qp.eml",
        &["5\u{a0}760\u{a0}€", "« HT-200 »", "Œuvre collective, cœur"],
        &["Voici notre offre", "=E9"],
    ),
    (
        "calendar-invitation.eml",
        &["visite de l'usine le 1er décembre"],
        &["BEGIN:VCALENDAR"],
    ),
    (
        "winmail-dat.eml",
        &["Bestellung für 12 Stück", "Hans Müller"],
        &["=FC"],
    ),
    (
        "apple-mail-flowed.eml",
        &["Podemos confirmar a encomenda de doze"],
        &["Segue a nossa proposta"],
    ),
    (
        "outlook-html-only.eml",
        &["confermiamo l’ordine di 12 pompe", "Maria Rossi"],
        &["Ecco la nostra offerta", "MsoNormal", "<p"],
    ),
    (
        "html-inline-logo.eml",
        &["vi tar tolv pumpar. Leverans till Göteborg."],
        &["cid:"],
    ),
    (
        "base64-utf8-with-pdf.eml",
        &["附件是我们的采购订单"],
        &["%PDF"],
    ),
    (
        "forwarded-rfc822.eml",
        &["Os reenvío el pedido de nuestro cliente"],
        &[],
    ),
];

#[test]
fn each_written_shape_gives_its_text() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/written");
    let mut problems = Vec::new();
    for (file, holds, lacks) in SHAPES {
        let raw = std::fs::read(dir.join(file)).expect(file);
        let email = parse_email(&raw).unwrap_or_else(|e| panic!("{file}: {e}"));
        let text = &email.reply_text;
        for words in holds.iter().filter(|w| !text.contains(**w)) {
            problems.push(format!("{file}: no {words:?} in {text:?}"));
        }
        for words in lacks.iter().filter(|w| text.contains(**w)) {
            problems.push(format!("{file}: {words:?} in {text:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // Attachments: the TNEF file and the PDF are the person's (the relay sets the first aside
    // with a notice); the inline logo and the calendar alternative stay in the original.
    let attachments = |file: &str| {
        parse_email(&std::fs::read(dir.join(file)).expect(file))
            .expect(file)
            .attachments
            .into_iter()
            .map(|a| (a.filename, a.content_type))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        attachments("winmail-dat.eml"),
        [("winmail.dat".to_owned(), "application/ms-tnef".to_owned())]
    );
    assert_eq!(
        attachments("base64-utf8-with-pdf.eml"),
        [("订单.pdf".to_owned(), "application/pdf".to_owned())]
    );
    assert!(attachments("html-inline-logo.eml").is_empty());
    // A photo Apple Mail puts inline in a plain-text mail is the person's, not decoration.
    assert_eq!(
        attachments("apple-mail-inline-photo.eml"),
        [("IMG_0042.jpeg".to_owned(), "image/jpeg".to_owned())]
    );
}
