//! The annual evaluation (RULES.md §5: PDS Art.20, KF Art.19, YK Art.36,
//! JC Art.41): scores, grades and rankings of departments and counties.
//!
//! No regulation fixes the formula, so the scheme is data
//! ([`scheme::Scheme`], `rules/evaluation/default.toml`, or the bureau's own
//! files named by `evaluation_schemes`): indicators over the metrics with
//! weights and the article each serves, capped deductions for findings,
//! grade bands and the county rule.
//!
//! - [`measures`] turns the metrics' items and findings into each
//!   department's measures (met / total and the records that missed);
//! - [`score::score_unit`] scores a unit and explains every point lost down
//!   to the records; [`rank::rank`] and [`rank::county_score`] rank units and
//!   combine counties (pure, tested on hand-computed cases);
//! - [`year`] assembles a year: rankings of city departments, of each
//!   county's departments and of the counties, grade distribution, change
//!   from last year;
//! - [`run`] is the one "official or live" evaluation against the store;
//!   [`snapshot`] owns `evaluation_snapshots` (freezing and reading the
//!   official results); [`cli`] and [`api`] expose it.

pub mod api;
pub mod cli;
pub mod measures;
pub mod rank;
pub mod run;
pub mod scheme;
pub mod score;
pub mod snapshot;
pub mod year;

pub use measures::Metric;
pub use rank::{CountyScore, Ranked, county_score, rank};
pub use run::{Evaluated, EvaluationError, Mode, evaluate, evaluate_judged};
pub use scheme::{Scheme, SchemeError};
pub use score::{FindingRef, Measure, UnitInput, UnitScore, score_unit};
pub use snapshot::freeze;
pub use year::YearEvaluation;
