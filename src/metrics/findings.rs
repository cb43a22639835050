//! Findings: every breach among the items becomes a finding with its
//! violation category (RULES.md §3) and citation, stored deduplicated in
//! `detected_findings`; the imported inspection findings (`findings`) join
//! them for the counts.
//!
//! # Category mapping
//!
//! | rule | breach statuses | category | why |
//! |---|---|---|---|
//! | `review`, `reply` | late, overdue | `approval_overdue` | approvals past their deadline (JC Art.41(5)) |
//! | `refusal_reason` | violation | `approval_overdue` | RULES.md §3 files refusals without reasons here |
//! | `open_application` | late, overdue | `approval_overdue` | YK lists Art.29 among the duties of this category |
//! | `correction` | late, overdue | `correction_late` | corrections late (XX Art.18, YK Art.23, JC Art.32) |
//! | `catalog_update`, `full_maintenance` | late, overdue | `catalog_not_maintained` | catalog not updated (JC Art.43(1), YK Art.37(1)) |
//! | `share_basis` | violation | `catalog_not_maintained` | the catalog is not compiled as required (不按照要求编制) |
//! | `withdrawal` | violation | `data_not_provided` | published data taken off the platform without approval (JC Art.19, Art.43(2)) |
//! | `freshness`, `freshness_floor` | overdue, delinquent, late | `data_stale_or_substandard` | data not refreshed on its cycle (JC Art.41(3), Art.43(5)) |
//! | `used_after_end` | violation | `misuse` | use without a valid grant (JC Art.31, Art.43(7)) |
//! | `max_age` | violation | `other` | a grant beyond the maximum term breaks JC Art.31 but no category names it |
//! | `never_used`, `idle`, `expiring` | — | none | grounds for discretionary revocation or information, not breaches |
//!
//! # Deduplication
//!
//! A finding's key is its item's key (`rule:record_id`, plus a quarter or an
//! episode date where one record yields several), so the same breach seen by
//! two runs is one row: each run upserts, keeping `first_seen_at` and
//! moving `last_seen_at`. Status, dates and citation follow the run with the
//! latest as-of instant, so a run `--as-of` an earlier date does not undo
//! what a later one saw. `occurred_at` is when the breach became a fact:
//! the late completion, the end of the due day of an overdue item, the act
//! of a violation (or the evaluation instant for standing ones).
//!
//! Only the command line records findings; the HTTP API computes without
//! writing (a GET has no side effects).

use std::collections::HashSet;

use serde::Serialize;
use sqlx::Row;

use super::{CheckItem, Context, MetricsError, Rule, Status};
use crate::calendar::Calendar;
use crate::rules::CategoryCode;
use crate::store::{Backend, Store};

/// The violation category of a breach of `rule`; `None` for rules whose
/// items are never breaches.
pub fn category(rule: Rule) -> Option<CategoryCode> {
    Some(match rule {
        Rule::Review | Rule::Reply | Rule::RefusalReason | Rule::OpenApplication => {
            CategoryCode::ApprovalOverdue
        }
        Rule::Correction => CategoryCode::CorrectionLate,
        Rule::CatalogUpdate | Rule::FullMaintenance | Rule::ShareBasis => {
            CategoryCode::CatalogNotMaintained
        }
        Rule::Withdrawal => CategoryCode::DataNotProvided,
        Rule::Freshness | Rule::FreshnessFloor => CategoryCode::DataStaleOrSubstandard,
        Rule::UsedAfterEnd => CategoryCode::Misuse,
        Rule::MaxAge => CategoryCode::Other,
        Rule::NeverUsed | Rule::Idle | Rule::Expiring => return None,
    })
}

/// Sets the category of every breach (and clears it elsewhere).
pub fn classify(items: &mut [CheckItem]) {
    for item in items {
        item.category = if item.status.is_breach() {
            category(item.rule)
        } else {
            None
        };
    }
}

/// Where a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Detected by the metrics.
    Detected,
    /// Imported from an inspection (`findings` table).
    Imported,
}

impl Source {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Detected => "detected",
            Source::Imported => "imported",
        }
    }
}

/// One finding, detected or imported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable key (detected: the item's key; imported: `inspection:ID`).
    pub key: String,
    /// Detected or imported.
    pub source: Source,
    /// The department it concerns.
    pub department_id: String,
    /// The category.
    pub category: CategoryCode,
    /// When the breach became a fact (imported: `found_at`).
    pub occurred_at: i64,
    /// The item it comes from (detected only).
    #[serde(skip)]
    pub item: Option<CheckItem>,
}

