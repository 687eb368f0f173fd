//! Who may open an SMTP session: at most so many at once in total and per client address, so
//! a crowd of idle connections cannot use up the process's file descriptors and take the web
//! down with the relay. Past 80 % of the total the listener is *stressed* and sessions get a
//! shorter command timeout (as Postfix's stress mode does).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// The limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Sessions at once, in total.
    pub total: usize,
    /// Sessions at once from one client address.
    pub per_ip: usize,
}

impl Default for ConnectionLimits {
    /// Room for a busy relay under systemd's usual 1,024 open files, with the web's share left.
    fn default() -> Self {
        Self {
            total: 400,
            per_ip: 20,
        }
    }
}

/// Why a connection was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Total,
    PerIp,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
}

/// The open sessions, counted.
#[derive(Debug)]
pub struct Gate {
    limits: ConnectionLimits,
    counts: Mutex<Counts>,
}

/// One admitted session; dropping it frees its place.
#[derive(Debug)]
pub struct Pass {
    gate: Arc<Gate>,
    ip: IpAddr,
}

impl Gate {
    #[must_use]
    pub fn new(limits: ConnectionLimits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            counts: Mutex::new(Counts::default()),
        })
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A place for a session from `ip`, or why there is none.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Pass, Refused> {
        let mut counts = self.counts();
        if counts.total >= self.limits.total {
            return Err(Refused::Total);
        }
        let from_ip = counts.by_ip.entry(ip).or_default();
        if *from_ip >= self.limits.per_ip {
            return Err(Refused::PerIp);
        }
        *from_ip += 1;
        counts.total += 1;
        Ok(Pass {
            gate: self.clone(),
            ip,
        })
    }

    /// Whether more than 80 % of the places are taken.
    #[must_use]
    pub fn stressed(&self) -> bool {
        self.counts().total * 5 > self.limits.total * 4
    }

    /// Sessions open now.
    #[must_use]
    pub fn open(&self) -> usize {
        self.counts().total
    }
}

impl Pass {
    /// Whether the gate this session came through is stressed.
    #[must_use]
    pub fn stressed(&self) -> bool {
        self.gate.stressed()
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut counts = self.gate.counts();
        counts.total -= 1;
        if let Some(n) = counts.by_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                counts.by_ip.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_hold_per_ip_and_in_total_and_places_come_back() {
        let gate = Gate::new(ConnectionLimits {
            total: 5,
            per_ip: 2,
        });
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        let b: IpAddr = "192.0.2.2".parse().expect("ip");
        let first = gate.admit(a).expect("first");
        let _second = gate.admit(a).expect("second");
        assert_eq!(gate.admit(a).err(), Some(Refused::PerIp));
        let others: Vec<Pass> = (0..2).map(|_| gate.admit(b).expect("b")).collect();
        assert!(!gate.stressed(), "4 of 5 is not past 80 %");
        let c: IpAddr = "192.0.2.3".parse().expect("ip");
        let _fifth = gate.admit(c).expect("fifth");
        assert!(gate.stressed(), "5 of 5");
        assert_eq!(gate.admit(c).err(), Some(Refused::Total));
        drop(first);
        drop(others);
        assert_eq!(gate.open(), 2);
        assert!(!gate.stressed());
        gate.admit(a).expect("a place again");
    }
}
