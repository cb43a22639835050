//! Findings: every breach among the items becomes a finding with its
//! violation category (RULES.md §3) and citation, stored deduplicated in
//! `detected_findings`; the imported inspection findings (`findings`) join
//! them for the counts.
//!
//! Each breach is filed under its rule's category ([`Rule::breach_category`],
//! which documents the mapping).
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
//! # Healing
//!
//! A finding heals when its breach ends — a stage answered late, data
//! refreshed, a condition judged again without a breach: `resolved_at` and
//! `resolved_cause` say when and why ([`heal`]); the row stays, with its
//! first and last sighting.
//!
//! Only the command line records findings; the HTTP API computes without
//! writing (a GET has no side effects).
//!
//! Owns `detected_findings` and the reading of the imported `findings`:
//! documents and the demo ask [`stored_of_department`] and
//! [`count_per_department`], never the tables.

use std::collections::{BTreeMap, HashSet};
use std::str::FromStr;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{CheckItem, Context, MetricsError, Period};
use crate::calendar::Calendar;
use crate::rules::DeadlineKey;
use crate::store::{Backend, Store};
use crate::time::local_date;
use crate::vocab::{CategoryCode, FindingSource, ParseNameError, Rule, Status};

/// One finding, detected or imported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable key (detected: the item's key; imported: `inspection:ID`).
    pub key: String,
    /// Detected or imported.
    pub source: FindingSource,
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
        // When the breach became a fact: the late completion, the end of
        // the due day of an overdue item, the act of a violation (or the
        // evaluation instant for a standing one).
        let occurred_at = match item.status {
            Status::Overdue | Status::Delinquent => {
                item.due.map(|d| Calendar::end_of_day(d).timestamp_millis())
            }
            Status::Late
            | Status::Violation
            | Status::OnTime
            | Status::Pending
            | Status::AtRisk
            | Status::Revocable
            | Status::Resolved
            | Status::Expiring
            | Status::Fresh
            | Status::Due
            | Status::NotEvaluable => item.done_at,
        }
        .unwrap_or(eval);
        out.push(Finding {
            key: item.key.clone(),
            source: FindingSource::Detected,
            department_id: item.responsible_id.clone(),
            category,
            occurred_at,
            item: Some(item.clone()),
        });
    }
    out
}

/// The keys of the findings of one category, detected by dukao or
/// imported from inspections, as a subquery whose category is the query's
/// parameter `$param`: how another owner's query asks for findings of a
/// category without knowing where findings are kept (the case list).
pub fn keys_of_category(param: usize) -> String {
    format!(
        "(SELECT key FROM detected_findings WHERE category = ${param} \
         UNION ALL SELECT 'inspection:' || id FROM findings WHERE category = ${param})"
    )
}

/// The imported inspection findings found in the period, up to `T`, but
/// for `rectification_refused`: whether a rectification was done in time
/// is decided by the cases' deadlines ([`of_cases`]), not by a row a
/// platform pushed.
pub async fn imported(ctx: &Context, store: &Store) -> Result<Vec<Finding>, MetricsError> {
    let rows = sqlx::query(
        "SELECT id, department_id, category, found_at FROM findings \
         WHERE found_at >= $1 AND found_at < $2 AND found_at <= $3 AND category <> $4",
    )
    .bind(ctx.period.start_ms())
    .bind(ctx.period.end_ms())
    .bind(ctx.as_of)
    .bind(CategoryCode::RectificationRefused.as_str())
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: String = r.try_get("id")?;
        let category = stored("findings", &id, "category", &r)?;
        out.push(Finding {
            key: format!("inspection:{id}"),
            source: FindingSource::Imported,
            department_id: r.try_get("department_id")?,
            category,
            occurred_at: r.try_get("found_at")?,
            item: None,
        });
    }
    Ok(out)
}

