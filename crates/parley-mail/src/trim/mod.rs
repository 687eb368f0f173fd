//! Reply trimming: keep what the person wrote, drop the quoted history, the embedded
//! earlier emails, forwarded headers and mobile signatures their client added.
//!
//! Each line gets a kind (text, quote, attribution, header, signature, delimiter, empty);
//! the decisions are made on that sequence, so the cost is one pass over the lines plus
//! a few passes over the kinds: linear in the input.

mod attribution;
mod classify;
mod headers;
mod phrases;

use classify::{Kind, classify};

/// The new text of a plain-text email reply. Line endings are normalised to `\n`; the
/// result has no leading or trailing whitespace. A body with nothing but quotes is kept
/// as it is (the person may have forwarded a quote on purpose).
pub fn trim_reply(body: &str) -> String {
    let normalised;
    let body = if body.contains('\r') {
        normalised = body.replace("\r\n", "\n").replace('\r', "\n");
        normalised.as_str()
    } else {
        body
    };
    let lines = lines_of(body.trim());
    let kinds = classify(&lines);
    let kept = keep(&lines, &kinds);
    if nothing_written(&lines[kept.clone()], &kinds[kept.clone()]) {
        return String::new();
    }
    let mut out = String::with_capacity(body.len());
    for i in kept.clone() {
        // An attribution left inside is above a quote the person answered under: the quote
        // stays, for the answer to make sense; who wrote it is history.
        if i > kept.start && kinds[i] == Kind::Attribution {
            continue;
        }
        // A line that shows nothing (invisible signs, an inline image's mark) goes too.
        if kinds[i] == Kind::Empty && !lines[i].trim().is_empty() {
            continue;
        }
        if i > kept.start {
            out.push('\n');
        }
        out.push_str(lines[i]);
    }
    out.trim().to_owned()
}

/// The lines of `text`, split at `\n` with SIMD (std's `split` compares each match again).
fn lines_of(text: &str) -> Vec<&str> {
    let mut lines = Vec::with_capacity(text.len() / 40 + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(&text[start..end]);
        start = end + 1;
    }
    lines.push(&text[start..]);
    lines
}

/// The range of lines that make the reply.
fn keep(lines: &[&str], kinds: &[Kind]) -> std::ops::Range<usize> {
    // Everything after a delimiter ("--", "_____") is signature or history.
    let mut end = kinds
        .iter()
        .position(|k| *k == Kind::Delimiter)
        .unwrap_or(kinds.len());
    let mut start = 0;

    // Bottom-posting: "On … wrote:", the quote, then the reply under it.
    if let Some(first) = first_not_empty(kinds, start, end)
        && kinds[first] == Kind::Attribution
    {
        let mut i = first;
        while i < end && kinds[i] == Kind::Attribution {
            i += 1;
        }
        while i < end && matches!(kinds[i], Kind::Quote | Kind::Empty | Kind::Attribution) {
            i += 1;
        }
        if i < end && kinds[i] == Kind::Text {
            start = i;
        }
    }

    // A forward: the body starts with the forwarded email's header block (after its
    // "Forwarded message" line, if any). What was forwarded is the message; its headers
    // are not.
    if let Some(first) = first_not_empty(kinds, start, end) {
        let mut i = first;
        while i < end && kinds[i] == Kind::Attribution {
            i += 1;
        }
        if let Some(block_end) = header_block_at(kinds, i, end) {
            match (block_end..end).find(|&j| kinds[j] == Kind::Text) {
                Some(text) => start = text,
                None => start = first,
            }
        }
    }

    // The first embedded email after some text cuts the rest, unless the person answered
    // below it (quote, then their text).
    let mut seen_text = false;
    for i in start..end {
        match kinds[i] {
            Kind::Text => seen_text = true,
            Kind::Attribution
                if seen_text && !answered_inline(&lines[i + 1..end], &kinds[i + 1..end]) =>
            {
                end = i;
                break;
            }
            _ => {}
        }
    }

    // A block of three or more header lines after some text is a forwarded email.
    if let Some(cut) = header_block_after_text(kinds, start, end) {
        end = cut;
    }

    // Trailing quotes, signatures and blank lines go when the person wrote something.
    let has_text = kinds[start..end].contains(&Kind::Text);
    while end > start {
        match kinds[end - 1] {
            Kind::Empty | Kind::Signature => end -= 1,
            Kind::Quote | Kind::Attribution | Kind::Header if has_text => end -= 1,
            _ => break,
        }
    }
    // A leading attribution with no quote under it ("On … wrote:" then the reply).
    while start < end && matches!(kinds[start], Kind::Empty | Kind::Attribution) && has_text {
        start += 1;
    }
    start..end
}

/// Only attributions and the quote marks between them ("> On … wrote:", ">", ">> On …"): a
/// chain of earlier emails with nothing of the person's own in it, not even a quoted line.
fn nothing_written(lines: &[&str], kinds: &[Kind]) -> bool {
    kinds.contains(&Kind::Attribution)
        && lines.iter().zip(kinds).all(|(line, kind)| match kind {
            Kind::Empty | Kind::Attribution => true,
            Kind::Quote => is_empty_quote(line),
            _ => false,
        })
}

fn first_not_empty(kinds: &[Kind], start: usize, end: usize) -> Option<usize> {
    (start..end).find(|&i| kinds[i] != Kind::Empty)
}

/// The person wrote below a quote: quote, their text, quote again (inline answers); or
/// quote, a blank line (or an empty quote line, ">"), then their text (an answer under the
/// quote it answers). A line straight under a quoted line may be that line's wrapped end.
fn answered_inline(lines: &[&str], rest: &[Kind]) -> bool {
    let Some(first_quote) = rest.iter().position(|k| *k == Kind::Quote) else {
        return false;
    };
    let after = &rest[first_quote..];
    let Some(text) = after.iter().position(|k| *k == Kind::Text) else {
        return false;
    };
    after[text - 1] == Kind::Empty
        || is_empty_quote(lines[first_quote + text - 1])
        || after[text..].contains(&Kind::Quote)
}

/// A quote line with nothing quoted on it: ">", "> >".
fn is_empty_quote(line: &str) -> bool {
    line.trim_matches(|c: char| c == '>' || c.is_whitespace())
        .is_empty()
}

/// Where a run of at least three header lines starts, when text comes before it.
fn header_block_after_text(kinds: &[Kind], start: usize, end: usize) -> Option<usize> {
    let mut seen_text = false;
    let mut i = start;
    while i < end {
        match kinds[i] {
            Kind::Text => seen_text = true,
            Kind::Header if seen_text => match header_block_at(kinds, i, end) {
                Some(_) => return Some(i),
                None => {
                    i = run_end(kinds, i, end);
                    continue;
                }
            },
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where the header block starting at `i` ends, when at least three header lines start
/// there. Headers may wrap, so text lines between header lines belong to the block, as long
/// as headers are at least half of it.
fn header_block_at(kinds: &[Kind], i: usize, end: usize) -> Option<usize> {
    if kinds.get(i) != Some(&Kind::Header) {
        return None;
    }
    let j = run_end(kinds, i, end);
    let headers = kinds[i..j].iter().filter(|k| **k == Kind::Header).count();
    (headers >= 3 && headers * 2 >= j - i).then_some(j)
}

/// The end of the run of header and text lines from `i`.
fn run_end(kinds: &[Kind], i: usize, end: usize) -> usize {
    (i..end)
        .find(|&j| !matches!(kinds[j], Kind::Header | Kind::Text))
        .unwrap_or(end)
}

#[cfg(test)]
mod tests;
