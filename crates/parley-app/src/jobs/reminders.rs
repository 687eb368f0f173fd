//! Automatic reminders. A scan, every minute, queues one job per reminder due: a request its
//! handler left unhandled for the configured delay (24 h by default, counted Monday to Friday
//! in the handler's time zone), and a quote still unanswered in the last three days of its
//! validity. Each is sent at most once (the job's id says which), re-checked when it runs (no
//! reminder after an answer, a decline, a won or lost, or once the member turned them off), and
//! recorded as a history event of the party.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Zoned};
use parley_domain::{EventKind, MemberId, OrganizationId, QuoteId, RequestId, ThreadId, Timestamp};
use parley_store::jobs::{Job, NewJob};
use parley_store::tokens::TokenOwner;
use parley_store::{directory, events, jobs as store_jobs, outbox, quotes, reminders, sessions};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Attempt;
use crate::events::new_event;
use crate::files::sha256_hex;
use crate::web_sessions::LINK_TTL;
use crate::{App, AppError, Caller, now};

pub const KIND: &str = "reminder";

/// How often the scan runs.
pub const SCAN_EVERY_MS: i64 = 60_000;

/// Requests older than this are never reminded of (a first start on an old database).
const LOOK_BACK_MS: i64 = 14 * 24 * 3600 * 1000;

/// A buyer is reminded in the last days of a quote's validity.
const QUOTE_LAST_DAYS_MS: i64 = 3 * 24 * 3600 * 1000;

/// Reminders queued per scan and kind.
const SCAN_LIMIT: u32 = 500;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
enum Reminder {
    /// The handler, of a request left unhandled.
    Handler {
        request: RequestId,
        thread: ThreadId,
        party: OrganizationId,
        member: MemberId,
    },
    /// The buyer, of a quote about to expire.
    Buyer {
        request: RequestId,
        party: OrganizationId,
        quote: QuoteId,
    },
}

/// When `delay` of weekday time (Monday to Friday, in `zone`) has passed since `from`.
#[must_use]
pub fn after_weekdays(from: Timestamp, delay: SignedDuration, zone: &TimeZone) -> Timestamp {
    let Ok(start) = jiff::Timestamp::from_millisecond(from.0) else {
        return from;
    };
    let mut at: Zoned = start.to_zoned(zone.clone());
    let mut remaining = delay;
    // A week holds five weekdays: the loop ends within delay / 5 days + 2 weeks of turns.
    for _ in 0..(delay.as_hours() / 24 * 2 + 16) {
        let Ok(next_day) = at.start_of_day().and_then(|day| day.tomorrow()) else {
            break;
        };
        let weekend = matches!(
            at.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        );
        if !weekend {
            let today = at.duration_until(&next_day);
            if remaining <= today {
                return at
                    .checked_add(remaining)
                    .map_or(from, |due| Timestamp(due.timestamp().as_millisecond()));
            }
            remaining -= today;
        }
        at = next_day;
    }
    Timestamp(at.timestamp().as_millisecond())
}

fn zone(name: Option<&str>) -> TimeZone {
    name.and_then(|name| TimeZone::get(name).ok())
        .unwrap_or(TimeZone::UTC)
}

impl App {
    /// Queues the reminders due at `at`; returns how many.
    pub async fn queue_reminders(&self, at: Timestamp) -> Result<usize, AppError> {
        let delay = SignedDuration::from_hours(i64::from(self.settings.reminder_delay_hours));
        if delay.is_zero() {
            return Ok(0);
        }
        let mut conn = self.store.read().await?;
        let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
        // Weekday time never runs faster than the clock: these are the only candidates.
        let unhandled = reminders::unhandled(
            &mut conn,
            (at.0 - LOOK_BACK_MS, at.0 - delay_ms),
            SCAN_LIMIT,
        )
        .await?;
        let expiring =
            reminders::expiring_quotes(&mut conn, (at.0, at.0 + QUOTE_LAST_DAYS_MS), SCAN_LIMIT)
                .await?;
        drop(conn);
        let mut jobs = Vec::new();
        for thread in unhandled {
            let due = after_weekdays(
                Timestamp(thread.created_at),
                delay,
                &zone(thread.time_zone.as_deref()),
            );
            if due <= at {
                jobs.push(job(
                    format!("reminder:handle:{}", thread.thread_id),
                    &Reminder::Handler {
                        request: thread.request_id,
                        thread: thread.thread_id,
                        party: thread.party,
                        member: thread.member,
                    },
                    at,
                ));
            }
        }
        for quote in expiring {
            jobs.push(job(
                format!("reminder:quote:{}", quote.quote_id),
                &Reminder::Buyer {
                    request: quote.request_id,
                    party: quote.party,
                    quote: quote.quote_id,
                },
                at,
            ));
        }
        let count = jobs.len();
        if count > 0 {
            self.store
                .write(jobs, |tx, jobs| {
                    Box::pin(async move {
                        for job in jobs.iter() {
                            store_jobs::enqueue(tx, job).await?;
                        }
                        Ok::<_, AppError>(())
                    })
                })
                .await?;
        }
        Ok(count)
    }

    pub(crate) async fn send_reminder(&self, job: &Job) -> Attempt {
        let reminder: Reminder = match serde_json::from_str(&job.payload) {
            Ok(reminder) => reminder,
            Err(error) => {
                return Attempt::GiveUp {
                    error: format!("a reminder that does not parse: {error}"),
                    code: None,
                };
            }
        };
        match self.remind(reminder).await {
            Ok(()) => Attempt::Done { code: None },
            Err(error) => Attempt::Failed {
                error: error.chain(),
                code: None,
            },
        }
    }

