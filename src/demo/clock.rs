//! Times of day. All demo timestamps are Asia/Shanghai local time
//! ([`crate::calendar::TIMEZONE`], UTC+08:00 all year since 1991), kept as
//! `NaiveDateTime` and written with `+08:00` (or, for a small fraction, with
//! no offset, as some real exports do).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use super::rng::Rng;

/// `d` at `secs` seconds after midnight.
pub fn at(d: NaiveDate, secs: u32) -> NaiveDateTime {
    let t = NaiveTime::from_num_seconds_from_midnight_opt(secs.min(86_399), 0)
        .expect("seconds within a day");
    d.and_time(t)
}

fn hm(h: u32, m: u32) -> u32 {
    h * 3600 + m * 60
}

/// A time of day when civil servants work: mostly 08:30–12:00 and
/// 14:30–18:00, some at lunch or in the evening, very few at night.
pub fn office_secs(rng: &mut Rng) -> u32 {
    let (lo, hi) = match rng.weighted(&[46.0, 44.0, 4.0, 5.0, 1.0]) {
        0 => (hm(8, 30), hm(12, 0)),
        1 => (hm(14, 30), hm(18, 0)),
        2 => (hm(12, 0), hm(14, 30)),
        3 => (hm(18, 0), hm(22, 0)),
        _ => (hm(22, 0), hm(23, 59)),
    };
    lo + rng.below(u64::from(hi - lo)) as u32
}

/// A time on `d` during office hours, strictly after `not_before` when that
/// is on the same day (a few minutes to two hours later, at most 23:59:59).
pub fn office_time_after(rng: &mut Rng, d: NaiveDate, not_before: NaiveDateTime) -> NaiveDateTime {
    let t = at(d, office_secs(rng));
    if t > not_before {
        return t;
    }
    let later = not_before + TimeDelta::seconds(rng.range(180, 7_200));
    if later.date() == d {
        later
    } else {
        at(d, 86_399).max(not_before + TimeDelta::seconds(1))
    }
}

/// `t` plus between `lo` and `hi` seconds.
pub fn plus_secs(rng: &mut Rng, t: NaiveDateTime, lo: i64, hi: i64) -> NaiveDateTime {
    t + TimeDelta::seconds(rng.range(lo, hi))
}
