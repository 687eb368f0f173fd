//! Rate limits (governor's GCRA, kept in this process's memory): sign-in emails per address and
//! per client address, API calls per token, relayed messages per sender and conversation. One
//! sender, token or address can no longer flood the outbox, the API or a seller's mailbox.
//!
//! Each process counts its own callers: with several processes behind a balancer, a limit
//! holds per process. That bounds a flood, which is the point; exact accounting is not.

use std::hash::{BuildHasher, Hash};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::AppError;

/// How much of what is allowed. Every figure is configurable (`parley serve --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Sign-in emails per address, per hour.
    pub sign_in_per_address_hourly: u32,
    /// Sign-in emails asked from one client address, per hour.
    pub sign_in_per_ip_hourly: u32,
    /// API calls per token, per second, and the burst allowed above it.
    pub api_per_second: u32,
    pub api_burst: u32,
    /// Emailed replies per sender and conversation, per minute.
    pub relay_per_minute: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            sign_in_per_address_hourly: 5,
            sign_in_per_ip_hourly: 20,
            api_per_second: 100,
            api_burst: 200,
            relay_per_minute: 30,
        }
    }
}

impl LimitSettings {
    /// No limit worth the name: for benchmarks, which must say they use it.
    #[must_use]
    pub fn raised() -> Self {
        let high = 1_000_000_000;
        Self {
            sign_in_per_address_hourly: high,
            sign_in_per_ip_hourly: high,
            api_per_second: high,
            api_burst: high,
            relay_per_minute: high,
        }
    }
}

type Keyed<K> = DefaultKeyedRateLimiter<K>;

/// The limiters.
pub(crate) struct RateLimits {
    sign_in_address: Keyed<String>,
    sign_in_ip: Keyed<IpAddr>,
    api: Keyed<u64>,
    relay: Keyed<(String, String)>,
    /// Tokens are hashed (with a key of this process) before they are counted, so no token
    /// sits in the limiter's memory.
    token_hasher: std::collections::hash_map::RandomState,
}

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl RateLimits {
    pub(crate) fn new(settings: LimitSettings) -> Self {
        let hourly = |n: u32| Quota::per_hour(at_least_one(n));
        Self {
            sign_in_address: Keyed::keyed(hourly(settings.sign_in_per_address_hourly)),
            sign_in_ip: Keyed::keyed(hourly(settings.sign_in_per_ip_hourly)),
            api: Keyed::keyed(
                Quota::per_second(at_least_one(settings.api_per_second))
                    .allow_burst(at_least_one(settings.api_burst)),
            ),
            relay: Keyed::keyed(Quota::per_minute(at_least_one(settings.relay_per_minute))),
            token_hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    /// A sign-in email to `email`, asked from `ip` (when known).
    pub(crate) fn sign_in(&self, email: &str, ip: Option<IpAddr>) -> Result<(), AppError> {
        if let Some(ip) = ip {
            check(&self.sign_in_ip, &ip)?;
        }
        check(&self.sign_in_address, &email.trim().to_lowercase())
    }

    /// An API call with `token`.
    pub(crate) fn api_call(&self, token: &str) -> Result<(), AppError> {
        check(&self.api, &self.token_hasher.hash_one(token))
    }

    /// An emailed reply from `sender` into `thread`.
    pub(crate) fn relayed(&self, sender: &str, thread: &str) -> Result<(), AppError> {
        check(&self.relay, &(sender.to_lowercase(), thread.to_owned()))
    }

    /// Forgets callers whose allowance is whole again (called now and then, so the maps stay
    /// as small as the recent callers).
    pub(crate) fn forget_idle(&self) {
        self.sign_in_address.retain_recent();
        self.sign_in_ip.retain_recent();
        self.api.retain_recent();
        self.relay.retain_recent();
    }
}

fn check<K: Hash + Eq + Clone>(limiter: &Keyed<K>, key: &K) -> Result<(), AppError> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        AppError::RateLimited {
            retry_after: wait.max(Duration::from_secs(1)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_limit_counts_its_own_key() {
        let limits = RateLimits::new(LimitSettings {
            sign_in_per_address_hourly: 2,
            sign_in_per_ip_hourly: 3,
            api_per_second: 1,
            api_burst: 2,
            relay_per_minute: 1,
        });
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        assert!(limits.sign_in("a@x.example", Some(ip)).is_ok());
        assert!(limits.sign_in("A@x.example ", Some(ip)).is_ok());
        let Err(AppError::RateLimited { retry_after }) = limits.sign_in("a@x.example", Some(ip))
        else {
            panic!("a third link for the same address within the hour");
        };
        assert!(retry_after > Duration::from_secs(60));
        // The address limit counted the refused try against the IP too: one left for it.
        assert!(limits.sign_in("b@x.example", Some(ip)).is_err());
        assert!(limits.api_call("prl_a").is_ok());
        assert!(limits.api_call("prl_a").is_ok());
        assert!(limits.api_call("prl_a").is_err());
        assert!(limits.api_call("prl_b").is_ok(), "another token");
        assert!(limits.relayed("ana@b.example", "t1").is_ok());
        assert!(limits.relayed("ana@b.example", "t1").is_err());
        assert!(
            limits.relayed("ana@b.example", "t2").is_ok(),
            "another conversation"
        );
    }
}
