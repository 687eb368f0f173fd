//! The spool's frames: what one spooled message looks like on disk.

use super::Spooled;
use crate::StoreError;
use crate::message_record::MessageRecord;

/// Marks the start of every frame.
const MAGIC: [u8; 4] = *b"PSP1";

/// What follows a frame's header: the record as JSON, its body, its whole email text (when it
/// differs from the body), the raw email.
const SECTIONS: usize = 4;

/// magic, sequence number, each section's length (`u32::MAX`: absent), CRC-32.
pub(super) const HEADER_BYTES: usize = 4 + 8 + 4 * SECTIONS + 4;

/// Appends `spooled` as one frame to `out`: the record as JSON, except its texts, which follow
/// as they are (escaping 10 KB of text into JSON was a fifth of the spool's time in perf).
/// The texts are taken out for the JSON and put back.
pub(super) fn encode(spooled: &mut Spooled, out: &mut Vec<u8>) -> Result<(), StoreError> {
    let message = &mut spooled.record.message;
    let body = std::mem::take(&mut message.body);
    let full = message
        .email
        .as_mut()
        .map(|e| std::mem::take(&mut e.full_body));
    let json = serde_json::to_vec(&spooled.record);
    let message = &mut spooled.record.message;
    message.body = body;
    if let (Some(email), Some(full)) = (message.email.as_mut(), full) {
        email.full_body = full;
    }
    let json = json.map_err(|e| StoreError::Corrupt(format!("spooling a message: {e}")))?;
    let message = &spooled.record.message;
    // `None` (u32::MAX): the whole text is the body (or there is no email), the raw email is
    // absent.
    let full = message
        .email
        .as_ref()
        .map(|e| e.full_body.as_bytes())
        .filter(|full| *full != message.body.as_bytes());
    let sections = [
        Some(json.as_slice()),
        Some(message.body.as_bytes()),
        full,
        spooled.record.original.as_deref(),
    ];
    let mut lens = [0u32; SECTIONS];
    for (len, section) in lens.iter_mut().zip(&sections) {
        *len = match section {
            Some(bytes) => u32::try_from(bytes.len())
                .ok()
                .filter(|len| *len != u32::MAX)
                .ok_or_else(|| StoreError::Corrupt("a message too large to spool".to_owned()))?,
            None => u32::MAX,
        };
    }
    let mut described = Vec::with_capacity(8 + 4 * SECTIONS);
    described.extend_from_slice(&spooled.seq.to_le_bytes());
    for len in lens {
        described.extend_from_slice(&len.to_le_bytes());
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&described);
    for section in sections.iter().flatten() {
        crc.update(section);
    }
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&described);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    for section in sections.iter().flatten() {
        out.extend_from_slice(section);
    }
    Ok(())
}

/// Marks the start of a segment that says which sequence number its frames start at.
const SEGMENT_MAGIC: [u8; 4] = *b"PSPG";

/// magic, the first frame's sequence number, CRC-32 of both.
pub(super) const SEGMENT_HEADER_BYTES: usize = 4 + 8 + 4;

/// The header a segment starts with: its frames are numbered from `first_seq` on, one by one.
/// A recycled segment (see `files`) still holds an earlier life's frames after its new ones;
/// those are numbered below `first_seq`, so the numbering says where the new ones end.
pub(super) fn segment_header(first_seq: u64) -> [u8; SEGMENT_HEADER_BYTES] {
    let mut header = [0; SEGMENT_HEADER_BYTES];
    header[..4].copy_from_slice(&SEGMENT_MAGIC);
    header[4..12].copy_from_slice(&first_seq.to_le_bytes());
    let crc = crc32fast::hash(&header[..12]);
    header[12..].copy_from_slice(&crc.to_le_bytes());
    header
}

/// The messages of a segment file: after its header, the frames numbered on from the header's
/// number, up to the first that is out of that order, incomplete or damaged (a torn append,
/// never acknowledged, or the earlier life of a recycled segment). A segment written before
/// segments had headers is read frame by frame, as it was written.
pub(super) fn decode_segment(bytes: &[u8]) -> Vec<Spooled> {
    if bytes.len() >= SEGMENT_HEADER_BYTES && bytes[..4] == SEGMENT_MAGIC {
        let (header, frames) = bytes.split_at(SEGMENT_HEADER_BYTES);
        let crc = u32::from_le_bytes([header[12], header[13], header[14], header[15]]);
        if crc32fast::hash(&header[..12]) != crc {
            return Vec::new();
        }
        let mut first = [0; 8];
        first.copy_from_slice(&header[4..12]);
        return decode_from(frames, Some(u64::from_le_bytes(first)));
    }
    decode(bytes)
}

/// The frames of `bytes` up to the first that is incomplete or fails its checksum (a torn
/// append, never acknowledged).
pub(super) fn decode(bytes: &[u8]) -> Vec<Spooled> {
    decode_from(bytes, None)
}

/// [`decode`], stopping also at the first frame not numbered `first_seq`, `first_seq + 1`, …
fn decode_from(bytes: &[u8], first_seq: Option<u64>) -> Vec<Spooled> {
    let mut found = Vec::new();
    let mut expected = first_seq;
    let mut rest = bytes;
    while rest.len() >= HEADER_BYTES && rest[..4] == MAGIC {
        let Some((spooled, len)) = decode_one(rest) else {
            break;
        };
        if let Some(seq) = expected {
            if spooled.seq != seq {
                break;
            }
            expected = Some(seq + 1);
        }
        found.push(spooled);
        rest = &rest[len..];
    }
    found
}

/// The frame at the start of `bytes` and its length.
fn decode_one(bytes: &[u8]) -> Option<(Spooled, usize)> {
    let described = &bytes[4..HEADER_BYTES - 4];
    let seq = u64::from_le_bytes(described[..8].try_into().ok()?);
    let mut lens = [None; SECTIONS];
    for (n, len) in lens.iter_mut().enumerate() {
        let at = 8 + 4 * n;
        let value = u32::from_le_bytes(described[at..at + 4].try_into().ok()?);
        *len = (value != u32::MAX).then_some(value as usize);
    }
    let crc = u32::from_le_bytes(bytes[HEADER_BYTES - 4..HEADER_BYTES].try_into().ok()?);
    let total: usize = lens.iter().flatten().sum();
    let payload = bytes.get(HEADER_BYTES..HEADER_BYTES + total)?;
    let mut check = crc32fast::Hasher::new();
    check.update(described);
    check.update(payload);
    if check.finalize() != crc {
        return None;
    }
    let mut sections = [None::<&[u8]>; SECTIONS];
    let mut at = 0;
    for (section, len) in sections.iter_mut().zip(lens) {
        if let Some(len) = len {
            *section = Some(&payload[at..at + len]);
            at += len;
        }
    }
    let [Some(json), Some(body), full, raw] = sections else {
        return None;
    };
    let mut record = serde_json::from_slice::<MessageRecord>(json).ok()?;
    let body = String::from_utf8(body.to_vec()).ok()?;
    if let Some(email) = record.message.email.as_mut() {
        email.full_body = match full {
            Some(full) => String::from_utf8(full.to_vec()).ok()?,
            None => body.clone(),
        };
    }
    record.message.body = body;
    record.original = raw.map(<[u8]>::to_vec);
    Some((Spooled { seq, record }, HEADER_BYTES + total))
}
