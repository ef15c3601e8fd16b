//! Throttles on guessing: logins per e-mail address, guest order look-ups
//! per order number and per client address.
//!
//! An attempt is counted *before* it is checked, by one conditional upsert
//! that both asks "may it run" and counts it: it returns a row only while
//! the subject's window has room (or is over, which starts a new one). So
//! however many attempts arrive at once, on SQLite or on PostgreSQL with
//! several processes, no more than the limit are ever checked in a window.
//! A success forgives the subject ([`forgive`]); an attempt that could not
//! be checked at all (the server was busy) is given back ([`refund`]).

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use crate::db::{Db, statement};
use crate::error::{AppError, AppResult};

/// What is throttled, and how much.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Names the kind of subject in `attempt_throttles.scope`.
    pub scope: &'static str,
    /// Attempts allowed within one window.
    pub limit: i32,
    /// How long a window lasts; reaching the limit restarts it, so a
    /// subject stays locked this long after its last counted attempt.
    pub window: chrono::Duration,
    /// What a refused caller is told, before "try again in N minutes".
    pub refusal: &'static str,
}

/// Logins per e-mail address (known account or not, so that a lock
/// reveals nothing): 5 in 15 minutes, counted until a success.
pub const LOGIN: Rule = Rule {
    scope: "login",
    limit: 5,
    window: chrono::Duration::minutes(15),
    refusal: "too many failed login attempts",
};

/// The address a request came from, for per-address throttles: the TCP
/// peer, or with trusted proxies in front the address the outermost of
/// them saw. `None` when the request did not come over the network (the
/// router called in process).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The client of a request from `peer` carrying `forwarded_for` (the
    /// `X-Forwarded-For` header) behind `trusted_hops` proxies, each of
    /// which appends the address it saw. Entries left of those are the
    /// client's to write and are never believed; when the header is too
    /// short or unreadable the peer (a proxy) is used, which throttles
    /// more, never less.
    pub fn from_request(
        peer: Option<IpAddr>,
        forwarded_for: Option<&str>,
        trusted_hops: usize,
    ) -> Self {
        if trusted_hops == 0 {
            return Self(peer);
        }
        let hops: Vec<&str> = forwarded_for
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        let client = hops
            .len()
            .checked_sub(trusted_hops)
            .and_then(|i| hops.get(i))
            .and_then(|h| h.parse::<IpAddr>().ok());
        Self(client.or(peer))
    }

    /// The subject a throttle counts this client under: the IPv4 address,
    /// or the /64 network of an IPv6 one (one subscriber holds a whole /64).
    pub fn subject(self) -> Option<String> {
        match self.0?.to_canonical() {
            IpAddr::V4(v4) => Some(v4.to_string()),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                Some(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
            }
        }
    }
}

/// Counts an attempt at `subject` under `rule`, or refuses it with
/// `RATE_LIMITED` (unchecked) when the subject's window is full.
pub async fn claim(db: &Db, rule: &Rule, subject: &str) -> AppResult<()> {
    let now = Utc::now();
    let renewed = now + rule.window;
    let locked_until = db.write(async |txn| -> AppResult<_> {
        let counted = txn
            .query_one_raw(statement(
                txn.get_database_backend(),
                "INSERT INTO attempt_throttles (scope, subject, attempts, window_ends_at, updated_at) \
                 VALUES (?, ?, 1, ?, ?) \
                 ON CONFLICT (scope, subject) DO UPDATE SET \
                   attempts = CASE WHEN attempt_throttles.window_ends_at <= ? THEN 1 \
                                   ELSE attempt_throttles.attempts + 1 END, \
                   window_ends_at = CASE WHEN attempt_throttles.window_ends_at <= ? \
                                           OR attempt_throttles.attempts + 1 >= ? THEN ? \
                                         ELSE attempt_throttles.window_ends_at END, \
                   updated_at = ? \
                 WHERE attempt_throttles.window_ends_at <= ? OR attempt_throttles.attempts < ? \
                 RETURNING attempts",
                vec![
                    rule.scope.into(),
                    subject.into(),
                    renewed.into(),
                    now.into(),
                    now.into(),
                    now.into(),
                    rule.limit.into(),
                    renewed.into(),
                    now.into(),
                    now.into(),
                    rule.limit.into(),
                ],
            ))
            .await?
            .is_some();
        let locked_until = if counted {
            None
        } else {
            window_end(&**txn, rule, subject).await?
        };
        Ok(locked_until)
    })
    .await?;
    match locked_until {
        None => Ok(()),
        Some(until) => {
            tracing::info!(throttle = rule.scope, "attempt refused by a throttle");
            Err(refused(rule, until - now))
        }
    }
}