    /// Sends one reminder if it is still wanted: the mail, the event, in one transaction.
    async fn remind(&self, reminder: Reminder) -> Result<(), AppError> {
        let settings = self.settings.clone();
        self.store
            .write(reminder, move |tx, reminder| {
                let settings = settings.clone();
                Box::pin(async move {
                    let at = now();
                    let system = parley_domain::Actor {
                        kind: parley_domain::AuthorKind::System,
                        id: None,
                        name: "Parley".to_owned(),
                    };
                    match *reminder {
                        Reminder::Handler { request, thread, party, member } => {
                            if !reminders::still_unhandled(tx, thread, member).await? {
                                return Ok(());
                            }
                            let member = directory::member_by_id(tx, member).await?;
                            let (_, card) =
                                parley_store::requests::access_with_card(tx, request, None).await?;
                            let mail = crate::mail::plain::handle_reminder(
                                &settings,
                                &member,
                                (&card.product.name, card.buyer.company.as_deref()),
                                request,
                                at.0,
                            );
                            outbox::enqueue(tx, &mail).await?;
                            let event = new_event(
                                request,
                                Some(party),
                                EventKind::ReminderSent,
                                system,
                                json!({ "to": "handler", "name": member.name }),
                                at,
                            );
                            events::append(tx, &event, None).await?;
                        }
                        Reminder::Buyer { request, party, quote } => {
                            if !reminders::quote_still_open(tx, quote).await? {
                                return Ok(());
                            }
                            let stored = quotes::get(tx, quote).await?;
                            let (access, card) =
                                parley_store::requests::access_with_card(tx, request, None).await?;
                            let seller = access
                                .threads
                                .iter()
                                .zip(&access.organizations)
                                .find(|(thread, _)| thread.party == party)
                                .map_or_else(String::new, |(_, org)| org.name.clone());
                            let token = crate::auth::new_token()?;
                            let valid_until = stored.terms.as_ref().map(|t| t.valid_until);
                            let mail = crate::mail::plain::quote_reminder(
                                &settings,
                                &card.buyer,
                                (&seller, &card.product.name),
                                valid_until,
                                &token,
                                at.0,
                            );
                            let expires = at.0 + i64::try_from(LINK_TTL.as_millis()).unwrap_or(0);
                            sessions::insert_link(
                                tx,
                                &sha256_hex(token.as_bytes()),
                                &TokenOwner::Buyer(card.buyer.id.to_string()),
                                &format!("/requests/{request}"),
                                at.0,
                                expires,
                            )
                            .await?;
                            outbox::enqueue(tx, &mail).await?;
                            let event = new_event(
                                request,
                                Some(party),
                                EventKind::ReminderSent,
                                system,
                                json!({ "to": "buyer", "quote_id": quote, "version": stored.version }),
                                at,
                            );
                            events::append(tx, &event, None).await?;
                        }
                    }
                    Ok::<_, AppError>(())
                })
            })
            .await
    }

    /// Turns the caller's own automatic reminders on or off.
    pub async fn set_my_reminders(&self, caller: &Caller, on: bool) -> Result<(), AppError> {
        let Caller::Member(member) = caller else {
            return Err(AppError::Forbidden("only sellers receive reminders"));
        };
        let (id, at) = (member.id, now().0);
        Ok(self
            .store
            .write((), move |tx, ()| {
                Box::pin(reminders::set_reminders(tx, id, on, at))
            })
            .await?)
    }

    /// Whether the caller receives automatic reminders.
    pub async fn my_reminders(&self, caller: &Caller) -> Result<bool, AppError> {
        let Caller::Member(member) = caller else {
            return Ok(false);
        };
        let mut conn = self.store.read().await?;
        Ok(reminders::reminders_on(&mut conn, member.id).await?)
    }
}

fn job(id: String, reminder: &Reminder, at: Timestamp) -> NewJob {
    NewJob {
        id,
        kind: KIND.to_owned(),
        subject: None,
        ordering_key: None,
        payload: serde_json::to_string(reminder).unwrap_or_default(),
        run_at: at.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        let zoned: Zoned = text.parse().expect("test value");
        Timestamp(zoned.timestamp().as_millisecond())
    }

    #[test]
    fn weekday_hours_skip_the_weekend_in_the_members_zone() {
        let paris = TimeZone::get("Europe/Paris").expect("test value");
        let day = SignedDuration::from_hours(24);
        // Tuesday 10:00 → Wednesday 10:00.
        assert_eq!(
            after_weekdays(at("2026-12-01T10:00[Europe/Paris]"), day, &paris),
            at("2026-12-02T10:00[Europe/Paris]")
        );
        // Friday 15:00 → Monday 15:00.
        assert_eq!(
            after_weekdays(at("2026-12-04T15:00[Europe/Paris]"), day, &paris),
            at("2026-12-07T15:00[Europe/Paris]")
        );
        // Saturday 11:00 → Tuesday 00:00 (Monday counts whole).
        assert_eq!(
            after_weekdays(at("2026-12-05T11:00[Europe/Paris]"), day, &paris),
            at("2026-12-08T00:00[Europe/Paris]")
        );
        // Friday 23:00 in Tokyo is Friday afternoon in Paris: counted in the member's zone.
        let tokyo = TimeZone::get("Asia/Tokyo").expect("test value");
        assert_eq!(
            after_weekdays(at("2026-12-04T23:00[Asia/Tokyo]"), day, &tokyo),
            at("2026-12-07T23:00[Asia/Tokyo]")
        );
    }
}
