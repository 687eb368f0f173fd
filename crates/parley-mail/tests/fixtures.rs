//! The 32 real-world replies of `tests/fixtures/email-replies` (from discourse's
//! email_reply_trimmer suite, MIT): each email must trim to its expected reply exactly.

use std::path::Path;

#[test]
fn every_fixture_trims_to_its_expected_reply() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/email-replies");
    let mut failures = Vec::new();
    let mut count = 0;
    let mut names: Vec<_> = std::fs::read_dir(root.join("emails"))
        .expect("fixtures folder")
        .map(|e| e.expect("entry").file_name())
        .collect();
    names.sort();
    for name in names {
        count += 1;
        let email = std::fs::read_to_string(root.join("emails").join(&name)).expect("email");
        let expected = std::fs::read_to_string(root.join("trimmed").join(&name)).expect("trimmed");
        let got = parley_mail::trim_reply(email.trim());
        if got.trim() != expected.trim() {
            failures.push(format!(
                "--- {}\nexpected:\n{}\ngot:\n{}\n",
                name.to_string_lossy(),
                expected.trim(),
                got.trim()
            ));
        }
    }
    assert_eq!(count, 32, "all 32 fixtures are present");
    assert!(
        failures.is_empty(),
        "{} of 32 failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Shapes written for Parley from what held-out real replies showed: an attribution that
/// starts with an ISO date and names nobody's verb, invisible characters after a signature, a
/// forward whose header block starts the body, deep chains of attributions (top- and
/// bottom-posted), and an answer written under the quote it answers.
#[test]
fn every_shape_trims_to_its_expected_reply() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shapes");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(root.join("emails")).expect("shapes folder") {
        let name = entry.expect("entry").file_name();
        let email = std::fs::read_to_string(root.join("emails").join(&name)).expect("email");
        let expected = std::fs::read_to_string(root.join("trimmed").join(&name)).expect("trimmed");
        let got = parley_mail::trim_reply(&email);
        if got != expected.trim() {
            failures.push(format!(
                "--- {}\nexpected:\n{}\ngot:\n{got}\n",
                name.to_string_lossy(),
                expected.trim()
            ));
        }
        checked += 1;
    }
    assert!(checked >= 7, "{checked} shapes");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
