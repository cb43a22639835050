//! Checking the chain from the first entry to the head.

use serde::Serialize;
use sqlx::Row;

use super::{AuditError, ENTRY_COLUMNS, GENESIS, entry_hash, entry_of};
use crate::store::Store;

/// Entries read per query while verifying.
const PAGE: i64 = 5_000;

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Entries checked.
    pub entries: i64,
    /// The hash of the last entry checked (the chain's head when intact).
    pub head: String,
    /// The first break, if any; `None` means the chain is intact.
    pub broken: Option<Break>,
}

impl Verification {
    /// Whether the chain is intact.
    pub fn intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// Where and how the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// The sequence number of the first entry that does not check out (for
    /// a cut-off tail: the head's number).
    pub seq: i64,
    /// What is wrong, in words (Chinese: shown to inspectors and leaders).
    pub reason: String,
}

/// Recomputes every entry's hash in order and checks the links, the
/// numbering (1, 2, 3, … without gaps) and that the head row names the last
/// entry. Stops at the first break.
pub async fn verify(store: &Store) -> Result<Verification, AuditError> {
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut entries = 0;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2"
        ))
        .bind(expected_seq)
        .bind(PAGE)
        .fetch_all(store.pool())
        .await?;
        let last_page = (rows.len() as i64) < PAGE;
        for row in &rows {
            let e = entry_of(row)?;
            let fail = |reason: String| Verification {
                entries,
                head: prev.clone(),
                broken: Some(Break { seq: e.seq, reason }),
            };
            if e.seq != expected_seq {
                return Ok(fail(format!(
                    "第{expected_seq}条记录缺失（其后为第{}条）",
                    e.seq
                )));
            }
            if e.prev_hash != prev {
                return Ok(fail(format!(
                    "第{}条记录的前序哈希为{}，与第{}条记录的哈希{}不符",
                    e.seq,
                    e.prev_hash,
                    e.seq - 1,
                    prev
                )));
            }
            let recomputed = entry_hash(
                &e.prev_hash,
                e.seq,
                e.at,
                &e.actor,
                &e.action,
                &e.subject,
                &e.details,
            );
            if recomputed != e.hash {
                return Ok(fail(format!(
                    "第{}条记录已被改动：按其内容计算的哈希为{recomputed}，与存储的{}不符",
                    e.seq, e.hash
                )));
            }
            prev = e.hash;
            expected_seq += 1;
            entries += 1;
        }
        if last_page {
            break;
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(store.pool())
        .await?;
    let (head_seq, head_hash): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
    let broken = (head_seq != entries || head_hash != prev).then(|| Break {
        seq: head_seq,
        reason: format!(
            "链头指向第{head_seq}条记录（{head_hash}），但日志止于第{entries}条（{prev}）：末尾记录已被删除"
        ),
    });
    Ok(Verification {
        entries,
        head: prev,
        broken,
    })
}
