//! The context of a run: what every check judges by — the working-day
//! calendar, the regulation profiles, the organisation (who is governed by
//! which profile, who reviews whom), the period and the as-of instant — and
//! the deadline arithmetic of RULES.md §1 on top of it.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::item::CheckItem;
use super::{MetricsError, Period};
use crate::calendar::Calendar;
use crate::config::Config;
use crate::org::Org;
use crate::rules::{Citation, Profile, Profiles};
use crate::store::Store;
use crate::time::local_date;
use crate::vocab::{Rule, Status};

/// A deadline item not done with this many working days or fewer left is
/// `at_risk` rather than `pending` (bureau reporting threshold, issue 3 §3).
pub const AT_RISK_WORKING_DAYS: i64 = 1;

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// The result of judging a deadline as of `T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judgement {
    /// The due date.
    pub due: NaiveDate,
    /// The status.
    pub status: Status,
    /// When done (only if at or before `T`).
    pub done_at: Option<i64>,
    /// `late`/`overdue`: working days past the due date.
    pub working_days_late: Option<i64>,
    /// `pending`/`at_risk`: working days left.
    pub working_days_left: Option<i64>,
    /// A year without calendar data was involved.
    pub provisional: bool,
}

/// Formatted citations: profile id → (article, item) → (short, Chinese).
type CitationTexts = HashMap<String, HashMap<(u32, Option<u32>), (String, String)>>;

/// Everything a check needs: calendar, profiles, the organisation with each
/// department's governing profile, the period and the as-of instant.
#[derive(Debug, Clone)]
pub struct Context {
    /// The working-day calendar (with the bureau's overrides).
    pub calendar: Calendar,
    /// The regulation profiles.
    pub profiles: Profiles,
    /// Jurisdictions and departments, resolved.
    pub org: Arc<Org>,
    /// The period.
    pub period: Period,
    /// The as-of instant `T`, milliseconds since the epoch.
    pub as_of: i64,
    citations: CitationTexts,
}

/// Every citation a profile holds, formatted once.
fn format_citations(profiles: &Profiles) -> CitationTexts {
    profiles
        .iter()
        .map(|p| {
            let map = p
                .citations()
                .into_iter()
                .map(|c| ((c.article, c.item), (p.cite_short(c), p.cite(c))))
                .collect();
            (p.id.clone(), map)
        })
        .collect()
}

impl Context {
    /// A context over an organisation resolved against `profiles`.
    pub fn new(
        calendar: Calendar,
        profiles: Profiles,
        org: Arc<Org>,
        period: Period,
        as_of: i64,
    ) -> Context {
        Context {
            calendar,
            citations: format_citations(&profiles),
            profiles,
            org,
            period,
            as_of,
        }
    }

    /// Loads the organisation from the store, the calendar and the profiles
    /// from the configuration.
    pub async fn load(
        store: &Store,
        config: &Config,
        period: Period,
        as_of: i64,
    ) -> Result<Context, MetricsError> {
        let calendar = config.calendar()?;
        let profiles = config.profiles()?;
        let org = Org::load(store, &profiles, &config.default_profile).await?;
        Ok(Context::new(
            calendar,
            profiles,
            Arc::new(org),
            period,
            as_of,
        ))
    }

    /// The same organisation and rules for another period and instant.
    pub fn for_period(&self, period: Period, as_of: i64) -> Context {
        Context {
            period,
            as_of,
            ..self.clone()
        }
    }

    /// The profile governing a department (the default profile for an
    /// unknown id).
    pub fn profile_of(&self, department_id: &str) -> &Profile {
        self.org.profile_of(&self.profiles, department_id)
    }

    /// An item with its identity and citation (formatted once per run); an
    /// item judged after its regulation lapsed says so.
    pub fn item(
        &self,
        rule: Rule,
        id: &str,
        responsible_id: &str,
        profile: &Profile,
        citation: &Citation,
        status: Status,
    ) -> CheckItem {
        let cited = self
            .citations
            .get(profile.id.as_str())
            .and_then(|m| m.get(&(citation.article, citation.item)))
            .cloned()
            .unwrap_or_else(|| (profile.cite_short(citation), profile.cite(citation)));
        let mut item = CheckItem::cited(rule, id, responsible_id, &profile.id, cited, status);
        if let Some(until) = profile.lapsed_on(local_date(self.evaluation_ms())) {
            item.regulation_lapsed = Some(until);
            item.add_note(format!(
                "{}有效期至{}，评判时已失效",
                profile.title_marked(),
                crate::time::chinese_date(until)
            ));
        }
        item
    }

