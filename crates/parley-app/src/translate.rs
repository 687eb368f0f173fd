//! Translating a message (guide section 7) for a reader who may read it: from the cache when
//! any reader asked before, else through the configured engines; the history records who
//! translated what, once per reader and message.

use parley_domain::policy::{Action, can};
use parley_domain::{EventKind, LanguageCode, MessageId, RequestId};
use parley_store::events;
use parley_store::translations::{self, StoredTranslation};
pub use parley_translate::EngineCalls;
use parley_translate::TranslateError;
use serde_json::json;

use crate::events::new_event;
use crate::{App, AppError, Caller, now};

/// A translation as the reader gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslationView {
    pub source: LanguageCode,
    pub target: LanguageCode,
    pub text: String,
    pub engine: String,
    /// The pivot language, when the engines had no direct pair (the page says so).
    pub via: Option<LanguageCode>,
    /// Served from the cache.
    pub cached: bool,
}

/// The language asked for, for a person (a marketplace's key reads no conversation).
fn reader_target(caller: &Caller, target: &str) -> Result<LanguageCode, AppError> {
    let target = LanguageCode::parse(target.trim())
        .map_err(|e| AppError::invalid("target", "language_invalid", e.to_string()))?;
    if matches!(caller, Caller::Marketplace(_)) {
        return Err(AppError::NotFound);
    }
    Ok(target)
}

impl App {
    /// The translation engines' calls so far (engine, `ok` or `error`, count and seconds), for
    /// `/metrics`.
    #[must_use]
    pub fn translation_calls(&self) -> Vec<(&'static str, &'static str, EngineCalls)> {
        self.translators.calls()
    }

    /// The languages a text in `source` can be translated into here, as the engines listed
    /// them (no engine is asked); `None` while they have not all said, when any may work.
    #[must_use]
    pub fn translation_targets(&self, source: LanguageCode) -> Option<Vec<LanguageCode>> {
        self.translators.targets(source)
    }

    /// Asks the translation engines which languages they cover (at start).
    pub async fn list_translation_pairs(&self) {
        self.translators.list_pairs().await;
    }

    /// Translates message `id` into `target` for `caller`.
    pub async fn translate_message(
        &self,
        caller: &Caller,
        id: MessageId,
        target: &str,
    ) -> Result<TranslationView, AppError> {
        let target = reader_target(caller, target)?;
        let key = format!("translated:{id}:{}", caller.viewer_key());
        let reader = match caller {
            Caller::Member(member) => Some(member.id),
            _ => None,
        };
        let mut conn = self.store.read().await?;
        let message = translations::to_translate(&mut conn, id, target, &key, reader)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        // The one policy decides; the query brought exactly the facts `ReadThread` needs (the
        // thread's party, the buyer, the reader's grant on that party), so the cached path is
        // a single statement.
        let party = message.party;
        if !can(
            &caller.principal(),
            Action::ReadThread(party),
            &message.parties,
        ) {
            return Err(AppError::NotFound);
        }
        if message.language == target {
            return Err(AppError::invalid(
                "target",
                "same_language",
                format!("This message is already in {target}."),
            ));
        }
        let (translation, cached) = match message.cached {
            Some(found) => (found, true),
            None => (
                self.engine_translation(&message.body, message.language, target)
                    .await?,
                false,
            ),
        };
        if !cached || !message.recorded {
            // Buyers translate sellers' messages; sellers (and their forwardees) translate the
            // buyer's: one event per reader and message, whatever the target.
            let kind = match caller {
                Caller::Buyer(_) => EventKind::BuyerTranslated,
                _ => EventKind::MessageTranslated,
            };
            let event = new_event(
                message.request_id,
                Some(party),
                kind,
                caller.actor(),
                json!({
                    "message_id": id,
                    "from": message.language,
                    "to": target,
                    "engine": translation.engine,
                    "via": translation.via,
                }),
                now(),
            );
            let store_it = (!cached).then(|| translation.clone());
            let record = !message.recorded;
            self.store
                .write((event, key, store_it), move |tx, (event, key, store_it)| {
                    Box::pin(async move {
                        if let Some(translation) = store_it {
                            translations::insert(tx, id, target, translation, event.created_at)
                                .await?;
                        }
                        if record {
                            events::append(tx, event, Some(key)).await?;
                        }
                        Ok::<_, parley_store::StoreError>(())
                    })
                })
                .await?;
        }
        Ok(TranslationView {
            source: message.language,
            target,
            text: translation.text,
            engine: translation.engine,
            via: translation.via,
            cached,
        })
    }

    /// The engines' translation of `text`: unavailable pairs are a field error (the picker
    /// should not have offered them), an engine that fails is 503.
    async fn engine_translation(
        &self,
        text: &str,
        from: LanguageCode,
        to: LanguageCode,
    ) -> Result<StoredTranslation, AppError> {
        let made =
            self.translators
                .translate(text, from, to)
                .await
                .map_err(|error| match error {
                    TranslateError::Unavailable { .. } => {
                        AppError::invalid("target", "translation_unavailable", error.to_string())
                    }
                    TranslateError::Engine { .. } => AppError::Unavailable(error.to_string()),
                })?;
        Ok(StoredTranslation {
            text: made.text,
            engine: made.engine,
            via: made.via,
        })
    }

    /// Translates a request's own text (the buyer's first message) for anyone who may see the
    /// request — its sellers, across the wall like the text itself, and the buyer — from the
    /// stored translations when any reader asked before.
    pub async fn translate_request(
        &self,
        caller: &Caller,
        id: RequestId,
        target: &str,
    ) -> Result<TranslationView, AppError> {
        let target = reader_target(caller, target)?;
        crate::requests::authorize(&self.store, caller, id, Action::ViewRequest).await?;
        let mut conn = self.store.read().await?;
        let request = translations::request_to_translate(&mut conn, id, target)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        if request.language == target {
            return Err(AppError::invalid(
                "target",
                "same_language",
                format!("This request is already in {target}."),
            ));
        }
        let (translation, cached) = match request.cached {
            Some(found) => (found, true),
            None => {
                let made = self
                    .engine_translation(&request.text, request.language, target)
                    .await?;
                let stored = made.clone();
                self.store
                    .write(stored, move |tx, stored| {
                        Box::pin(translations::insert_for_request(
                            tx,
                            id,
                            target,
                            stored,
                            now(),
                        ))
                    })
                    .await?;
                (made, false)
            }
        };
        Ok(TranslationView {
            source: request.language,
            target,
            text: translation.text,
            engine: translation.engine,
            via: translation.via,
            cached,
        })
    }
}
