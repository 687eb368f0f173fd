//! Translating a message on the request page: a language picker and *Translate* on each
//! message from the other side; the translation shows under the original, which stays in place
//! (before and after, one click apart). With htmx the translation arrives in place; without,
//! the page comes back with it.

use crate::ids::Id;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::translate::TranslationView;
use parley_app::{AppError, Caller};
use parley_domain::{AuthorKind, LanguageCode, Message, MessageId};
use serde::Deserialize;

use super::request_page::parse_id;
use super::session::SignedForm;
use super::{PageError, Tr, render};
use crate::AppState;

/// The nine languages, by their own names (those of the pages' switcher).
pub const NINE: [(&str, &str); 9] = super::i18n::OFFERED;

/// The picker under one message.
pub struct TranslateForm {
    pub message: String,
    /// Preset: the reader's language, or when the message is in it already, another.
    pub target: &'static str,
    /// The languages a configured engine can translate the text into (never its own), by
    /// their own names: no option that can only fail.
    pub targets: Vec<(&'static str, &'static str)>,
}

/// Who reads the page, as translation needs it.
#[derive(Clone, Copy)]
pub struct Reader {
    pub buyer: bool,
    pub language: LanguageCode,
    /// Per source language (in [`LanguageCode::ALL`]'s order), the targets an engine covers,
    /// as bits in the same order.
    targets: [u16; 9],
}

impl Reader {
    /// The reader, and what the engines can translate (as they listed it; all while unknown).
    pub fn of(caller: &Caller, app: &parley_app::App) -> Self {
        let (buyer, language) = match caller {
            Caller::Buyer(b) => (true, b.language),
            Caller::Member(m) => (false, m.language),
            Caller::Marketplace(_) => (false, LanguageCode::En),
        };
        let bits = |languages: &[LanguageCode]| {
            LanguageCode::ALL
                .iter()
                .enumerate()
                .filter(|(_, l)| languages.contains(l))
                .fold(0u16, |bits, (i, _)| bits | 1 << i)
        };
        let targets = LanguageCode::ALL.map(|source| {
            app.translation_targets(source)
                .map_or_else(|| bits(&LanguageCode::ALL) & !bits(&[source]), |t| bits(&t))
        });
        Self {
            buyer,
            language,
            targets,
        }
    }

    /// The picker for messages from the other side.
    pub fn form_for(&self, message: &Message) -> Option<TranslateForm> {
        let from_buyer = message.author_kind == AuthorKind::Buyer;
        (from_buyer != self.buyer)
            .then(|| self.picker(message.id.to_string(), message.language))
            .flatten()
    }

    /// A picker for a text in `source`, preset to the reader's language (or, when the text is
    /// in it or cannot be translated into it, English, else the first that can); none when no
    /// engine can translate the text at all.
    pub fn picker(&self, message: String, source: LanguageCode) -> Option<TranslateForm> {
        let index = |language: LanguageCode| {
            LanguageCode::ALL
                .iter()
                .position(|l| *l == language)
                .unwrap_or_default()
        };
        let covered = self.targets[index(source)];
        let targets: Vec<(&'static str, &'static str)> = LanguageCode::ALL
            .into_iter()
            .filter(|to| *to != source && covered & (1 << index(*to)) != 0)
            .filter_map(|to| NINE.iter().find(|(code, _)| *code == to.code()).copied())
            .collect();
        let offered = |language: LanguageCode| targets.iter().any(|(c, _)| *c == language.code());
        let target = [self.language, LanguageCode::En, LanguageCode::Fr]
            .into_iter()
            .find(|l| offered(*l))
            .map(LanguageCode::code)
            .or_else(|| targets.first().map(|(code, _)| *code))?;
        Some(TranslateForm {
            message,
            target,
            targets,
        })
    }
}

/// A translation under its message.
#[derive(Template)]
#[template(
    source = "<details class=\"translation\" open><summary>{{ label }}</summary>\
              <p class=\"text\" lang=\"{{ target }}\">{{ text }}</p></details>",
    ext = "html"
)]
pub struct TranslationFragment {
    pub label: String,
    pub target: String,
    pub text: String,
}

