//! The network's response ratings, as the page and the API show them: summed by the database
//! (a second at a million requests) at most once a minute per manufacturer and period, and
//! served from memory in between. Everything shown is as of `computed_at`, which the page
//! states: counters could be kept current on every write, but each write path (and PostgreSQL's
//! concurrent intake, on one counter row per manufacturer) would pay for a page read rarely.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use parley_domain::rating::{Rating, Tally};
use parley_domain::{OrganizationId, Timestamp};

use crate::{App, AppError, now};

const DAY_MS: i64 = 24 * 3600 * 1000;
/// Past this many manufacturer-and-period entries the cache starts over.
const MAX_ENTRIES: usize = 1_000;
/// Figures older than this many times the maximum age are not shown while new ones are
/// computed: the first visit after a quiet hour waits for current figures.
const STALE_FACTOR: u32 = 5;

/// One manufacturer's ratings over one period.
#[derive(Debug, Clone)]
pub struct NetworkRatings {
    pub computed_at: Timestamp,
    /// Each party's own figures (members, past members and the manufacturer), reviews included.
    pub parties: HashMap<OrganizationId, Rating>,
    /// The network's: every party's but the manufacturer's.
    pub network: Rating,
}

impl NetworkRatings {
    /// A party's figures; all zero when it received nothing in the period.
    #[must_use]
    pub fn of(&self, party: OrganizationId) -> Rating {
        self.parties
            .get(&party)
            .cloned()
            .unwrap_or_else(|| Rating::from_tally(Tally::default(), None))
    }
}

struct Entry {
    ratings: Arc<NetworkRatings>,
    at: Instant,
    refreshing: bool,
}

/// The computed ratings, by manufacturer and period (days; `None` for all time).
#[derive(Default)]
pub(crate) struct RatingsCache {
    entries: Mutex<HashMap<(OrganizationId, Option<u32>), Entry>>,
}

impl RatingsCache {
    fn entries(&self) -> MutexGuard<'_, HashMap<(OrganizationId, Option<u32>), Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl App {
    /// `manufacturer`'s ratings over the last `days` days: computed now when none younger than
    /// [`STALE_FACTOR`] × `ratings_max_age` is at hand; otherwise the figures at hand, computed
    /// again in the background once older than `ratings_max_age` (one computation at a time per
    /// manufacturer and period).
    pub(crate) async fn network_ratings(
        &self,
        manufacturer: OrganizationId,
        days: Option<u32>,
    ) -> Result<Arc<NetworkRatings>, AppError> {
        let max_age = self.settings.ratings_max_age;
        let key = (manufacturer, days);
        {
            let mut entries = self.ratings.entries();
            if let Some(entry) = entries.get_mut(&key)
                && !max_age.is_zero()
                && entry.at.elapsed() < max_age * STALE_FACTOR
            {
                if entry.at.elapsed() >= max_age && !entry.refreshing {
                    entry.refreshing = true;
                    let app = self.clone();
                    tokio::spawn(async move {
                        if let Err(error) = app.compute_ratings(manufacturer, days).await {
                            tracing::error!(error = %error.chain(), "computing network ratings");
                            if let Some(entry) = app.ratings.entries().get_mut(&key) {
                                entry.refreshing = false;
                            }
                        }
                    });
                }
                return Ok(Arc::clone(&entry.ratings));
            }
        }
        self.compute_ratings(manufacturer, days).await
    }

    async fn compute_ratings(
        &self,
        manufacturer: OrganizationId,
        days: Option<u32>,
    ) -> Result<Arc<NetworkRatings>, AppError> {
        let at = now();
        let from = days.map_or(0, |d| at.0 - i64::from(d) * DAY_MS);
        let window = i64::from(self.settings.response_window_days) * DAY_MS;
        let mut conn = self.store.read().await?;
        let tallies =
            parley_store::ratings::tallies(&mut conn, manufacturer, from, window, at).await?;
        let reviews = parley_store::orders::review_totals(&mut conn, manufacturer).await?;
        drop(conn);
        let mut network = Tally::default();
        let mut parties = HashMap::with_capacity(tallies.parties.len());
        for (party, (tally, median)) in tallies.parties {
            if party != manufacturer {
                network.add(&tally);
            }
            parties.insert(party, Rating::from_tally(tally, median));
        }
        let mut network = Rating::from_tally(network, tallies.network_median_ms);
        // Buyers' reviews count in the figures of the party reviewed, and of the network.
        for (party, count, sum) in reviews {
            let (count, sum) = (count.unsigned_abs(), sum.unsigned_abs());
            if party != manufacturer {
                network.reviews += count;
                network.review_sum += sum;
            }
            let rating = parties
                .entry(party)
                .or_insert_with(|| Rating::from_tally(Tally::default(), None));
            rating.reviews += count;
            rating.review_sum += sum;
        }
        let ratings = Arc::new(NetworkRatings {
            computed_at: at,
            parties,
            network,
        });
        let mut entries = self.ratings.entries();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            (manufacturer, days),
            Entry {
                ratings: Arc::clone(&ratings),
                at: Instant::now(),
                refreshing: false,
            },
        );
        Ok(ratings)
    }
}
