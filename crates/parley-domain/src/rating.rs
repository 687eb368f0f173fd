//! Response ratings of a sales network (guide FAQ a: check the speed and quality of the
//! network's answers): per party, the share of requests handled in time and the median time to
//! the first answer. Declining counts as handled (guide section 5: declining keeps the rating).

use crate::entities::Timestamp;
use crate::ids::OrganizationId;
use crate::kinds::Outcome;

/// One party's thread on a request, as a rating counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadFigures {
    pub party: OrganizationId,
    /// When the request reached the party.
    pub created_at: Timestamp,
    pub contacted_at: Option<Timestamp>,
    pub declined_at: Option<Timestamp>,
    pub outcome: Option<Outcome>,
    /// Whether the request was routed to another party too: the manufacturer's own thread on a
    /// request its network handles is not the manufacturer's to answer, and is not counted.
    pub routed_elsewhere: bool,
}

/// A party's (or the whole network's) figures.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rating {
    /// Requests the party was given.
    pub received: u64,
    /// Answered or declined within the window.
    pub handled_in_time: u64,
    /// Requests still inside the window and not handled: not counted either way yet.
    pub pending: u64,
    pub answered: u64,
    pub declined: u64,
    pub won: u64,
    pub lost: u64,
    /// `handled_in_time` over the requests whose window is over or that were handled; `None`
    /// when there are none.
    pub response_rate_percent: Option<u32>,
    /// Median time from receiving a request to the first answer, over answered requests.
    pub median_first_response_ms: Option<i64>,
    /// Buyers' reviews: how many, and the sum of their ratings (1–5 each).
    pub reviews: u64,
    pub review_sum: u64,
}

impl Rating {
    /// The reviews' average, to one decimal.
    #[must_use]
    pub fn average_review(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        (self.reviews > 0)
            .then(|| (self.review_sum as f64 / self.reviews as f64 * 10.0).round() / 10.0)
    }
}

/// A party's counts, as [`rate`] or a database's sums find them; [`Rating::from_tally`] turns
/// them into figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub received: u64,
    pub handled_in_time: u64,
    pub pending: u64,
    pub answered: u64,
    pub declined: u64,
    pub won: u64,
    pub lost: u64,
}

impl Tally {
    /// Adds another party's counts (the network's figures are its members' summed).
    pub fn add(&mut self, other: &Tally) {
        self.received += other.received;
        self.handled_in_time += other.handled_in_time;
        self.pending += other.pending;
        self.answered += other.answered;
        self.declined += other.declined;
        self.won += other.won;
        self.lost += other.lost;
    }
}

impl Rating {
    /// The figures of `tally`, with the median first response found apart (it cannot be
    /// summed). Reviews are added by the caller.
    #[must_use]
    pub fn from_tally(tally: Tally, median_first_response_ms: Option<i64>) -> Self {
        // Requests whose window is over or that were handled: the rate's denominator.
        let decided = tally.received.saturating_sub(tally.pending);
        Self {
            received: tally.received,
            handled_in_time: tally.handled_in_time,
            pending: tally.pending,
            answered: tally.answered,
            declined: tally.declined,
            won: tally.won,
            lost: tally.lost,
            response_rate_percent: (decided > 0).then(|| {
                u32::try_from((tally.handled_in_time * 100 + decided / 2) / decided).unwrap_or(100)
            }),
            median_first_response_ms,
            reviews: 0,
            review_sum: 0,
        }
    }
}

/// Rates the threads given (all of one party, or of a whole network), at `now`, with a request
/// counted as handled when answered or declined within `window_ms` of receiving it. This is the
/// definition; the network page reads the same figures summed by the database
/// (`parley_store::ratings`), and a test holds the two equal.
#[must_use]
pub fn rate<'a>(
    threads: impl IntoIterator<Item = &'a ThreadFigures>,
    window_ms: i64,
    now: Timestamp,
) -> Rating {
    let mut tally = Tally::default();
    let mut response_times = Vec::new();
    for thread in threads {
        tally.received += 1;
        let deadline = thread.created_at.0.saturating_add(window_ms);
        let handled_at = match (thread.contacted_at, thread.declined_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(contacted) = thread.contacted_at {
            tally.answered += 1;
            response_times.push(contacted.0 - thread.created_at.0);
        }
        if thread.declined_at.is_some() {
            tally.declined += 1;
        }
        match thread.outcome {
            Some(Outcome::Won) => tally.won += 1,
            Some(Outcome::Lost) => tally.lost += 1,
            None => {}
        }
        match handled_at {
            Some(at) if at.0 <= deadline => tally.handled_in_time += 1,
            None if now.0 <= deadline => tally.pending += 1,
            _ => {}
        }
    }
    Rating::from_tally(tally, median(&mut response_times))
}

/// The median of `values` (the mean of the two middle ones for an even count), reordering them.
#[must_use]
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2
    } else {
        values[mid]
    })
}

/// The threads a party's rating counts (see [`ThreadFigures::routed_elsewhere`]).
#[must_use]
pub fn counts_for(thread: &ThreadFigures, manufacturer: OrganizationId) -> bool {
    !(thread.party == manufacturer && thread.routed_elsewhere)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 24 * HOUR;

    fn thread(created: i64, contacted: Option<i64>, declined: Option<i64>) -> ThreadFigures {
        ThreadFigures {
            party: OrganizationId::new(),
            created_at: Timestamp(created),
            contacted_at: contacted.map(Timestamp),
            declined_at: declined.map(Timestamp),
            outcome: None,
            routed_elsewhere: false,
        }
    }

    #[test]
    fn declining_in_time_counts_as_handled_and_late_answers_do_not() {
        let now = Timestamp(100 * DAY);
        let threads = [
            thread(0, Some(2 * HOUR), None),                   // answered in 2 h
            thread(0, None, Some(HOUR)),                       // declined in time
            thread(0, Some(5 * DAY), None),                    // answered late
            thread(0, None, None),                             // never handled, window over
            thread(now.0 - HOUR, None, None),                  // still within its window
            thread(10 * DAY, Some(10 * DAY + 4 * HOUR), None), // 4 h
        ];
        let rating = rate(&threads, 2 * DAY, now);
        assert_eq!(rating.received, 6);
        assert_eq!(rating.handled_in_time, 3);
        assert_eq!(rating.pending, 1);
        assert_eq!(rating.declined, 1);
        assert_eq!(rating.answered, 3);
        // 3 handled in time out of 5 decided.
        assert_eq!(rating.response_rate_percent, Some(60));
        // Median of 2 h, 4 h, 5 days.
        assert_eq!(rating.median_first_response_ms, Some(4 * HOUR));
    }

    #[test]
    fn nothing_to_rate_gives_no_rate() {
        let rating = rate(&[], DAY, Timestamp(0));
        assert_eq!(rating.response_rate_percent, None);
        assert_eq!(rating.median_first_response_ms, None);
        let even = [thread(0, Some(HOUR), None), thread(0, Some(3 * HOUR), None)];
        assert_eq!(
            rate(&even, DAY, Timestamp(0)).median_first_response_ms,
            Some(2 * HOUR)
        );
    }
}
