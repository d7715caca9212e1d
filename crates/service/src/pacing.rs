//! Progressive delay for sign-in attempts from a source address that has
//! failed too often (issue 13): such a source is slowed down, not refused,
//! so a correct password (and second factor) still gets in, while
//! guessing from it costs time. Attempts from one held source take turns:
//! each gets the next free slot, `delay` after the one before, so sending
//! many at once does not help. The queue is at most [`MAX_QUEUE`] long: an
//! attempt that would wait longer is answered at once with "busy, try
//! again at …" and does no work, so a flood does not hold thousands of
//! connections open. The slots live in this process; the failure counts
//! live in the database and are shared by every process.
use crate::BoxFut;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// Waits. Production sleeps; tests record the waits (no test sleeps).
pub trait Pacer: Send + Sync + 'static {
    fn wait(&self, d: std::time::Duration) -> BoxFut<'static, ()>;
}

/// The production pacer: a Tokio sleep (no thread is held while waiting).
pub struct SleepPacer;

impl Pacer for SleepPacer {
    fn wait(&self, d: std::time::Duration) -> BoxFut<'static, ()> {
        Box::pin(tokio::time::sleep(d))
    }
}

/// A pacer for tests: remembers every wait, waits for none.
#[derive(Default)]
pub struct RecordingPacer(Mutex<Vec<std::time::Duration>>);

impl RecordingPacer {
    pub fn waits(&self) -> Vec<std::time::Duration> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Pacer for RecordingPacer {
    fn wait(&self, d: std::time::Duration) -> BoxFut<'static, ()> {
        if let Ok(mut v) = self.0.lock() {
            v.push(d);
        }
        Box::pin(async {})
    }
}

/// The longest delay between two attempts from one held source.
pub const MAX_DELAY: Duration = Duration::seconds(30);

/// The delay for a source with `failures` in the window and `limit`
/// allowed: none up to the limit, then 1 s, 2 s, 4 s … up to [`MAX_DELAY`].
pub fn delay_for(failures: i64, limit: i64) -> Duration {
    if failures < limit {
        return Duration::zero();
    }
    let over = u32::try_from(failures - limit).unwrap_or(u32::MAX).min(5);
    Duration::seconds(1i64 << over).min(MAX_DELAY)
}

/// The key under which a source address is counted and paced. An IPv6
/// client usually holds a whole /64 (its router hands out addresses from
/// it at will), so IPv6 counts per /64; IPv4 (also mapped into IPv6) per
/// address. The audit trail keeps the full address.
pub fn source_key(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(std::net::IpAddr::V6(v6)) => {
            let net = u128::from(v6) & (u128::MAX << 64);
            format!("{}/64", std::net::Ipv6Addr::from(net))
        }
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => addr.to_owned(),
    }
}

/// The longest wait for a turn; an attempt that would wait longer is
/// answered "busy" at once. Below a proxy's usual 60 s read timeout
/// (nginx's `proxy_read_timeout`), so a queued user gets an answer from us,
/// not a 504 from the proxy.
pub const MAX_QUEUE: Duration = Duration::seconds(50);

/// The turns of held sources in this process.
#[derive(Default)]
pub(crate) struct Slots(Mutex<HashMap<String, DateTime<Utc>>>);

impl Slots {
    /// Takes the next turn of `source`: `Ok(wait)` from `now`, or, when
    /// that wait would be longer than [`MAX_QUEUE`], no turn and
    /// `Err(when the queue is short enough again)`.
    pub(crate) fn take(
        &self,
        source: &str,
        now: DateTime<Utc>,
        delay: Duration,
    ) -> Result<Duration, DateTime<Utc>> {
        let Ok(mut m) = self.0.lock() else {
            return Ok(delay);
        };
        // Forget sources whose turns are long past.
        if m.len() > 10_000 {
            m.retain(|_, t| *t > now);
        }
        let next = m.get(source).copied().unwrap_or(now).max(now) + delay;
        if next - now > MAX_QUEUE {
            return Err(next - MAX_QUEUE);
        }
        m.insert(source.to_owned(), next);
        Ok(next - now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_grows_from_the_limit_and_stops_at_thirty_seconds() {
        let d = |f| delay_for(f, 20).num_seconds();
        assert_eq!([d(0), d(19)], [0, 0]);
        assert_eq!([d(20), d(21), d(22), d(24)], [1, 2, 4, 16]);
        assert_eq!([d(25), d(26), d(1000)], [30, 30, 30]);
    }

    #[test]
    fn attempts_from_one_source_take_turns() {
        let slots = Slots::default();
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let s = Duration::seconds(4);
        assert_eq!(slots.take("a", now, s), Ok(s));
        assert_eq!(slots.take("a", now, s), Ok(s * 2), "sent at once: queued");
        assert_eq!(
            slots.take("b", now, s),
            Ok(s),
            "another source has its own turns"
        );
        let later = now + Duration::seconds(60);
        assert_eq!(slots.take("a", later, s), Ok(s), "turns long past are gone");
    }

    #[test]
    fn ipv6_counts_per_64_and_ipv4_per_address() {
        assert_eq!(source_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            source_key("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            source_key("2001:db8:1:2::9")
        );
        assert_ne!(source_key("2001:db8:1:3::1"), source_key("2001:db8:1:2::1"));
        assert_eq!(source_key("192.0.2.7"), "192.0.2.7");
        assert_eq!(source_key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_ne!(source_key("192.0.2.7"), source_key("192.0.2.8"));
    }

    #[test]
    fn the_queue_stops_at_fifty_seconds() {
        let slots = Slots::default();
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let s = MAX_DELAY;
        // One turn of 30 s fits in 50 s; a second one does not.
        assert_eq!(slots.take("a", now, s), Ok(s));
        let busy_until = now + s * 2 - MAX_QUEUE;
        assert_eq!(slots.take("a", now, s), Err(busy_until));
        assert_eq!(slots.take("a", now, s), Err(busy_until), "took no turn");
        // At that time there is room again.
        assert_eq!(slots.take("a", busy_until, s), Ok(MAX_QUEUE));
    }
}