    /// The authority department that reviews requests of `requester_id`
    /// ([`Org::reviewing_authority`]).
    pub fn reviewing_authority(&self, requester_id: &str) -> Option<&str> {
        self.org.reviewing_authority(requester_id)
    }

    /// The evaluation instant of snapshot checks: `min(T, last instant of the period)`.
    pub fn evaluation_ms(&self) -> i64 {
        self.as_of.min(self.period.end_ms() - 1)
    }

    /// The due date of `n` working days from an event (RULES.md §1), and
    /// whether it is provisional.
    pub fn due_after(&self, event_ms: i64, n: u32) -> (NaiveDate, bool) {
        let p = self
            .calendar
            .add_working_days_provisional(local_date(event_ms), n);
        (p.value, p.provisional)
    }

    /// Working days strictly after `from` up to and including `to`; falls
    /// back to weekends-only for uncovered years, flagged.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> (i64, bool) {
        match self.calendar.working_days_between(from, to) {
            Ok(n) => (n, false),
            Err(_) => {
                let mut n = 0;
                let mut provisional = false;
                let mut d = from;
                while d < to {
                    d = d.succ_opt().expect("date below `to`");
                    let w = self.calendar.is_working_day_provisional(d);
                    provisional |= w.provisional;
                    if w.value {
                        n += 1;
                    }
                }
                (n, provisional)
            }
        }
    }

    /// Judges a deadline due at the end of `due`, done at `done` (if at all),
    /// as of `T`.
    pub fn judge(&self, due: NaiveDate, done: Option<i64>) -> Judgement {
        let end = Calendar::end_of_day(due).timestamp_millis();
        let done = done.filter(|&t| t <= self.as_of);
        let mut j = Judgement {
            due,
            status: Status::Pending,
            done_at: done,
            working_days_late: None,
            working_days_left: None,
            provisional: false,
        };
        match done {
            Some(t) if t < end => j.status = Status::OnTime,
            Some(t) => {
                let (n, p) = self.working_days_between(due, local_date(t));
                j.status = Status::Late;
                j.working_days_late = Some(n);
                j.provisional = p;
            }
            None if self.as_of >= end => {
                let (n, p) = self.working_days_between(due, local_date(self.as_of));
                j.status = Status::Overdue;
                j.working_days_late = Some(n);
                j.provisional = p;
            }
            None => {
                let (n, p) = self.working_days_between(local_date(self.as_of), due);
                j.status = if n <= AT_RISK_WORKING_DAYS {
                    Status::AtRisk
                } else {
                    Status::Pending
                };
                j.working_days_left = Some(n);
                j.provisional = p;
            }
        }
        j
    }

    /// Judges `n` working days from `event_ms`: due date, then status.
    pub fn judge_after(&self, event_ms: i64, n: u32, done: Option<i64>) -> Judgement {
        let (due, provisional) = self.due_after(event_ms, n);
        let mut j = self.judge(due, done);
        j.provisional |= provisional;
        j
    }

    /// Whether a record created at `ms` belongs to this run: in the period
    /// and not after `T`.
    pub fn in_scope(&self, ms: i64) -> bool {
        self.period.contains_ms(ms) && ms <= self.as_of
    }
}

/// Parses an as-of instant: RFC 3339 (without offset: Asia/Shanghai), or a
/// plain date meaning the *end* of that day; `None` is now.
pub fn parse_as_of(text: Option<&str>) -> Result<i64, MetricsError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(crate::time::now_millis());
    };
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Calendar::end_of_day(date).timestamp_millis() - 1);
    }
    crate::time::parse_timestamp(text).map_err(|source| MetricsError::AsOf {
        value: text.to_string(),
        source,
    })
}