/// The rectifications not done in time: a finding of category
/// `rectification_refused` for every case whose deadline fell in the
/// period, before the as-of day, and passed without the rectification
/// ([`crate::cases::Case::overdue_on`]), each case judged as it stood on
/// the as-of day ([`crate::cases::flow::as_of`]). It became a fact at the
/// end of the deadline's day. (Lateness is not 拒不整改: the category's name reads
/// 未按期整改, and no notice presumes refusal.)
pub async fn of_cases(ctx: &Context, store: &Store) -> Result<Vec<Finding>, MetricsError> {
    let on = local_date(ctx.as_of);
    let first = ctx.period.first_day();
    let last = (ctx.period.end_day() - chrono::Days::new(1)).min(on - chrono::Days::new(1));
    if last < first {
        return Ok(Vec::new());
    }
    let missed = crate::cases::record::missed_deadlines(store, first, last, on)
        .await
        .map_err(|e| MetricsError::Cases(Box::new(e)))?;
    Ok(missed
        .into_iter()
        .map(|m| Finding {
            key: format!("case:{}", m.case_id),
            source: FindingSource::CaseDeadline,
            department_id: m.department_id,
            category: CategoryCode::RectificationRefused,
            occurred_at: Calendar::end_of_day(m.deadline).timestamp_millis(),
            item: None,
        })
        .collect())
}

/// The statuses of a breach that goes on (a duty still unmet): what
/// [`heal`] looks for to end, and what a recurrence is
/// ([`crate::cases::recurrence`]).
pub const ONGOING: [Status; 2] = [Status::Overdue, Status::Delinquent];

/// What the recorded detected findings `keys` break: the rule and the
/// record, per key (keys not recorded are left out).
pub async fn breaches_of(
    store: &Store,
    keys: &[String],
) -> Result<BTreeMap<String, (Rule, String)>, MetricsError> {
    let mut out = BTreeMap::new();
    for chunk in keys.chunks(500) {
        let placeholders = crate::store::placeholders(1, chunk.len());
        let sql = format!(
            "SELECT key, rule, record_id FROM detected_findings WHERE key IN ({placeholders})"
        );
        let mut query = sqlx::query(&sql);
        for k in chunk {
            query = query.bind(k);
        }
        for r in query.fetch_all(store.pool()).await? {
            let key: String = r.try_get("key")?;
            let rule: Rule = stored("detected_findings", &key, "rule", &r)?;
            out.insert(key, (rule, r.try_get("record_id")?));
        }
    }
    Ok(out)
}

/// When and why a breach ended, if it has: a stage done late ended when
/// it was done. An ongoing breach (overdue, delinquent) and an act
/// (violation) have none.
fn resolution(item: &CheckItem) -> Option<(i64, String)> {
    let done_late = item.status == Status::Late;
    item.done_at.filter(|_| done_late).map(|at| {
        (
            at,
            format!("{}（{}）", Status::Late.chinese(), local_date(at)),
        )
    })
}

/// Marks healed the recorded findings that were ongoing (overdue,
/// delinquent, unresolved) and that this run shows ended:
///
/// - judged again under the same key without a breach (a condition that
///   ended): resolved when the item was done, or as of the run;
/// - stale data refreshed: a freshness finding is keyed by the entry's last
///   update, so a refresh starts a new key for the same entry; the old
///   staleness ended when the new update came.
///
/// Rows judged as of a later instant already are left as they are; every
/// row stays. Returns how many were healed.
pub async fn heal(
    store: &Store,
    items: &[CheckItem],
    as_of: i64,
    now: i64,
) -> Result<u64, MetricsError> {
    let ongoing: Vec<(String, String, String)> = sqlx::query(
        "SELECT key, rule, record_id FROM detected_findings \
         WHERE resolved_at IS NULL AND status IN ($1, $2)",
    )
    .bind(ONGOING[0].as_str())
    .bind(ONGOING[1].as_str())
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let by_key: BTreeMap<&str, &CheckItem> = items.iter().map(|i| (i.key.as_str(), i)).collect();
    let refreshed: BTreeMap<&str, &CheckItem> = items
        .iter()
        .filter(|i| i.rule == Rule::Freshness)
        .map(|i| (i.id.as_str(), i))
        .collect();
    let mut healed = 0;
    let mut tx = store.begin().await?;
    for (key, rule, record_id) in &ongoing {
        let (item, at, cause) = match by_key.get(key.as_str()) {
            Some(item) if item.status.is_breach() => continue,
            Some(item) => (
                *item,
                item.done_at.unwrap_or(as_of).min(as_of),
                format!("最近判定为“{}”", item.status.chinese()),
            ),
            None if rule == Rule::Freshness.as_str() => {
                match refreshed
                    .get(record_id.as_str())
                    .and_then(|i| Some((*i, i.done_at?)))
                {
                    Some((item, at)) => (
                        item,
                        at.min(as_of),
                        format!("数据已于{}更新", local_date(at)),
                    ),
                    None => continue,
                }
            }
            None => continue,
        };
        healed += sqlx::query(
            "UPDATE detected_findings SET resolved_at = $1, resolved_cause = $2, as_of = $3, \
             last_seen_at = $4, status = CASE WHEN key = $6 THEN $5 ELSE status END \
             WHERE key = $7 AND as_of <= $3",
        )
        .bind(at)
        .bind(cause)
        .bind(as_of)
        .bind(now)
        .bind(item.status.as_str())
        .bind(&item.key)
        .bind(key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(healed)
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
    /// Recorded findings this run found healed ([`heal`]).
    pub healed: u64,
    /// Closed cases this run reopened: a finding of theirs recurred
    /// ([`crate::cases::recurrence`]).
    pub reopened: u64,
}

const COLUMNS: [&str; 19] = [
    "key",
    "rule",
    "deadline_key",
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
    "resolved_at",
    "resolved_cause",
];

/// Columns that follow the run with the latest as-of instant.
const FOLLOW_LATEST: [&str; 14] = [
    "rule",
    "deadline_key",
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
    "resolved_at",
    "resolved_cause",
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
        .filter(|f| f.source == FindingSource::Detected && f.item.is_some())
        .collect();
    let mut tx = store.begin().await?;
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
                .bind(item.deadline.map(DeadlineKey::as_str))
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
                .bind(now)
                .bind(resolution(item).map(|r| r.0))
                .bind(resolution(item).map(|r| r.1));
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
        healed: 0,
        reopened: 0,
    })
}

