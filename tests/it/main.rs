//! dukao's integration tests, in one binary (each test file would otherwise
//! link the whole stack again). Every store test runs on SQLite and, when
//! `DUKAO_TEST_POSTGRES_URL` is set, on PostgreSQL too.

mod common;
mod pdf_inspect;

mod access;
mod audit;
mod browser;
mod cases;
mod cli;
mod client;
mod clock;
mod documents;
mod evaluation;
mod http;
mod import;
mod metrics;
mod pages;
mod people;
mod profiles;
mod webdriver;