impl TranslationFragment {
    pub fn new(tr: &Tr, view: &TranslationView) -> Self {
        // Languages as the reader's language names them ("Traduit : espagnol → anglais").
        let name = |code: LanguageCode| tr.t(&format!("language-name-{}", code.code()));
        let mut label = tr.t2(
            "translation-label",
            ("from", &name(view.source)),
            ("to", &name(view.target)),
        );
        label.push_str(&format!(" · {}", view.engine));
        if let Some(via) = view.via {
            label.push_str(&format!(
                " · {}",
                tr.t1("translation-via", "via", name(via))
            ));
        }
        Self {
            label,
            target: view.target.code().to_owned(),
            text: view.text.clone(),
        }
    }
}

/// An error in place of the translation (a pair nobody covers, an engine down).
#[derive(Template)]
#[template(
    source = "<p class=\"error\" role=\"alert\">{{ text }}</p>",
    ext = "html"
)]
pub struct TranslationError {
    pub text: String,
}

impl TranslationError {
    /// What to say for `error`: the field errors (a pair nobody covers…), else that the
    /// engines do not answer.
    fn of(tr: &Tr, error: &AppError) -> Self {
        let text = match error {
            AppError::Invalid(errors) => errors
                .iter()
                .map(|e| tr.error(e, 0))
                .collect::<Vec<_>>()
                .join(" "),
            _ => tr.t("translation-down"),
        };
        Self { text }
    }
}

#[derive(Deserialize)]
pub struct TranslateForm2 {
    target: String,
    /// The request page to come back to without htmx.
    request: String,
}

pub async fn translate(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    Id(id): Id<MessageId>,
    SignedForm { signed_in, form }: SignedForm<TranslateForm2>,
) -> Result<Response, PageError> {
    if !headers.contains_key("hx-request") {
        // Without htmx the page comes back and shows the translation (from the cache) or why
        // there is none.
        let request: parley_domain::RequestId = parse_id(&form.request)?;
        let to = super::url_encode(form.target.trim());
        return Ok(Redirect::to(&format!(
            "/requests/{request}?translated={id}&to={to}#m-{id}"
        ))
        .into_response());
    }
    let result = state
        .app
        .translate_message(signed_in.caller(), id, &form.target)
        .await;
    fragment(&tr, result)
}

#[derive(Deserialize)]
pub struct RequestTranslateForm {
    target: String,
}

/// *Translate* under the request's own text (the buyer's first message).
pub async fn translate_request(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    Id(id): Id<parley_domain::RequestId>,
    SignedForm { signed_in, form }: SignedForm<RequestTranslateForm>,
) -> Result<Response, PageError> {
    if !headers.contains_key("hx-request") {
        let to = super::url_encode(form.target.trim());
        return Ok(Redirect::to(&format!(
            "/requests/{id}?translated=request&to={to}#t-request"
        ))
        .into_response());
    }
    let result = state
        .app
        .translate_request(signed_in.caller(), id, &form.target)
        .await;
    fragment(&tr, result)
}

/// The translation, or why there is none, as htmx puts it in place.
fn fragment(tr: &Tr, result: Result<TranslationView, AppError>) -> Result<Response, PageError> {
    match result {
        Ok(view) => Ok(render(&TranslationFragment::new(tr, &view))),
        Err(error @ (AppError::Invalid(_) | AppError::Unavailable(_))) => {
            Ok(render(&TranslationError::of(tr, &error)))
        }
        Err(other) => Err(other.into()),
    }
}

/// The translation (or why there is none) a page shows under message `id` — or under the
/// request's own text when `id` is `request` — rendered.
pub async fn shown(
    state: &AppState,
    caller: &Caller,
    tr: &Tr,
    request: parley_domain::RequestId,
    id: &str,
    to: &str,
) -> Option<String> {
    let result = if id == "request" {
        state.app.translate_request(caller, request, to).await
    } else {
        let id: MessageId = id.parse().ok()?;
        state.app.translate_message(caller, id, to).await
    };
    let html = match result {
        Ok(view) => TranslationFragment::new(tr, &view).render(),
        Err(error) => TranslationError::of(tr, &error).render(),
    };
    html.ok()
}
