//! Messages with a PDF, posted through the API or emailed, and the check that each one
//! acknowledged is in its conversation once with its document, byte for byte.

use std::path::{Path, PathBuf};

use super::{curl, swaks};

/// A small PDF that names `marker` (so each document is its own).
pub fn pdf(dir: &Path, marker: &str) -> (PathBuf, Vec<u8>) {
    std::fs::create_dir_all(dir).expect("dir");
    let bytes = format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {marker}\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes();
    let path = dir.join(format!("{marker}.pdf"));
    std::fs::write(&path, &bytes).expect("write pdf");
    (path, bytes)
}

/// Posts "Our answer {marker}" with a PDF to `request` through the API at `http`; the PDF's
/// bytes when the answer was 201.
pub fn post_with_pdf(
    http: &str,
    token: &str,
    request: &str,
    marker: &str,
    files: &Path,
) -> Option<Vec<u8>> {
    let (path, bytes) = pdf(files, marker);
    let response = curl(&[
        "-H",
        &format!("Authorization: Bearer {token}"),
        "-F",
        &format!("body=Our answer {marker}"),
        "-F",
        &format!("document=@{};type=application/pdf", path.display()),
        "-w",
        "\n%{http_code}",
        &format!("http://{http}/api/v1/requests/{request}/messages"),
    ]);
    response.ends_with("\n201").then_some(bytes)
}

/// Emails "Thank you, {marker}." with a PDF from `from` to `to` through the relay at `smtp`;
/// the PDF's bytes when the end of data was answered 250.
pub fn email_with_pdf(
    smtp: &str,
    (from, to): (&str, &str),
    marker: &str,
    files: &Path,
) -> Option<Vec<u8>> {
    let (path, bytes) = pdf(files, marker);
    let transcript = swaks(
        smtp,
        &[
            "--from",
            from,
            "--to",
            to,
            "--header",
            &format!("Subject: Re: {marker}"),
            "--body",
            &format!("Thank you, {marker}."),
            "--attach-type",
            "application/pdf",
            "--attach-name",
            &format!("{marker}.pdf"),
            "--attach",
            &format!("@{}", path.display()),
        ],
    );
    acknowledged(&transcript).then_some(bytes)
}

/// Whether the server answered `250` to the end of the data (swaks's ` -> .` line). A session
/// cut before it (the server killed after `MAIL FROM`'s `250`) acknowledged nothing.
fn acknowledged(transcript: &str) -> bool {
    let mut lines = transcript.lines();
    if !lines.any(|line| line == " -> .") {
        return false;
    }
    lines
        .find(|line| line.starts_with("<-") || line.starts_with("<**") || line.starts_with("***"))
        .is_some_and(|answer| answer.starts_with("<-  250"))
}

/// Each acknowledged `(marker, document)` is in `request`'s conversations (read through the
/// API at `http`) exactly once, its document downloading byte for byte.
pub fn assert_each_once_with_its_document(
    (http, token): (&str, &str),
    request: &str,
    acknowledged: &[(String, Vec<u8>)],
    scratch: &Path,
) {
    let get = |path: &str| {
        curl(&[
            "-H",
            &format!("Authorization: Bearer {token}"),
            &format!("http://{http}{path}"),
        ])
    };
    let detail: serde_json::Value =
        serde_json::from_str(&get(&format!("/api/v1/requests/{request}"))).expect("request json");
    let messages: Vec<&serde_json::Value> = detail["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .flat_map(|t| t["messages"].as_array().expect("messages"))
        .collect();
    for (marker, bytes) in acknowledged {
        let found: Vec<_> = messages
            .iter()
            .filter(|m| {
                m["body"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(marker.as_str())
            })
            .collect();
        assert_eq!(found.len(), 1, "{marker} once in its conversation");
        let document = &found[0]["documents"][0];
        let download = scratch.join("download.pdf");
        curl(&[
            "-H",
            &format!("Authorization: Bearer {token}"),
            "-o",
            &download.display().to_string(),
            &format!("http://{http}{}", document["url"].as_str().expect("url")),
        ]);
        assert_eq!(
            &std::fs::read(&download).expect("downloaded"),
            bytes,
            "{marker}'s document"
        );
    }
}

#[test]
fn only_the_answer_to_the_end_of_data_acknowledges() {
    let cut_at_rcpt = "<-  220 hi\n -> EHLO vm\n<-  250 SIZE 1000000\n -> MAIL FROM:<a@b.c>\n\
                       <-  250 ok\n -> RCPT TO:<d@e.f>\n*** Remote host closed connection unexpectedly.\n";
    let cut_after_data = " -> MAIL FROM:<a@b.c>\n<-  250 ok\n -> Thank you.\n -> .\n\
                          *** Remote host closed connection unexpectedly.\n";
    let refused = " -> MAIL FROM:<a@b.c>\n<-  250 ok\n -> .\n<** 451 4.3.0 Try again later\n";
    let stored = " -> MAIL FROM:<a@b.c>\n<-  250 ok\n -> .\n<-  250 2.0.0 Message stored\n";
    assert!(!acknowledged(cut_at_rcpt));
    assert!(!acknowledged(cut_after_data));
    assert!(!acknowledged(refused));
    assert!(acknowledged(stored));
}
