//! The configured engines, and the route a translation takes: the first engine with the pair,
//! else a pivot through a language two engines (or one) can bridge.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use parley_domain::LanguageCode;
use tokio::sync::RwLock;

use crate::{Apertium, DeepL, LibreTranslate, TranslateError};

/// One engine.
#[derive(Debug, Clone)]
pub enum Engine {
    Apertium(Apertium),
    LibreTranslate(LibreTranslate),
    DeepL(DeepL),
}

impl Engine {
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Apertium(_) => Apertium::NAME,
            Self::LibreTranslate(_) => LibreTranslate::NAME,
            Self::DeepL(_) => DeepL::NAME,
        }
    }

    async fn pairs(&self) -> Result<Vec<(LanguageCode, LanguageCode)>, TranslateError> {
        match self {
            Self::Apertium(engine) => engine.pairs().await,
            Self::LibreTranslate(engine) => engine.pairs().await,
            Self::DeepL(_) => Ok(DeepL::pairs()),
        }
    }

    async fn translate(
        &self,
        text: &str,
        from: LanguageCode,
        to: LanguageCode,
    ) -> Result<String, TranslateError> {
        match self {
            Self::Apertium(engine) => engine.translate(text, from, to).await,
            Self::LibreTranslate(engine) => engine.translate(text, from, to).await,
            Self::DeepL(engine) => engine.translate(text, from, to).await,
        }
    }
}

/// A translation and how it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    pub text: String,
    /// The engine, or `first+second` for a pivot through two engines.
    pub engine: String,
    /// The pivot language, when there was one.
    pub via: Option<LanguageCode>,
}

/// The route of one translation, by engine index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Direct(usize),
    Pivot(usize, LanguageCode, usize),
}

/// Pivot languages, most useful first (Apertium's pairs centre on Spanish).
const PIVOTS: [LanguageCode; 4] = [
    LanguageCode::Es,
    LanguageCode::En,
    LanguageCode::Fr,
    LanguageCode::Pt,
];

/// The route for `from → to` given each engine's pairs: direct on the first engine that has
/// it, else through one pivot language.
#[must_use]
pub fn plan(pairs: &[Pairs], from: LanguageCode, to: LanguageCode) -> Option<Route> {
    let find = |a: LanguageCode, b: LanguageCode| pairs.iter().position(|p| p.contains(&(a, b)));
    if let Some(engine) = find(from, to) {
        return Some(Route::Direct(engine));
    }
    PIVOTS
        .iter()
        .chain(LanguageCode::ALL.iter())
        .filter(|via| **via != from && **via != to)
        .find_map(|via| Some(Route::Pivot(find(from, *via)?, *via, find(*via, to)?)))
}

/// The (source, target) pairs one engine serves.
pub type Pairs = Vec<(LanguageCode, LanguageCode)>;

/// The configured engines, in order of preference, with the pairs each serves (asked once,
/// asked again while an engine does not answer).
#[derive(Debug)]
pub struct Translators {
    engines: Vec<Engine>,
    /// Per engine; `None` until the engine has answered.
    pairs: RwLock<Vec<Option<Pairs>>>,
    /// Calls to the engines, for `/metrics`: by engine and outcome, how many and how long.
    calls: Mutex<BTreeMap<(&'static str, &'static str), EngineCalls>>,
}

/// Calls to one engine with one outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EngineCalls {
    pub count: u64,
    pub seconds: f64,
}

impl Translators {
    #[must_use]
    pub fn new(engines: Vec<Engine>) -> Self {
        let pairs = RwLock::new(vec![None; engines.len()]);
        Self {
            engines,
            pairs,
            calls: Mutex::default(),
        }
    }

