//! The period a metrics run covers: a year, a quarter or a month, in
//! Asia/Shanghai local dates.

use chrono::{Datelike, Months, NaiveDate, NaiveTime};
use serde::Serialize;

use super::error::MetricsError;
use crate::time::local_to_millis;

/// A calendar year, optionally narrowed to one quarter or one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Period {
    /// The year.
    pub year: i32,
    /// The quarter (1–4), if narrowed to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarter: Option<u32>,
    /// The month (1–12), if narrowed to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
}

/// One calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    /// The year.
    pub year: i32,
    /// 1–4.
    pub number: u32,
    /// Its first day.
    pub first: NaiveDate,
    /// Its last day.
    pub last: NaiveDate,
}

impl Quarter {
    /// The quarter containing `date`.
    pub fn containing(date: NaiveDate) -> Quarter {
        Quarter::new(date.year(), (date.month() - 1) / 3 + 1)
    }

    fn new(year: i32, number: u32) -> Quarter {
        let first =
            NaiveDate::from_ymd_opt(year, (number - 1) * 3 + 1, 1).expect("valid quarter start");
        let last = first
            .checked_add_months(Months::new(3))
            .and_then(|d| d.pred_opt())
            .expect("valid quarter end");
        Quarter {
            year,
            number,
            first,
            last,
        }
    }

    /// `2025Q3`.
    pub fn label(&self) -> String {
        format!("{}Q{}", self.year, self.number)
    }

    /// The quarter after this one.
    pub fn next(&self) -> Quarter {
        if self.number == 4 {
            Quarter::new(self.year + 1, 1)
        } else {
            Quarter::new(self.year, self.number + 1)
        }
    }

    /// Milliseconds of its first instant (local midnight).
    pub fn start_ms(&self) -> i64 {
        midnight_ms(self.first)
    }

    /// Milliseconds of the first instant after it.
    pub fn end_ms(&self) -> i64 {
        midnight_ms(self.last.succ_opt().expect("date in range"))
    }
}

/// Milliseconds since the epoch of local midnight (Asia/Shanghai) starting `date`.
pub fn midnight_ms(date: NaiveDate) -> i64 {
    local_to_millis(date.and_time(NaiveTime::MIN)).expect("midnight exists in Asia/Shanghai")
}

impl Period {
    /// Validates a period: `quarter` and `month` are exclusive.
    pub fn new(
        year: i32,
        quarter: Option<u32>,
        month: Option<u32>,
    ) -> Result<Period, MetricsError> {
        if !(1900..=9998).contains(&year) {
            return Err(MetricsError::Period(format!("year {year} out of range")));
        }
        if quarter.is_some() && month.is_some() {
            return Err(MetricsError::Period(
                "give a quarter or a month, not both".into(),
            ));
        }
        if let Some(q) = quarter.filter(|q| !(1..=4).contains(q)) {
            return Err(MetricsError::Period(format!("quarter {q} is not 1–4")));
        }
        if let Some(m) = month.filter(|m| !(1..=12).contains(m)) {
            return Err(MetricsError::Period(format!("month {m} is not 1–12")));
        }
        Ok(Period {
            year,
            quarter,
            month,
        })
    }

    /// The first day.
    pub fn first_day(&self) -> NaiveDate {
        let month = match (self.quarter, self.month) {
            (Some(q), _) => (q - 1) * 3 + 1,
            (_, Some(m)) => m,
            _ => 1,
        };
        NaiveDate::from_ymd_opt(self.year, month, 1).expect("validated period")
    }

    /// The first day after the period.
    pub fn end_day(&self) -> NaiveDate {
        let months = match (self.quarter, self.month) {
            (Some(_), _) => 3,
            (_, Some(_)) => 1,
            _ => 12,
        };
        self.first_day()
            .checked_add_months(Months::new(months))
            .expect("validated period")
    }

    /// Milliseconds of the period's first instant.
    pub fn start_ms(&self) -> i64 {
        midnight_ms(self.first_day())
    }

    /// Milliseconds of the first instant after the period (exclusive end).
    pub fn end_ms(&self) -> i64 {
        midnight_ms(self.end_day())
    }

    /// Whether an instant lies in the period.
    pub fn contains_ms(&self, ms: i64) -> bool {
        ms >= self.start_ms() && ms < self.end_ms()
    }

    /// The month (1–12) of `day`, when the day lies in the period: the
    /// month a trend counts it in.
    pub fn month_of(&self, day: NaiveDate) -> Option<u32> {
        (day >= self.first_day() && day < self.end_day()).then(|| day.month())
    }

    /// `2025`, `2025Q3` or `2025-09`.
    pub fn label(&self) -> String {
        match (self.quarter, self.month) {
            (Some(q), _) => format!("{}Q{q}", self.year),
            (_, Some(m)) => format!("{}-{m:02}", self.year),
            _ => self.year.to_string(),
        }
    }

    /// The calendar months of the period, as `(year, month)`, in order.
    pub fn months(&self) -> impl Iterator<Item = (i32, u32)> + use<> {
        let (first, end) = (self.first_day(), self.end_day());
        std::iter::successors(Some(first), |d| d.checked_add_months(Months::new(1)))
            .take_while(move |d| *d < end)
            .map(|d| (d.year(), d.month()))
    }

    /// The quarters the period overlaps, in order (a month lies in one).
    pub fn quarters(&self) -> Vec<Quarter> {
        let mut out = Vec::new();
        let mut q = Quarter::containing(self.first_day());
        while q.first < self.end_day() {
            out.push(q);
            q = q.next();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_quarters() {
        let p = Period::new(2025, None, None).unwrap();
        assert_eq!(p.label(), "2025");
        assert_eq!(p.quarters().len(), 4);
        assert_eq!(p.end_day(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let q = Period::new(2025, Some(4), None).unwrap();
        assert_eq!(q.label(), "2025Q4");
        assert_eq!(q.first_day(), NaiveDate::from_ymd_opt(2025, 10, 1).unwrap());
        assert_eq!(
            q.quarters()[0].last,
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
        let m = Period::new(2025, None, Some(2)).unwrap();
        assert_eq!(m.label(), "2025-02");
        assert_eq!(m.end_day(), NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        assert_eq!(m.quarters()[0].label(), "2025Q1");
        // Local midnight: 2025-01-01T00:00+08:00 is 2024-12-31T16:00Z.
        assert_eq!(p.start_ms(), 1_735_660_800_000);
        assert!(Period::new(2025, Some(1), Some(1)).is_err());
        assert!(Period::new(2025, Some(5), None).is_err());
        assert!(Period::new(2025, None, Some(13)).is_err());
    }
}