/// The findings of a run's items, one per key.
pub fn detected(ctx: &Context, items: &[CheckItem]) -> Vec<Finding> {
    let eval = ctx.evaluation_ms();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for item in items {
        let Some(category) = item.category.filter(|_| item.status.is_breach()) else {
            continue;
        };
        if !seen.insert(item.key.as_str()) {
            continue;
        }
        let occurred_at = match item.status {
            Status::Late => item.done_at,
            Status::Overdue | Status::Delinquent => {
                item.due.map(|d| Calendar::end_of_day(d).timestamp_millis())
            }
            _ => item.done_at,
        }
        .unwrap_or(eval);
        out.push(Finding {
            key: item.key.clone(),
            source: Source::Detected,
            department_id: item.responsible_id.clone(),
            category,
            occurred_at,
            item: Some(item.clone()),
        });
    }
    out
}

/// The imported inspection findings found in the period, up to `T`.
pub async fn imported(ctx: &Context, store: &Store) -> Result<Vec<Finding>, MetricsError> {
    let rows = sqlx::query(
        "SELECT id, department_id, category, found_at FROM findings \
         WHERE found_at >= $1 AND found_at < $2 AND found_at <= $3",
    )
    .bind(ctx.period.start_ms())
    .bind(ctx.period.end_ms())
    .bind(ctx.as_of)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let category: String = r.try_get("category")?;
        let Ok(category) = category.parse::<CategoryCode>() else {
            continue;
        };
        out.push(Finding {
            key: format!("inspection:{}", r.try_get::<String, _>("id")?),
            source: Source::Imported,
            department_id: r.try_get("department_id")?,
            category,
            occurred_at: r.try_get("found_at")?,
            item: None,
        });
    }
    Ok(out)
}

/// What a recording run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Recorded {
    /// Findings of the run.
    pub findings: u64,
    /// New rows in `detected_findings`.
    pub inserted: u64,
    /// Rows in `detected_findings` after the run.
    pub total: u64,
}

const COLUMNS: [&str; 16] = [
    "key",
    "rule",
    "check_kind",
    "record_id",
    "department_id",
    "category",
    "profile",
    "citation",
    "citation_text",
    "status",
    "due",
    "done_at",
    "occurred_at",
    "as_of",
    "first_seen_at",
    "last_seen_at",
];

/// Columns that follow the run with the latest as-of instant.
const FOLLOW_LATEST: [&str; 11] = [
    "rule",
    "check_kind",
    "record_id",
    "department_id",
    "category",
    "profile",
    "citation",
    "citation_text",
    "status",
    "due",
    "done_at",
];

const ROWS_PER_STATEMENT: usize = 200;

fn upsert_sql(backend: Backend, rows: usize) -> String {
    let mut sql = format!(
        "INSERT INTO detected_findings ({}) VALUES ",
        COLUMNS.join(", ")
    );
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..COLUMNS.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => sql.push_str(&format!("${n}")),
            }
        }
        sql.push(')');
    }
    let newer = "excluded.as_of >= detected_findings.as_of";
    let mut sets: Vec<String> = FOLLOW_LATEST
        .iter()
        .chain(["occurred_at", "as_of"].iter())
        .map(|c| {
            format!("{c} = CASE WHEN {newer} THEN excluded.{c} ELSE detected_findings.{c} END")
        })
        .collect();
    sets.push("last_seen_at = excluded.last_seen_at".into());
    sql.push_str(" ON CONFLICT (key) DO UPDATE SET ");
    sql.push_str(&sets.join(", "));
    sql
}

