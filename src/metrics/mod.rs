//! Platform metrics (issue 3 §3): what the platform recorded, judged against
//! the regulation that governs each department, item by item, with the
//! article every judgement rests on.
//!
//! # Shape
//!
//! A run has a [`Context`] ([`context`]): the organisation ([`crate::org`]:
//! departments, jurisdictions, the governing profile of each), the
//! working-day calendar (with the bureau's overrides), the regulation
//! profiles, the [`Period`] and the as-of instant `T`. Each check
//! ([`approvals`], [`grants`], [`corrections`], [`open_applications`],
//! [`catalog`], [`freshness`]) owns the reading of the platform's tables it
//! judges: it reads the rows it needs in a few bulk queries ([`packed`]) and
//! turns them into [`CheckItem`]s ([`item`]) in Rust, with the calendar
//! (O(1) per deadline). [`judge`] is the one pipeline that runs the checks
//! and gathers the findings; [`findings`] turns the breaches into findings
//! with their category, stores them deduplicated in `detected_findings` and
//! reads the imported inspection findings; [`summary`] aggregates items and
//! findings per department and per jurisdiction with polars; [`volume`]
//! counts what the platform carried in a year (for the annual report);
//! [`cli`] and [`api`] expose it all.
//!
//! # Semantics
//!
//! - **Governing profile.** A department is governed by its jurisdiction's
//!   `profile`, else the nearest ancestor's, else the configured
//!   `default_profile` ([`crate::org`]). An item is judged under the profile of its
//!   *responsible* department: the review under the reviewing authority's,
//!   the reply under the provider's, a grant's use under the grantee's, and
//!   so on. A profile that does not regulate a rule produces no item for it.
//! - **Period.** Event-based items belong to the period of their triggering
//!   event (a request's submission, a correction's report, a duty change's
//!   publication, …). Snapshot checks (freshness, idle and expiring grants,
//!   share bases) are evaluated at the *evaluation instant*
//!   `min(T, end of period)` ([`Context::evaluation_ms`]).
//! - **As of `T`.** Records created after `T` do not exist yet; anything done
//!   after `T` counts as not yet done. `T` defaults to now.
//! - **Deadlines** follow RULES.md §1: the event's day is not counted, day 1
//!   is the next working day, the deadline is the end (24:00 Asia/Shanghai)
//!   of day N; `n = 0` (on the spot) is the event's day if it is a working
//!   day, else the next one. Where a needed year has no official calendar
//!   data, the `*_provisional` calendar functions count weekends only and the
//!   item says `provisional: true`.
//! - **Status** of a deadline item ([`crate::vocab::Status`]): `on_time` (done before the
//!   deadline's end), `late` (done at or after it), `pending` (not done, more
//!   than [`AT_RISK_WORKING_DAYS`] working day left), `at_risk` (not done,
//!   that or less left), `overdue` (not done, deadline passed). Other checks
//!   use `violation`, `revocable`, `resolved`, `expiring` and the freshness
//!   tiers `fresh`, `due`, `overdue`, `delinquent`, `not_evaluable`.
//! - **No deadline number lives here**: every working-day count, month and
//!   year comes from the profile ([`crate::rules::DeadlineRule`]). The few
//!   constants of this module are status thresholds of the bureau's
//!   reporting (at risk, expiring soon) and the HDX freshness table
//!   ([`freshness`]), each documented where it is defined.

pub mod api;
pub mod approvals;
pub mod catalog;
pub mod cli;
pub mod context;
pub mod corrections;
mod error;
pub mod findings;
pub mod freshness;
pub mod grants;
pub mod item;
pub mod judge;
pub mod open_applications;
mod packed;
mod period;
pub mod summary;
pub mod table;
pub mod volume;

#[cfg(test)]
pub(crate) mod testutil;

pub(crate) use context::DAY_MS;
pub use context::{AT_RISK_WORKING_DAYS, Context, Judgement, parse_as_of};
pub use error::MetricsError;
pub use item::CheckItem;
pub use judge::{Judged, Timing, judge, judge_checks, run_check, run_checks};
pub use period::{Period, Quarter, midnight_ms};

#[cfg(test)]
mod tests;