    /// Calls to the engines so far: (engine, `ok` or `error`, count and seconds).
    #[must_use]
    pub fn calls(&self) -> Vec<(&'static str, &'static str, EngineCalls)> {
        self.calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(&(engine, outcome), calls)| (engine, outcome, *calls))
            .collect()
    }

    /// One engine's translation, counted and timed.
    async fn call(
        &self,
        engine: &Engine,
        text: &str,
        from: LanguageCode,
        to: LanguageCode,
    ) -> Result<String, TranslateError> {
        let started = Instant::now();
        let result = engine.translate(text, from, to).await;
        let outcome = if result.is_ok() { "ok" } else { "error" };
        let mut calls = self
            .calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = calls.entry((engine.name(), outcome)).or_default();
        entry.count += 1;
        entry.seconds += started.elapsed().as_secs_f64();
        result
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.engines.is_empty()
    }

    /// The languages `from` can be translated into, by the pairs the engines listed — without
    /// asking any engine, so a page can show only the targets that can work. `None` while an
    /// engine has not listed its pairs (not yet asked, or not answering): anything may work.
    #[must_use]
    pub fn targets(&self, from: LanguageCode) -> Option<Vec<LanguageCode>> {
        let listed = self.pairs.try_read().ok()?;
        let pairs: Vec<Pairs> = listed.iter().cloned().collect::<Option<_>>()?;
        Some(
            LanguageCode::ALL
                .into_iter()
                .filter(|to| *to != from && plan(&pairs, from, *to).is_some())
                .collect(),
        )
    }

    /// Asks the engines that have not listed their pairs yet (at start: pages then know what
    /// each language can be translated into).
    pub async fn list_pairs(&self) {
        self.known_pairs().await;
    }

    async fn known_pairs(&self) -> Vec<Pairs> {
        {
            let pairs = self.pairs.read().await;
            if pairs.iter().all(Option::is_some) {
                return pairs
                    .iter()
                    .map(|p| p.clone().unwrap_or_default())
                    .collect();
            }
        }
        let mut pairs = self.pairs.write().await;
        for (slot, engine) in pairs.iter_mut().zip(&self.engines) {
            if slot.is_none() {
                match engine.pairs().await {
                    Ok(found) => *slot = Some(found),
                    Err(error) => {
                        tracing::warn!(%error, "translation engine did not list its pairs")
                    }
                }
            }
        }
        pairs
            .iter()
            .map(|p| p.clone().unwrap_or_default())
            .collect()
    }

    /// Translates `text`, or says that no engine covers the pair.
    pub async fn translate(
        &self,
        text: &str,
        from: LanguageCode,
        to: LanguageCode,
    ) -> Result<Translated, TranslateError> {
        let pairs = self.known_pairs().await;
        match plan(&pairs, from, to) {
            Some(Route::Direct(engine)) => {
                let engine = &self.engines[engine];
                Ok(Translated {
                    text: self.call(engine, text, from, to).await?,
                    engine: engine.name().to_owned(),
                    via: None,
                })
            }
            Some(Route::Pivot(first, via, second)) => {
                let (first, second) = (&self.engines[first], &self.engines[second]);
                let halfway = self.call(first, text, from, via).await?;
                let text = self.call(second, &halfway, via, to).await?;
                let engine = if first.name() == second.name() {
                    first.name().to_owned()
                } else {
                    format!("{}+{}", first.name(), second.name())
                };
                Ok(Translated {
                    text,
                    engine,
                    via: Some(via),
                })
            }
            None => Err(TranslateError::Unavailable { from, to }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LanguageCode::*;

    #[test]
    fn routes_prefer_a_direct_pair_then_a_pivot() {
        let apertium = vec![(Fr, Es), (Es, Fr), (Es, En), (En, Es), (Es, It), (It, Es)];
        let libre = vec![(De, En), (En, De)];
        let pairs = vec![apertium, libre];
        assert_eq!(plan(&pairs, Fr, Es), Some(Route::Direct(0)));
        assert_eq!(plan(&pairs, Fr, En), Some(Route::Pivot(0, Es, 0)));
        assert_eq!(plan(&pairs, De, Es), Some(Route::Pivot(1, En, 0)));
        assert_eq!(plan(&pairs, Fr, Ja), None);
        assert_eq!(plan(&[], Fr, Es), None);
    }

    #[tokio::test]
    async fn targets_are_known_once_every_engine_listed_its_pairs() {
        let translators = Translators::new(Vec::new());
        assert_eq!(
            translators.targets(Fr),
            Some(Vec::new()),
            "no engine, no target"
        );
        let translators = Translators {
            engines: Vec::new(),
            pairs: RwLock::new(vec![Some(vec![(Fr, Es), (Es, Fr), (Es, En)]), None]),
            calls: Mutex::default(),
        };
        assert_eq!(translators.targets(Fr), None, "an engine has not said yet");
        *translators.pairs.write().await =
            vec![Some(vec![(Fr, Es), (Es, Fr), (Es, En)]), Some(vec![])];
        assert_eq!(
            translators.targets(Fr),
            Some(vec![En, Es]),
            "direct, and through Spanish"
        );
        assert_eq!(translators.targets(Ja), Some(Vec::new()));
    }
}
