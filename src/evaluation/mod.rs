//! The annual evaluation (RULES.md §5: PDS Art.20, KF Art.19, YK Art.36,
//! JC Art.41): scores, grades and rankings of departments and counties.
//!
//! No regulation fixes the formula, so the scheme is data
//! ([`scheme::Scheme`], `rules/evaluation/default.toml`): indicators over the
//! metrics with weights and the article each serves, capped deductions for
//! findings, grade bands and the county rule. [`score::score_unit`] scores a
//! unit and explains every point lost down to the records;
//! [`rank::rank`] and [`rank::county_score`] rank units and combine counties.
//! This module is pure: it takes measures and findings in and gives results
//! out, so its fairness rules are tested on hand-computed cases.

pub mod rank;
pub mod scheme;
pub mod score;

pub use rank::{CountyScore, Ranked, county_score, rank};
pub use scheme::{Scheme, SchemeError};
pub use score::{FindingRef, Measure, UnitInput, UnitScore, score_unit};