async fn window_end(
    conn: &impl ConnectionTrait,
    rule: &Rule,
    subject: &str,
) -> AppResult<Option<DateTime<Utc>>> {
    let row = conn
        .query_one_raw(statement(
            conn.get_database_backend(),
            "SELECT window_ends_at FROM attempt_throttles WHERE scope = ? AND subject = ?",
            vec![rule.scope.into(), subject.into()],
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<DateTime<Utc>>("", "window_ends_at"))
        .transpose()?)
}

fn refused(rule: &Rule, left: chrono::Duration) -> AppError {
    let secs = u64::try_from(left.num_seconds()).unwrap_or(0).max(1);
    let minutes = secs.div_ceil(60);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    AppError::RateLimited {
        message: format!("{}; try again in {minutes} {unit}", rule.refusal),
        retry_after_secs: secs,
    }
}

/// Forgets every attempt at `subject` (after a success that proves the
/// caller knew the secret).
pub async fn forgive(db: &Db, rule: &Rule, subject: &str) -> AppResult<()> {
    db.write(async |txn| -> AppResult<_> {
        txn.execute_raw(statement(
            txn.get_database_backend(),
            "DELETE FROM attempt_throttles WHERE scope = ? AND subject = ?",
            vec![rule.scope.into(), subject.into()],
        ))
        .await?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Gives back one counted attempt that was never checked, or that
/// succeeded where a success must not forgive the others (a client
/// address that looks up its own order between guesses).
pub async fn refund(db: &Db, rule: &Rule, subject: &str) -> AppResult<()> {
    db.write(async |txn| -> AppResult<_> {
        txn.execute_raw(statement(
            txn.get_database_backend(),
            "UPDATE attempt_throttles SET attempts = attempts - 1, updated_at = ? \
             WHERE scope = ? AND subject = ? AND attempts > 0",
            vec![Utc::now().into(), rule.scope.into(), subject.into()],
        ))
        .await?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Deletes the rows of windows that are over (they would start afresh
/// anyway); returns how many.
pub async fn purge_expired(db: &Db) -> AppResult<u64> {
    let done = db
        .write(async |txn| -> AppResult<_> {
            let done = txn
                .execute_raw(statement(
                    txn.get_database_backend(),
                    "DELETE FROM attempt_throttles WHERE window_ends_at <= ?",
                    vec![Utc::now().into()],
                ))
                .await?
                .rows_affected();
            Ok(done)
        })
        .await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().expect("ip"))
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
        let client = ClientAddr::from_request(ip("198.51.100.7"), Some("203.0.113.9"), 0);
        assert_eq!(client, ClientAddr(ip("198.51.100.7")));
    }

    #[test]
    fn behind_proxies_the_address_the_outermost_one_saw_is_the_client() {
        let header = Some("1.2.3.4, 203.0.113.9, 10.0.0.2");
        // One proxy (the peer) appended 10.0.0.2; two appended 203.0.113.9 too.
        assert_eq!(
            ClientAddr::from_request(ip("10.0.0.1"), header, 1),
            ClientAddr(ip("10.0.0.2"))
        );
        assert_eq!(
            ClientAddr::from_request(ip("10.0.0.1"), header, 2),
            ClientAddr(ip("203.0.113.9"))
        );
        // Too short or unreadable: the peer, never a client-written entry.
        assert_eq!(
            ClientAddr::from_request(ip("10.0.0.1"), Some("203.0.113.9"), 2),
            ClientAddr(ip("10.0.0.1"))
        );
        assert_eq!(
            ClientAddr::from_request(ip("10.0.0.1"), Some("not-an-ip"), 1),
            ClientAddr(ip("10.0.0.1"))
        );
        assert_eq!(
            ClientAddr::from_request(ip("10.0.0.1"), None, 1),
            ClientAddr(ip("10.0.0.1"))
        );
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_network() {
        let a = ClientAddr(ip("2001:db8:1:2::1")).subject();
        let b = ClientAddr(ip("2001:db8:1:2:ffff::9")).subject();
        assert_eq!(a.as_deref(), Some("2001:db8:1:2::/64"));
        assert_eq!(a, b);
        assert_eq!(
            ClientAddr(ip("::ffff:192.0.2.1")).subject().as_deref(),
            Some("192.0.2.1")
        );
        assert_eq!(ClientAddr(None).subject(), None);
    }
}
