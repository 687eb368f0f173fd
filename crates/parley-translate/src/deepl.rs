//! DeepL (HTTP API with a key): `POST /v2/translate` with `Authorization: DeepL-Auth-Key …` and
//! `{"text": [...], "source_lang": "FR", "target_lang": "EN-GB"}`, answering
//! `{"translations": [{"detected_source_language": …, "text": …}]}`. DeepL covers all nine
//! languages both ways; English and Portuguese targets need a variant (EN-GB, PT-PT).

use parley_domain::LanguageCode;
use serde::Deserialize;
use serde_json::json;

use crate::{TranslateError, engine_error, http_client};

const NAME: &str = "deepl";

/// DeepL's API: `https://api-free.deepl.com` or `https://api.deepl.com`, and the key.
#[derive(Debug, Clone)]
pub struct DeepL {
    base: String,
    key: String,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct Response {
    translations: Vec<Translation>,
}

#[derive(Deserialize)]
struct Translation {
    text: String,
}

fn target_code(language: LanguageCode) -> &'static str {
    match language {
        LanguageCode::En => "EN-GB",
        LanguageCode::Pt => "PT-PT",
        LanguageCode::Fr => "FR",
        LanguageCode::De => "DE",
        LanguageCode::Es => "ES",
        LanguageCode::It => "IT",
        LanguageCode::Ru => "RU",
        LanguageCode::Zh => "ZH",
        LanguageCode::Ja => "JA",
    }
}

impl DeepL {
    #[must_use]
    pub fn new(base: &str, key: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            key: key.to_owned(),
            client: http_client(),
        }
    }

    pub(crate) const NAME: &'static str = NAME;

    /// Every pair of the nine languages.
    #[must_use]
    pub fn pairs() -> Vec<(LanguageCode, LanguageCode)> {
        let mut pairs = Vec::new();
        for from in LanguageCode::ALL {
            for to in LanguageCode::ALL {
                if from != to {
                    pairs.push((from, to));
                }
            }
        }
        pairs
    }

    pub async fn translate(
        &self,
        text: &str,
        from: LanguageCode,
        to: LanguageCode,
    ) -> Result<String, TranslateError> {
        let body = json!({
            "text": [text],
            "source_lang": from.code().to_ascii_uppercase(),
            "target_lang": target_code(to),
        });
        let response: Response = self
            .client
            .post(format!("{}/v2/translate", self.base))
            .header("Authorization", format!("DeepL-Auth-Key {}", self.key))
            .json(&body)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| engine_error(NAME, e))?
            .json()
            .await
            .map_err(|e| engine_error(NAME, e))?;
        response
            .translations
            .into_iter()
            .next()
            .map(|t| t.text)
            .ok_or_else(|| engine_error(NAME, "no translation in the answer"))
    }
}
