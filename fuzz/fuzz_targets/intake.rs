//! Request intake on arbitrary text: parsing a marketplace's request never panics, and what it
//! accepts is fit for mail headers (no control characters, bounded lengths, valid address).
#![no_main]

use libfuzzer_sys::fuzz_target;
use parley_domain::intake::{NewRequest, parse_new_request};
use parley_domain::text::is_forbidden_in_line;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Fields separated by the unit separator, with sensible values where the input is short.
    let mut fields = text.split('\u{1f}').map(str::to_owned);
    let mut next = |fallback: &str| fields.next().unwrap_or_else(|| fallback.to_owned());
    let input = NewRequest {
        buyer_name: next("Ana"),
        buyer_company: Some(next("")),
        buyer_country: next("FR"),
        buyer_language: next("fr"),
        buyer_email: next("ana@buyer.example"),
        buyer_phone: Some(next("")),
        buyer_time_zone: Some(next("")),
        manufacturer_id: next("0190e8a0-0000-7000-8000-000000000000"),
        manufacturer_external_id: None,
        product_reference: next("HT-200"),
        product_name: next("Pump"),
        product_line: Some(next("")),
        message: next("Hello"),
        language: None,
        external_ref: Some(next("")),
    };
    if let Ok(parsed) = parse_new_request(input) {
        let lines = [
            Some(parsed.buyer.name.as_str()),
            parsed.buyer.company.as_deref(),
            parsed.buyer.phone.as_deref(),
            Some(parsed.product_name.as_str()),
            Some(parsed.product_reference.as_str()),
            parsed.product_line.as_deref(),
            parsed.external_ref.as_deref(),
        ];
        for line in lines.into_iter().flatten() {
            assert!(!line.chars().any(is_forbidden_in_line), "{line:?}");
            assert!(line.chars().count() <= parley_domain::text::NAME_MAX_CHARS);
            assert!(!line.trim().is_empty() && line.trim() == line);
        }
        assert!(!parsed.buyer.email.as_str().chars().any(char::is_control));
        assert!(!parsed.message.trim().is_empty());
    }
});
