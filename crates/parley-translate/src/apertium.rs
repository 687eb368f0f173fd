//! Apertium APY (self-hosted, offline): `GET /listPairs`, `POST /translate` with
//! `q` and `langpair=fra|spa` (three-letter codes).

use parley_domain::LanguageCode;
use serde::Deserialize;

use crate::{TranslateError, engine_error, http_client};

const NAME: &str = "apertium";

/// An Apertium APY server.
#[derive(Debug, Clone)]
pub struct Apertium {
    base: String,
    client: reqwest::Client,
}

fn code3(language: LanguageCode) -> &'static str {
    match language {
        LanguageCode::Fr => "fra",
        LanguageCode::En => "eng",
        LanguageCode::De => "deu",
        LanguageCode::Es => "spa",
        LanguageCode::It => "ita",
        LanguageCode::Pt => "por",
        LanguageCode::Ru => "rus",
        LanguageCode::Zh => "zho",
        LanguageCode::Ja => "jpn",
    }
}

/// A three-letter code of APY's, without regional variants (`por_BR` is not `por`).
fn from_code3(code: &str) -> Option<LanguageCode> {
    LanguageCode::ALL.into_iter().find(|l| code3(*l) == code)
}

#[derive(Deserialize)]
struct PairList {
    #[serde(rename = "responseData")]
    data: Vec<Pair>,
}

#[derive(Deserialize)]
struct Pair {
    #[serde(rename = "sourceLanguage")]
    source: String,
    #[serde(rename = "targetLanguage")]
    target: String,
}

#[derive(Deserialize)]
struct Translation {
    #[serde(rename = "responseData")]
    data: TranslatedText,
}

#[derive(Deserialize)]
struct TranslatedText {
    #[serde(rename = "translatedText")]
    text: String,
}

impl Apertium {
    /// The APY server at `base` (`http://127.0.0.1:2737`).
    #[must_use]
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            client: http_client(),
        }
    }

    pub(crate) const NAME: &'static str = NAME;

    /// The pairs the server has installed.
    pub async fn pairs(&self) -> Result<Vec<(LanguageCode, LanguageCode)>, TranslateError> {
        let list: PairList = self
            .client
            .get(format!("{}/listPairs", self.base))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| engine_error(NAME, e))?
            .json()
            .await
            .map_err(|e| engine_error(NAME, e))?;
        Ok(list
            .data
            .iter()
            .filter_map(|p| Some((from_code3(&p.source)?, from_code3(&p.target)?)))
            .collect())
    }

    pub async fn translate(
        &self,
        text: &str,
        from: LanguageCode,
        to: LanguageCode,
    ) -> Result<String, TranslateError> {
        let pair = format!("{}|{}", code3(from), code3(to));
        let response: Translation = self
            .client
            .post(format!("{}/translate", self.base))
            .form(&[
                ("q", text),
                ("langpair", pair.as_str()),
                ("markUnknown", "no"),
            ])
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| engine_error(NAME, e))?
            .json()
            .await
            .map_err(|e| engine_error(NAME, e))?;
        Ok(response.data.text)
    }
}
