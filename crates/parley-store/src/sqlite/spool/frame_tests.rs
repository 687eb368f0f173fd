//! The spool's frames read back: whole, numbered on from a segment's header, a torn or
//! damaged tail left unread.

use super::frame::{HEADER_BYTES, decode};
use super::tests::{frames, numbered, record};
use super::*;

#[test]
fn frames_read_back_whole_and_a_torn_or_damaged_tail_is_not_read() {
    let mut records = [
        record("first", Some(b"raw \x00\xff bytes")),
        record("second \"quoted\"", None),
        record("third ünïcode", Some(b"")),
    ];
    // The whole text may be the body itself, or there may be no email at all.
    if let Some(email) = records[1].message.email.as_mut() {
        email.full_body = records[1].message.body.clone();
    }
    records[2].message.email = None;
    let bytes = frames(&records);
    let read = decode(&bytes);
    assert_eq!(read.len(), 3);
    for (spooled, record) in read.iter().zip(&records) {
        assert_eq!(spooled.record.message, record.message);
        assert_eq!(spooled.record.original, record.original);
        assert_eq!(spooled.record.sent, record.sent);
    }
    assert_eq!(read.iter().map(|s| s.seq).collect::<Vec<_>>(), [1, 2, 3]);

    // A power cut in the middle of the last append: that append was never acknowledged.
    assert_eq!(decode(&bytes[..bytes.len() - 3]).len(), 2);
    // Zeroed space after the frames (preallocation) ends the log.
    let mut padded = bytes.clone();
    padded.extend_from_slice(&[0; 4096]);
    assert_eq!(decode(&padded).len(), 3);
    // A damaged byte in the second frame: its checksum fails, and nothing after it is read.
    let first_len = frames(&records[..1]).len();
    let mut damaged = bytes;
    damaged[first_len + HEADER_BYTES + 5] ^= 0x20;
    assert_eq!(decode(&damaged).len(), 1);
}

#[test]
fn a_segment_reads_only_the_frames_numbered_on_from_its_header() {
    let records = [
        record("aaaa", None),
        record("bbbb", None),
        record("cccc", None),
    ];
    // A recycled segment: the new life's header and one frame (seq 10), written over the
    // earlier life's frames (seq 5, 6, 7), the same size, so the next old frame starts
    // exactly where the new one ends.
    let old = [frame::segment_header(5).as_slice(), &numbered(5, &records)].concat();
    let mut recycled = old.clone();
    let new = [
        frame::segment_header(10).as_slice(),
        &numbered(10, &records[2..]),
    ]
    .concat();
    recycled[..new.len()].copy_from_slice(&new);
    assert_eq!(
        decode_segment(&old).len(),
        3,
        "the earlier life, read whole"
    );
    let read = decode_segment(&recycled);
    assert_eq!(read.iter().map(|s| s.seq).collect::<Vec<_>>(), [10]);
    assert_eq!(read[0].record.message, records[2].message);
    // The old frames after it are whole and valid: only their numbers end the reading.
    assert_eq!(decode(&recycled[frame::SEGMENT_HEADER_BYTES..]).len(), 3);

    // A damaged header: nothing in the segment can be trusted to be this life's.
    let mut damaged = recycled;
    damaged[6] ^= 1;
    assert!(decode_segment(&damaged).is_empty());
}
