//! dukao (督考): supervision of government data sharing.
//!
//! The crate is organised along the data flow of the service:
//! platform exports are validated and stored by [`ingest`] into the [`store`];
//! the [`calendar`] and the regulation profiles in [`rules`] turn stored
//! records into deadlines; [`web`] serves the JSON API; [`demo`] generates a
//! deterministic synthetic municipality in the interchange format.

pub mod audit;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod demo;
pub mod digest;
pub mod documents;
pub mod evaluation;
pub mod http;
pub mod identifiers;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod org;
pub mod rules;
pub mod store;
pub mod time;
pub mod vocab;
pub mod web;
