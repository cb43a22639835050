//! The audit trail: every state change an inspector or leader makes (issuing
//! a document, freezing an evaluation) appends an entry, in the transaction
//! of the change itself, so a change is never stored without its entry nor
//! an entry without its change.
//!
//! The entries form a hash chain: each entry's `hash` is the SHA-256 of the
//! previous entry's hash and of its own fields, so editing, removing or
//! reordering any entry breaks every hash after it, and [`verify`] finds the
//! first break. The store refuses UPDATE and DELETE on `audit_log`; the
//! one-row `audit_head` holds the sequence number and hash of the last entry,
//! which both serialises appenders (its row lock, on PostgreSQL; SQLite has
//! one writer) and reveals a cut-off tail.

pub mod api;
mod cli;
mod verify;

pub use cli::{AuditArgs, run_audit};
pub use verify::{Break, Verification, verify};

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use crate::digest::hex;
use crate::store::Store;
use crate::time::{format_millis, now_millis};
use crate::vocab::AuditAction;

/// The sequence number of the last entry as one scalar subquery: it moves
/// with every audited change (a case step, a document issued, an
/// evaluation frozen, a user changed), for a query that asks several
/// owners at once whether anything changed (the pages' cache:
/// `pages::kept`).
pub const MARK: &str = "(SELECT seq FROM audit_head WHERE id = 1)";

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Why reading or checking the trail failed.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

/// A state change to record.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// Who made it (user name; `api` or `cli` where no user is known).
    pub actor: &'a str,
    /// What was done.
    pub action: AuditAction,
    /// What it was done to, `kind:id`: `document:12`, `evaluation:2025`.
    pub subject: String,
    /// The particulars (number, digest, …).
    pub details: serde_json::Value,
}

/// One recorded entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When, milliseconds since the Unix epoch.
    pub at: i64,
    /// When, RFC 3339 in Asia/Shanghai.
    pub at_text: String,
    /// Who.
    pub actor: String,
    /// What, as recorded (`document.issue`: an [`AuditAction`]'s name; kept
    /// as the stored text, which the hash covers).
    pub action: String,
    /// To what.
    pub subject: String,
    /// The particulars, as stored (JSON text).
    pub details: String,
    /// The previous entry's hash ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// SHA-256 of `prev_hash` and the fields above ([`entry_hash`]).
    pub hash: String,
}

/// The hash of an entry: SHA-256 over the previous hash and each field,
/// every field preceded by its length so that no two different entries
/// encode alike. Hex, lower case.
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    subject: &str,
    details: &str,
) -> String {
    let mut h = Sha256::new();
    for field in [
        prev_hash.as_bytes(),
        &seq.to_be_bytes(),
        &at.to_be_bytes(),
        actor.as_bytes(),
        action.as_bytes(),
        subject.as_bytes(),
        details.as_bytes(),
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field);
    }
    hex(&h.finalize())
}

/// Appends `change` to the trail inside `tx`, the transaction of the change
/// itself: the entry commits or rolls back with it.
pub async fn append(
    tx: &mut Transaction<'_, Any>,
    change: &Change<'_>,
) -> Result<Entry, AuditError> {
    // Taking the next number locks the head row until the transaction ends,
    // so concurrent appenders queue and the chain stays linear.
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let seq: i64 = head.try_get(0)?;
    let prev_hash: String = head.try_get(1)?;
    let at = now_millis();
    let details = change.details.to_string();
    let hash = entry_hash(
        &prev_hash,
        seq,
        at,
        change.actor,
        change.action.as_str(),
        &change.subject,
        &details,
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(at)
    .bind(change.actor)
    .bind(change.action.as_str())
    .bind(&change.subject)
    .bind(&details)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(Entry {
        seq,
        at,
        at_text: format_millis(at),
        actor: change.actor.to_string(),
        action: change.action.to_string(),
        subject: change.subject.clone(),
        details,
        prev_hash,
        hash,
    })
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only entries about this subject (`document:12`).
    pub subject: Option<String>,
    /// Only entries before this sequence number (paging backwards).
    pub before: Option<i64>,
    /// At most this many (newest first).
    pub limit: i64,
}

impl Filter {
    /// The newest `limit` entries, whatever their subject.
    pub fn newest(limit: i64) -> Filter {
        Filter {
            limit,
            ..Filter::default()
        }
    }
}

/// The newest entries matching `filter`, newest first.
pub async fn list(store: &Store, filter: &Filter) -> Result<Vec<Entry>, AuditError> {
    let rows = sqlx::query(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log \
         WHERE ($1 = '' OR subject = $1) AND seq < $2 ORDER BY seq DESC LIMIT $3"
    ))
    .bind(filter.subject.clone().unwrap_or_default())
    .bind(filter.before.unwrap_or(i64::MAX))
    .bind(filter.limit.clamp(1, 10_000))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(entry_of).collect()
}

/// The columns [`entry_of`] reads, in its order.
const ENTRY_COLUMNS: &str = "seq, at, actor, action, subject, details, prev_hash, hash";

/// An entry from a row of [`ENTRY_COLUMNS`].
fn entry_of(r: &sqlx::any::AnyRow) -> Result<Entry, AuditError> {
    let at: i64 = r.try_get(1)?;
    Ok(Entry {
        seq: r.try_get(0)?,
        at,
        at_text: format_millis(at),
        actor: r.try_get(2)?,
        action: r.try_get(3)?,
        subject: r.try_get(4)?,
        details: r.try_get(5)?,
        prev_hash: r.try_get(6)?,
        hash: r.try_get(7)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_every_field_and_the_previous_hash() {
        let base = entry_hash(GENESIS, 1, 10, "王明", "document.issue", "document:1", "{}");
        assert_eq!(base.len(), 64);
        assert_eq!(
            base,
            entry_hash(GENESIS, 1, 10, "王明", "document.issue", "document:1", "{}")
        );
        let variants = [
            entry_hash(
                &"1".repeat(64),
                1,
                10,
                "王明",
                "document.issue",
                "document:1",
                "{}",
            ),
            entry_hash(GENESIS, 2, 10, "王明", "document.issue", "document:1", "{}"),
            entry_hash(GENESIS, 1, 11, "王明", "document.issue", "document:1", "{}"),
            entry_hash(GENESIS, 1, 10, "李华", "document.issue", "document:1", "{}"),
            entry_hash(
                GENESIS,
                1,
                10,
                "王明",
                "evaluation.freeze",
                "document:1",
                "{}",
            ),
            entry_hash(GENESIS, 1, 10, "王明", "document.issue", "document:2", "{}"),
            entry_hash(
                GENESIS,
                1,
                10,
                "王明",
                "document.issue",
                "document:1",
                "{\"a\":1}",
            ),
        ];
        for v in variants {
            assert_ne!(v, base);
        }
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        // Without length prefixes "ab"+"c" and "a"+"bc" would hash alike.
        assert_ne!(
            entry_hash(GENESIS, 1, 1, "ab", "c", "s", "{}"),
            entry_hash(GENESIS, 1, 1, "a", "bc", "s", "{}")
        );
    }
}
