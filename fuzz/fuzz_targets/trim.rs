//! The reply trimmer on arbitrary text: no panic, and it only ever removes lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let trimmed = parley_mail::trim_reply(&text);
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    // Every line kept is a line of the input.
    for line in trimmed.lines() {
        assert!(normalised.contains(line), "invented line {line:?}");
    }
});
