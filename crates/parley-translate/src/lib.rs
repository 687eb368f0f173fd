//! Machine translation (guide section 7): every message can be translated into the 9 languages
//! Parley speaks. Engines are self-hosted first — Apertium APY, offline, the default — with
//! LibreTranslate and DeepL as HTTP backends; several run at once, chosen per language pair,
//! and a pair none covers directly is reached through a pivot language when the engines allow
//! it. A pair nobody covers is an error, never a fake translation.

mod apertium;
mod deepl;
pub mod detect;
mod libretranslate;
mod local_apy;
mod router;

pub use apertium::Apertium;
pub use deepl::DeepL;
pub use libretranslate::LibreTranslate;
pub use local_apy::LocalApy;
pub use router::{Engine, EngineCalls, Translated, Translators};

use parley_domain::LanguageCode;

/// Why a translation could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    /// No configured engine covers the pair, directly or through a pivot.
    #[error("translation not available for {from} → {to} with the configured engines")]
    Unavailable {
        from: LanguageCode,
        to: LanguageCode,
    },
    /// An engine failed (down, refused the key, answered garbage).
    #[error("{engine}: {message}")]
    Engine {
        engine: &'static str,
        message: String,
    },
}

pub(crate) fn engine_error(
    engine: &'static str,
    message: impl std::fmt::Display,
) -> TranslateError {
    TranslateError::Engine {
        engine,
        message: message.to_string(),
    }
}

/// One HTTP client for every engine: short timeouts, so a dead engine fails a translation
/// rather than hanging a page.
pub(crate) fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(3))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap_or_default()
}