/// Parses a stored vocabulary column at the edge: a value the vocabulary
/// does not know is an error naming the row, never skipped.
fn stored<T: FromStr<Err = ParseNameError>>(
    table: &'static str,
    key: &str,
    column: &'static str,
    row: &AnyRow,
) -> Result<T, MetricsError> {
    let text: String = row.try_get(column)?;
    text.parse().map_err(|source| MetricsError::Stored {
        table,
        key: key.to_string(),
        column,
        source,
    })
}

/// A stored finding of a department: detected by the metrics and recorded,
/// or imported from an inspection.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFinding {
    /// `reply:R1` or `inspection:F1`.
    pub key: String,
    /// The category.
    pub category: CategoryCode,
    /// When the breach became a fact (or the inspection found it).
    pub occurred_at: i64,
    /// What is known of it, by source.
    pub detail: FindingDetail,
}

/// What a stored finding records, by where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum FindingDetail {
    /// Detected by the metrics (`detected_findings`).
    Detected {
        /// The rule broken.
        rule: Rule,
        /// The profile's deadline entry it applied, when recorded.
        deadline: Option<DeadlineKey>,
        /// The record (request, entry, grant, … id).
        record_id: String,
        /// The Chinese citation of the broken rule.
        citation_text: String,
        /// The status when last judged.
        status: Status,
        /// The due date.
        due: Option<NaiveDate>,
        /// When it was done, if it was (for freshness: the last update).
        done_at: Option<i64>,
        /// The instant it was last judged as of.
        judged_at: i64,
    },
    /// Found by an inspector (`findings`).
    Imported {
        /// The inspector.
        inspector: String,
        /// The evidence.
        evidence: String,
    },
}

impl StoredFinding {
    /// Detected or imported.
    pub fn source(&self) -> FindingSource {
        match self.detail {
            FindingDetail::Detected { .. } => FindingSource::Detected,
            FindingDetail::Imported { .. } => FindingSource::Imported,
        }
    }
}

