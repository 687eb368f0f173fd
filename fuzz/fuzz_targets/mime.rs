//! MIME ingest on arbitrary bytes: parsing, text extraction, attachments and trimming never
//! panic, and the reply is made of lines of the email's text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(email) = parley_mail::parse_email(data) {
        let full = email.full_text.replace('\r', "\n");
        for line in email.reply_text.lines() {
            assert!(full.contains(line), "invented line {line:?}");
        }
    }
});
