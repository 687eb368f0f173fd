//! LibreTranslate (self-hosted HTTP API): `GET /languages` lists each source with its targets;
//! `POST /translate` takes `{q, source, target, format, api_key}` and answers
//! `{"translatedText": …}`.

use parley_domain::LanguageCode;
use serde::Deserialize;
use serde_json::json;

use crate::{TranslateError, engine_error, http_client};

const NAME: &str = "libretranslate";

/// A LibreTranslate server, with its API key when it requires one.
#[derive(Debug, Clone)]
pub struct LibreTranslate {
    base: String,
    key: Option<String>,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct Language {
    code: String,
    #[serde(default)]
    targets: Vec<String>,
}

#[derive(Deserialize)]
struct Translation {
    #[serde(rename = "translatedText")]
    text: String,
}

impl LibreTranslate {
    #[must_use]
    pub fn new(base: &str, key: Option<String>) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            key,
            client: http_client(),
        }
    }

    pub(crate) const NAME: &'static str = NAME;

    pub async fn pairs(&self) -> Result<Vec<(LanguageCode, LanguageCode)>, TranslateError> {
        let languages: Vec<Language> = self
            .client
            .get(format!("{}/languages", self.base))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| engine_error(NAME, e))?
            .json()
            .await
            .map_err(|e| engine_error(NAME, e))?;
        let mut pairs = Vec::new();
        for language in &languages {
            let Ok(from) = LanguageCode::parse(&language.code) else {
                continue;
            };
            for target in &language.targets {
                if let Ok(to) = LanguageCode::parse(target)
                    && to != from
                {
                    pairs.push((from, to));
                }
            }
        }
        Ok(pairs)
    }

    pub async fn translate(
        &self,
        text: &str,
        from: LanguageCode,
        to: LanguageCode,
    ) -> Result<String, TranslateError> {
        let mut body = json!({
            "q": text,
            "source": from.code(),
            "target": to.code(),
            "format": "text",
        });
        if let Some(key) = &self.key {
            body["api_key"] = json!(key);
        }
        let response: Translation = self
            .client
            .post(format!("{}/translate", self.base))
            .json(&body)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| engine_error(NAME, e))?
            .json()
            .await
            .map_err(|e| engine_error(NAME, e))?;
        Ok(response.text)
    }
}