/// Upserts the detected findings of a run (imported ones are skipped: they
/// live in `findings`). `now` is the run's wall-clock time.
pub async fn record(
    store: &Store,
    findings: &[Finding],
    as_of: i64,
    now: i64,
) -> Result<Recorded, MetricsError> {
    let detected: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.source == Source::Detected && f.item.is_some())
        .collect();
    let mut tx = store.pool().begin().await?;
    let before: i64 = sqlx::query("SELECT COUNT(*) FROM detected_findings")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    for chunk in detected.chunks(ROWS_PER_STATEMENT) {
        let sql = upsert_sql(store.backend(), chunk.len());
        let mut q = sqlx::query(&sql);
        for f in chunk {
            let item = f.item.as_ref().expect("filtered");
            q = q
                .bind(f.key.clone())
                .bind(item.rule.as_str())
                .bind(item.check.as_str())
                .bind(item.id.clone())
                .bind(f.department_id.clone())
                .bind(f.category.as_str())
                .bind(item.profile.clone())
                .bind(item.citation.clone())
                .bind(item.citation_text.clone())
                .bind(item.status.as_str())
                .bind(item.due.map(|d| d.format("%Y-%m-%d").to_string()))
                .bind(item.done_at)
                .bind(f.occurred_at)
                .bind(as_of)
                .bind(now)
                .bind(now);
        }
        q.execute(&mut *tx).await?;
    }
    let after: i64 = sqlx::query("SELECT COUNT(*) FROM detected_findings")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    tx.commit().await?;
    Ok(Recorded {
        findings: detected.len() as u64,
        inserted: (after - before).max(0) as u64,
        total: after.max(0) as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testutil::{ctx_at, ms};
    use crate::metrics::{CheckKind, approvals};

    #[test]
    fn every_breach_has_a_category_and_only_breaches_do() {
        for rule in [
            Rule::Review,
            Rule::Reply,
            Rule::RefusalReason,
            Rule::OpenApplication,
            Rule::Correction,
            Rule::CatalogUpdate,
            Rule::FullMaintenance,
            Rule::ShareBasis,
            Rule::Withdrawal,
            Rule::Freshness,
            Rule::FreshnessFloor,
            Rule::UsedAfterEnd,
            Rule::MaxAge,
        ] {
            assert!(category(rule).is_some(), "{rule}");
        }
        assert_eq!(category(Rule::Reply), Some(CategoryCode::ApprovalOverdue));
        assert_eq!(category(Rule::UsedAfterEnd), Some(CategoryCode::Misuse));
        assert_eq!(
            category(Rule::Correction),
            Some(CategoryCode::CorrectionLate)
        );
        assert_eq!(category(Rule::NeverUsed), None);
    }

    #[test]
    fn findings_of_a_late_and_an_overdue_reply() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        let row = |id: &str, replied: Option<&str>| approvals::RequestRow {
            id: id.into(),
            requester_id: "DEP-C-1".into(),
            provider_id: "DEP-C-2".into(),
            share_type: "conditional".into(),
            submitted_at: ms("2025-09-26T10:00:00+08:00"),
            reviewed_at: Some(ms("2025-09-29T17:00:00+08:00")),
            forwarded_at: Some(ms("2025-09-29T17:30:00+08:00")),
            already_published: true,
            replied_at: replied.map(ms),
            decision: "pending".into(),
            reason_given: false,
        };
        let mut items = approvals::items(
            &ctx,
            &[
                row("R1", Some("2025-10-15T10:00:00+08:00")),
                row("R2", None),
            ],
        );
        classify(&mut items);
        let f = detected(&ctx, &items);
        assert_eq!(f.len(), 2, "the two replies; the reviews were on time");
        assert!(
            f.iter()
                .all(|f| f.category == CategoryCode::ApprovalOverdue)
        );
        assert_eq!(f[0].key, "reply:R1");
        assert_eq!(f[0].occurred_at, ms("2025-10-15T10:00:00+08:00"));
        assert_eq!(f[1].occurred_at, ms("2025-10-14T00:00:00+08:00"));
        assert!(items.iter().all(|i| i.check == CheckKind::Approvals));
        // A duplicate key is counted once.
        let twice: Vec<CheckItem> = items.iter().chain(items.iter()).cloned().collect();
        assert_eq!(detected(&ctx, &twice).len(), 2);
    }

    #[test]
    fn upsert_statement_shape() {
        let sql = upsert_sql(Backend::Postgres, 2);
        assert!(sql.contains("($17, $18"));
        assert!(sql.contains("ON CONFLICT (key) DO UPDATE SET"));
        assert!(sql.contains("status = CASE WHEN excluded.as_of >= detected_findings.as_of"));
        assert!(!sql.contains("first_seen_at = "));
        let sql = upsert_sql(Backend::Sqlite, 1);
        assert_eq!(sql.matches('?').count(), COLUMNS.len());
    }
}
