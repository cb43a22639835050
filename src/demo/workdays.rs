//! The official working-day calendar, tabulated once for the span the demo
//! touches, so that generating millions of rows does not query
//! [`crate::calendar::Calendar`] day by day.
//!
//! Days the built-in calendar does not cover (before its first year, or the
//! year after the demo year if its holidays are not yet announced) fall back
//! to Monday–Friday; they only ever decide on-time/late for events past the
//! end of the demo year, which are not exported anyway.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::rng::Rng;
use crate::calendar::Calendar;

/// Working days between two dates, inclusive.
#[derive(Debug, Clone)]
pub struct WorkDays {
    start: NaiveDate,
    working: Vec<bool>,
    /// Number of working days in `[start, start + i]`.
    count_upto: Vec<u32>,
    /// Index (days from `start`) of the k-th working day, k from 0.
    nth: Vec<u32>,
}

fn weekday_rule(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl WorkDays {
    /// Tabulate `first..=last` with `lookup`, which answers `None` for days
    /// it does not cover (then Monday–Friday applies).
    pub fn tabulate(
        first: NaiveDate,
        last: NaiveDate,
        lookup: impl Fn(NaiveDate) -> Option<bool>,
    ) -> Self {
        let mut working = Vec::new();
        let mut count_upto = Vec::new();
        let mut nth = Vec::new();
        let mut count = 0u32;
        let mut d = first;
        let mut i = 0u32;
        while d <= last {
            let w = lookup(d).unwrap_or_else(|| weekday_rule(d));
            if w {
                nth.push(i);
                count += 1;
            }
            working.push(w);
            count_upto.push(count);
            d = d.succ_opt().expect("date in range");
            i += 1;
        }
        WorkDays {
            start: first,
            working,
            count_upto,
            nth,
        }
    }

    /// Tabulate `first..=last` from the built-in official calendar.
    pub fn builtin(first: NaiveDate, last: NaiveDate) -> Self {
        let cal = Calendar::builtin();
        Self::tabulate(first, last, |d| cal.is_working_day(d).ok())
    }

    fn index(&self, d: NaiveDate) -> Option<usize> {
        let i = (d - self.start).num_days();
        (i >= 0 && (i as usize) < self.working.len()).then_some(i as usize)
    }

    /// First day of the table.
    pub fn first(&self) -> NaiveDate {
        self.start
    }

    /// Whether `d` is a working day (Monday–Friday outside the table).
    pub fn is_working(&self, d: NaiveDate) -> bool {
        match self.index(d) {
            Some(i) => self.working[i],
            None => weekday_rule(d),
        }
    }

    /// The date `n` working days after `d`: the day of the event is not
    /// counted, day 1 is the first working day after `d` (RULES.md §1).
    /// `n = 0` gives `d` itself.
    pub fn add(&self, d: NaiveDate, n: u32) -> NaiveDate {
        if n == 0 {
            return d;
        }
        if let Some(i) = self.index(d) {
            let k = (self.count_upto[i] + n - 1) as usize;
            if let Some(&j) = self.nth.get(k) {
                return self.start + Days::new(u64::from(j));
            }
        }
        // Outside the table: step day by day.
        let mut left = n;
        let mut cur = d;
        while left > 0 {
            cur = cur.succ_opt().expect("date in range");
            if self.is_working(cur) {
                left -= 1;
            }
        }
        cur
    }

    /// Number of working days in `(a, b]` (0 when `b <= a`): a deadline of N
    /// working days after `a` is met by an event on `b` iff this is ≤ N.
    pub fn between(&self, a: NaiveDate, b: NaiveDate) -> u32 {
        if b <= a {
            return 0;
        }
        match (self.index(a), self.index(b)) {
            (Some(i), Some(j)) => self.count_upto[j] - self.count_upto[i],
            _ => {
                let mut n = 0;
                let mut cur = a;
                while cur < b {
                    cur = cur.succ_opt().expect("date in range");
                    if self.is_working(cur) {
                        n += 1;
                    }
                }
                n
            }
        }
    }

    /// Number of working days in `first..=last` (both inside the table).
    pub fn count_in(&self, first: NaiveDate, last: NaiveDate) -> u32 {
        match (self.index(first), self.index(last)) {
            (Some(i), Some(j)) if i <= j => {
                self.count_upto[j] - self.count_upto[i] + u32::from(self.working[i])
            }
            _ => 0,
        }
    }

    /// A working day drawn uniformly from `first..=last`, or `None` if the
    /// span holds none (or lies outside the table).
    pub fn random_in(&self, rng: &mut Rng, first: NaiveDate, last: NaiveDate) -> Option<NaiveDate> {
        let n = self.count_in(first, last);
        if n == 0 {
            return None;
        }
        let i = self.index(first)?;
        let before = self.count_upto[i] - u32::from(self.working[i]);
        let k = before + rng.below(u64::from(n)) as u32;
        Some(self.start + Days::new(u64::from(self.nth[k as usize])))
    }

    /// The first working day on or after `d`.
    pub fn on_or_after(&self, d: NaiveDate) -> NaiveDate {
        let mut cur = d;
        while !self.is_working(cur) {
            cur = cur.succ_opt().expect("date in range");
        }
        cur
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn agrees_with_the_builtin_calendar() {
        let cal = Calendar::builtin();
        let wd = WorkDays::builtin(d(2024, 1, 1), d(2025, 12, 31));
        let mut day = d(2024, 1, 1);
        while day <= d(2025, 11, 30) {
            assert_eq!(
                wd.is_working(day),
                cal.is_working_day(day).unwrap(),
                "{day}"
            );
            for n in [1, 2, 5, 10, 15] {
                assert_eq!(
                    wd.add(day, n),
                    cal.add_working_days(day, n).unwrap(),
                    "{day} + {n}"
                );
                assert_eq!(wd.between(day, wd.add(day, n)), n);
            }
            day = day.succ_opt().unwrap();
        }
        // 2025 Spring Festival: off Jan 28 - Feb 4, Sunday Jan 26 worked.
        assert!(wd.is_working(d(2025, 1, 26)));
        assert!(!wd.is_working(d(2025, 1, 28)));
        assert_eq!(wd.add(d(2025, 1, 27), 1), d(2025, 2, 5));
    }

    #[test]
    fn outside_the_table_weekdays_apply() {
        let wd = WorkDays::tabulate(d(2025, 1, 1), d(2025, 1, 31), |_| None);
        // Friday 2025-01-31 + 1 working day = Monday 2025-02-03 (weekday rule).
        assert_eq!(wd.add(d(2025, 1, 31), 1), d(2025, 2, 3));
        assert_eq!(wd.between(d(2025, 1, 31), d(2025, 2, 4)), 2);
        assert_eq!(wd.on_or_after(d(2025, 2, 1)), d(2025, 2, 3));
        // January 2025 has 23 weekdays.
        assert_eq!(wd.count_in(d(2025, 1, 1), d(2025, 1, 31)), 23);
        let mut rng = Rng::new(3);
        for _ in 0..100 {
            let x = wd
                .random_in(&mut rng, d(2025, 1, 4), d(2025, 1, 12))
                .unwrap();
            assert!(x >= d(2025, 1, 6) && x <= d(2025, 1, 10) && wd.is_working(x));
        }
        assert_eq!(wd.random_in(&mut rng, d(2025, 1, 4), d(2025, 1, 5)), None);
    }
}
