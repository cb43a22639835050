//! Instants as the interchange format writes them and as the store keeps them.
//!
//! The platform writes RFC 3339; a timestamp without an offset is local time
//! in Asia/Shanghai. The store keeps every instant as milliseconds since the
//! Unix epoch (UTC), the one representation both SQLite and PostgreSQL handle
//! identically and polars reads without parsing.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

/// Why a timestamp could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// Not RFC 3339 (with or without offset), nor a plain date.
    #[error("not an RFC 3339 timestamp (expected e.g. 2025-03-04T09:15:00+08:00)")]
    Unparseable,
    /// A local time that does not exist (cannot happen in Asia/Shanghai since 1991).
    #[error("local time does not exist in Asia/Shanghai")]
    NonexistentLocalTime,
}

/// Parses an interchange timestamp into milliseconds since the epoch.
///
/// Accepts RFC 3339 with an offset (`Z`, `+08:00`), the same without an offset
/// (Asia/Shanghai local time), a space instead of the `T`, and a plain date
/// (`2025-03-04`, meaning local midnight).
pub fn parse_timestamp(text: &str) -> Result<i64, TimestampError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_time(Default::default()))
        })
        .map_err(|_| TimestampError::Unparseable)?;
    local_to_millis(local)
}

/// Milliseconds since the epoch of a local time in Asia/Shanghai.
pub fn local_to_millis(local: NaiveDateTime) -> Result<i64, TimestampError> {
    match Shanghai.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t.timestamp_millis()),
        LocalResult::Ambiguous(t, _) => Ok(t.timestamp_millis()),
        LocalResult::None => Err(TimestampError::NonexistentLocalTime),
    }
}

/// The UTC instant of a stored millisecond value.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// RFC 3339 in Asia/Shanghai local time (`2025-03-04T09:15:00+08:00`), the form
/// dukao writes.
pub fn format_millis(ms: i64) -> String {
    from_millis(ms)
        .with_timezone(&Shanghai)
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// The local calendar date (Asia/Shanghai) of a stored instant.
pub fn local_date(ms: i64) -> NaiveDate {
    from_millis(ms).with_timezone(&Shanghai).date_naive()
}

/// Milliseconds since the epoch now.
pub fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}

/// Where the service reads the time: the system clock, or in tests a clock
/// that stands still until it is moved (so that no test sleeps to see a
/// session expire).
#[derive(Debug, Clone)]
pub struct Clock(std::sync::Arc<ClockSource>);

#[derive(Debug)]
enum ClockSource {
    System,
    Manual(std::sync::atomic::AtomicI64),
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(std::sync::Arc::new(ClockSource::System))
    }

    /// A clock standing at `ms` until [`Clock::advance`] moves it.
    pub fn manual(ms: i64) -> Clock {
        Clock(std::sync::Arc::new(ClockSource::Manual(
            std::sync::atomic::AtomicI64::new(ms),
        )))
    }

    /// Milliseconds since the epoch now.
    pub fn now(&self) -> i64 {
        match &*self.0 {
            ClockSource::System => now_millis(),
            ClockSource::Manual(ms) => ms.load(std::sync::atomic::Ordering::SeqCst),
        }
    }

    /// Moves a manual clock forward (the system clock cannot be moved:
    /// calling this on it is a bug, and panics).
    pub fn advance(&self, by: std::time::Duration) {
        match &*self.0 {
            ClockSource::System => panic!("the system clock cannot be advanced"),
            ClockSource::Manual(ms) => {
                let by = i64::try_from(by.as_millis()).expect("a duration in range");
                ms.fetch_add(by, std::sync::atomic::Ordering::SeqCst);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_local_time_agree() {
        let a = parse_timestamp("2025-03-04T09:15:00+08:00").unwrap();
        let b = parse_timestamp("2025-03-04T01:15:00Z").unwrap();
        let c = parse_timestamp("2025-03-04T09:15:00").unwrap();
        let d = parse_timestamp("2025-03-04 09:15:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, d);
        assert_eq!(format_millis(a), "2025-03-04T09:15:00+08:00");
    }

    #[test]
    fn local_date_crosses_midnight_in_shanghai() {
        let t = parse_timestamp("2025-09-30T16:30:00Z").unwrap();
        assert_eq!(local_date(t), NaiveDate::from_ymd_opt(2025, 10, 1).unwrap());
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "2025-13-01T00:00:00",
            "2025-02-30",
            "1741050900",
        ] {
            assert_eq!(
                parse_timestamp(bad),
                Err(TimestampError::Unparseable),
                "{bad}"
            );
        }
    }
}

/// `2026年1月6日`: Arabic numerals, no leading zeros (GB/T 9704 成文日期).
pub fn chinese_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `2025年12月31日 23:59` (Asia/Shanghai): an instant as pages print it.
pub fn chinese_instant(ms: i64) -> String {
    let t = from_millis(ms).with_timezone(&Shanghai);
    format!("{} {}", chinese_date(t.date_naive()), t.format("%H:%M"))
}

/// [`chinese_instant`] of an RFC 3339 text dukao wrote; the text itself if
/// it does not parse.
pub fn chinese_instant_text(rfc3339: &str) -> String {
    parse_timestamp(rfc3339).map_or_else(|_| rfc3339.to_string(), chinese_instant)
}
