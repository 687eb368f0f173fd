//! Browser tests in a real Chromium (Debian's chromium + chromedriver, driven by fantoccini) at
//! a 390×844 phone viewport. `scripts/test` installs both and requires these tests to run;
//! elsewhere they are skipped when chromedriver is missing. Screenshots of each page are saved
//! under `target/browser-screenshots/`.

#[path = "../api/helpers.rs"]
#[allow(dead_code, unused_macros, unused_imports)] // the API tests' helpers, not all used here
mod helpers;

mod driver;
mod emails;
mod flows;
mod languages;
mod layout;
mod network;
mod quotes;
mod team;
mod translation;
