//! dukao (督考): the supervision service of a municipal big-data bureau.
//!
//! Departments share data through a platform; dukao takes what the platform
//! recorded, judges it against the regulation that governs each department,
//! scores departments and counties every year, and writes the official
//! documents that follow. Every rule it applies cites its article.
//!
//! # The data flow, and who owns what
//!
//! ```text
//!  platform files / pushes
//!         │
//!         ▼
//!  ingest ─────────────► store ◄──────────── migrations/{sqlite,postgres}
//!  (validates against    (pools; each table
//!   model + vocab +       has one owner below)
//!   the loaded profiles)      │
//!                             ▼
//!  org (jurisdictions, departments → governing profile, bureaus, counties, issuers)
//!                             │
//!  calendar + rules ─────────►│ metrics::Context
//!  (working days;             ▼
//!   profiles + texts)  metrics::judge  ── the one pipeline: every check, then
//!                             │             detected + imported findings
//!               ┌─────────────┼──────────────────────┐
//!               ▼             ▼                      ▼
//!        metrics::summary  evaluation::evaluate   documents (notice, circular,
//!        metrics::volume   (official or live;      annual report: typst → PDF,
//!                           snapshots frozen)      plotters charts, archive)
//!               │             │                      │
//!               │             │                cases (open → notice → response
//!               │             │                 → verified; extensions, dismissals,
//!               │             │                 escalation drafts)
//!               │             │                      │
//!               └──────┬──────┴──────────────────────┘
//!                      ▼                         audit (hash-chained trail of
//!        web: router of every feature's api      every state change)
//!        over http (AppState, ApiError, tokens)
//!        cli: one exhaustive dispatch of every module's command
//! ```
//!
//! | module | what it is | tables it owns |
//! |---|---|---|
//! | [`vocab`] | every closed vocabulary, defined once (names, parsing, Chinese names) | — |
//! | [`model`] | interchange format v1, one spec per table | — |
//! | [`ingest`] | the importer (files, HTTP pushes), all or nothing | writes every interchange table; `import_runs` |
//! | [`store`] | sqlx pools over SQLite or PostgreSQL, migrations | — |
//! | [`org`] | the organisation model and its API | reads `jurisdictions`, `departments` |
//! | [`calendar`] | official working days, deadline arithmetic | — |
//! | [`rules`] | regulation profiles, their texts, quote checking, `dukao profiles` | — (data files) |
//! | [`metrics`] | the checks (each reads the platform tables it judges), findings, summary, volume | reads the platform's records; `detected_findings`, reads `findings` |
//! | [`evaluation`] | schemes, measures, scores, rankings; official-or-live results | `evaluation_snapshots` |
//! | [`documents`] | typst engine, notice, circular, annual report, charts, archive | `issued_documents`, `issued_document_findings`, `document_counters` |
//! | [`cases`] | the inspectors' rectification cases: state machine, responses and attachments, extensions, dismissals, escalation drafts | `cases`, `case_findings`, `case_events`, `case_extensions`, `case_attachments` |
//! | [`results`] | results stored for instant reading (evaluation, summary, items per check), the data version, the background refresh | `stored_results`, `stored_result_parts`, `data_version` |
//! | [`jobs`] | the clock: scheduled jobs over an occurrence ledger (daily scan, case deadlines, quarterly, annual report, calendar watch) | `job_occurrences`, `reminder_digests` |
//! | [`audit`] | the hash-chained audit trail | `audit_log`, `audit_head` |
//! | [`people`] | users (argon2id passwords), API tokens, sessions, roles and scopes | `users`, `api_tokens`, `sessions`, `login_failures` |
//! | [`access`] | who may do what where: the role × action table, a scope's reach, reading the identity from a request | — |
//! | [`http`] | what every route shares: state, errors, callers | — |
//! | [`pages`] | server-rendered Chinese pages (sign-in, start page), embedded stylesheet, CSP | — |
//! | [`web`] | the router (every feature's `api`) and serving | — |
//! | [`cli`] | the command line, one `match` over every module's command | — |
//! | [`demo`] | the deterministic demo municipality | — |
//! | [`config`], [`time`], [`digest`], [`identifiers`] | configuration; instants; hex digests; GB 32100 / GB 11643 check characters | — |
//!
//! Dependencies point down the flow: no module reads another's table, and
//! no feature imports the router that imports it.

pub mod access;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod cli;
pub mod config;
pub mod demo;
pub mod digest;
pub mod documents;
pub mod evaluation;
pub mod http;
pub mod identifiers;
pub mod ingest;
pub mod jobs;
pub mod metrics;
pub mod model;
pub mod org;
pub mod pages;
pub mod people;
pub mod results;
pub mod rules;
pub mod store;
pub mod time;
pub mod vocab;
pub mod web;