/// The stored findings of a department whose breach occurred in `period`
/// (detected ones as recorded by `dukao check`/`dukao metrics`, imported
/// ones by their `found_at`), by category, then date, then key.
pub async fn stored_of_department(
    store: &Store,
    department_id: &str,
    period: &Period,
) -> Result<Vec<StoredFinding>, MetricsError> {
    let mut out = Vec::new();
    let detected = sqlx::query(
        "SELECT key, rule, deadline_key, record_id, category, citation_text, status, due, done_at, \
         occurred_at, as_of FROM detected_findings \
         WHERE department_id = $1 AND occurred_at >= $2 AND occurred_at < $3",
    )
    .bind(department_id)
    .bind(period.start_ms())
    .bind(period.end_ms())
    .fetch_all(store.pool())
    .await?;
    for r in detected {
        let key: String = r.try_get("key")?;
        let table = "detected_findings";
        let deadline = match r.try_get::<Option<String>, _>("deadline_key")? {
            Some(text) => Some(text.parse().map_err(|source| MetricsError::Stored {
                table,
                key: key.clone(),
                column: "deadline_key",
                source,
            })?),
            None => None,
        };
        let due = match r.try_get::<Option<String>, _>("due")? {
            Some(text) => Some(NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
                MetricsError::Decode(format!("{table} {key}: due {text:?} is not a date"))
            })?),
            None => None,
        };
        out.push(StoredFinding {
            category: stored(table, &key, "category", &r)?,
            occurred_at: r.try_get("occurred_at")?,
            detail: FindingDetail::Detected {
                rule: stored(table, &key, "rule", &r)?,
                deadline,
                record_id: r.try_get("record_id")?,
                citation_text: r.try_get("citation_text")?,
                status: stored(table, &key, "status", &r)?,
                due,
                done_at: r.try_get("done_at")?,
                judged_at: r.try_get("as_of")?,
            },
            key,
        });
    }
    let imported = sqlx::query(
        "SELECT id, category, found_at, inspector, evidence FROM findings \
         WHERE department_id = $1 AND found_at >= $2 AND found_at < $3",
    )
    .bind(department_id)
    .bind(period.start_ms())
    .bind(period.end_ms())
    .fetch_all(store.pool())
    .await?;
    for r in imported {
        let id: String = r.try_get("id")?;
        out.push(StoredFinding {
            category: stored("findings", &id, "category", &r)?,
            occurred_at: r.try_get("found_at")?,
            detail: FindingDetail::Imported {
                inspector: r.try_get("inspector")?,
                evidence: r.try_get("evidence")?,
            },
            key: format!("inspection:{id}"),
        });
    }
    out.sort_by(|a, b| {
        (a.category, local_date(a.occurred_at), &a.key).cmp(&(
            b.category,
            local_date(b.occurred_at),
            &b.key,
        ))
    });
    Ok(out)
}

/// Recorded detected findings per department (all years).
pub async fn count_per_department(store: &Store) -> Result<BTreeMap<String, i64>, MetricsError> {
    let rows =
        sqlx::query("SELECT department_id, COUNT(*) FROM detected_findings GROUP BY department_id")
            .fetch_all(store.pool())
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::approvals;
    use crate::metrics::testutil::{ctx_at, ms};
    use crate::vocab::CheckKind;

    #[test]
    fn findings_of_a_late_and_an_overdue_reply() {
        let ctx = ctx_at("2025-12-31T12:00:00+08:00");
        let row = |id: &str, replied: Option<&str>| approvals::RequestRow {
            id: id.into(),
            requester_id: "DEP-C-1".into(),
            provider_id: "DEP-C-2".into(),
            share_type: crate::vocab::ShareType::Conditional,
            submitted_at: ms("2025-09-26T10:00:00+08:00"),
            reviewed_at: Some(ms("2025-09-29T17:00:00+08:00")),
            forwarded_at: Some(ms("2025-09-29T17:30:00+08:00")),
            already_published: true,
            replied_at: replied.map(ms),
            decision: crate::vocab::Decision::Pending,
            reason_given: false,
        };
        let mut items = approvals::items(
            &ctx,
            &[
                row("R1", Some("2025-10-15T10:00:00+08:00")),
                row("R2", None),
            ],
        );
        items.iter_mut().for_each(CheckItem::classify);
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
        // The second row's placeholders follow the first row's 19.
        assert!(sql.contains("($20, $21"));
        assert!(sql.contains("resolved_at = CASE WHEN excluded.as_of >= detected_findings.as_of"));
        assert!(sql.contains("ON CONFLICT (key) DO UPDATE SET"));
        assert!(sql.contains("status = CASE WHEN excluded.as_of >= detected_findings.as_of"));
        assert!(!sql.contains("first_seen_at = "));
        let sql = upsert_sql(Backend::Sqlite, 1);
        assert_eq!(sql.matches('?').count(), COLUMNS.len());
    }
}
