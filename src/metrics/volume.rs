//! What the platform carried in a period: catalog entries in force, share
//! requests by type, decision, provider, requester and month, grants given
//! and calls made. Counted in the store (GROUP BY), never row by row; the
//! annual report prints them beside the checks' judgements.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use sqlx::Row;

use super::{Context, MetricsError};
use crate::store::Store;
use crate::time::local_date;
use crate::vocab::{Decision, ParseNameError, ShareType};

/// Offset of Asia/Shanghai from UTC, in milliseconds (no daylight saving).
const SHANGHAI_OFFSET_MS: i64 = 8 * 3_600_000;

/// The share requests of a period, counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestVolume {
    /// Requests submitted.
    pub total: i64,
    /// Per decision.
    pub by_decision: BTreeMap<Decision, i64>,
    /// Per share type.
    pub by_share_type: BTreeMap<ShareType, i64>,
    /// Per providing department.
    pub by_provider: BTreeMap<String, i64>,
    /// Per requesting department.
    pub by_requester: BTreeMap<String, i64>,
    /// Per calendar month of submission (January first), Asia/Shanghai.
    pub by_month: [i64; 12],
}

/// What the platform carried in a period, up to the as-of instant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Volume {
    /// Catalog entries in force at the end (published, not withdrawn), per
    /// share type.
    pub entries: BTreeMap<ShareType, i64>,
    /// Share requests submitted.
    pub requests: RequestVolume,
    /// Grants given.
    pub grants: i64,
    /// Calls made through grants (the access log's `calls`).
    pub calls: i64,
}

impl Volume {
    /// Catalog entries in force, of all share types.
    pub fn entries_total(&self) -> i64 {
        self.entries.values().sum()
    }

    /// Requests with this decision.
    pub fn requests_decided(&self, decision: Decision) -> i64 {
        self.requests
            .by_decision
            .get(&decision)
            .copied()
            .unwrap_or(0)
    }

    /// Requests of this share type.
    pub fn requests_of_type(&self, share_type: ShareType) -> i64 {
        self.requests
            .by_share_type
            .get(&share_type)
            .copied()
            .unwrap_or(0)
    }

    /// Entries in force of this share type.
    pub fn entries_of_type(&self, share_type: ShareType) -> i64 {
        self.entries.get(&share_type).copied().unwrap_or(0)
    }
}

fn parse<T: FromStr<Err = ParseNameError>>(
    table: &'static str,
    column: &'static str,
    text: &str,
) -> Result<T, MetricsError> {
    text.parse().map_err(|source| MetricsError::Stored {
        table,
        key: format!("(rows with {column} {text:?})"),
        column,
        source,
    })
}

/// Counts the period's volume, up to the as-of instant.
pub async fn load(ctx: &Context, store: &Store) -> Result<Volume, MetricsError> {
    let start = ctx.period.start_ms();
    let end = ctx.period.end_ms().min(ctx.as_of + 1);
    let pool = store.pool();

    let mut entries = BTreeMap::new();
    for r in sqlx::query(
        "SELECT share_type, COUNT(*) FROM catalog_entries \
         WHERE published_at < $1 AND (withdrawn_at IS NULL OR withdrawn_at >= $1) \
         GROUP BY share_type",
    )
    .bind(end)
    .fetch_all(pool)
    .await?
    {
        let share_type: String = r.try_get(0)?;
        entries.insert(
            parse("catalog_entries", "share_type", &share_type)?,
            r.try_get::<i64, _>(1)?,
        );
    }

    let in_period = "FROM share_requests WHERE submitted_at >= $1 AND submitted_at < $2";
    let mut requests = RequestVolume::default();
    for r in sqlx::query(&format!(
        "SELECT share_type, decision, COUNT(*) {in_period} GROUP BY share_type, decision"
    ))
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await?
    {
        let (share_type, decision): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let n: i64 = r.try_get(2)?;
        requests.total += n;
        *requests
            .by_share_type
            .entry(parse("share_requests", "share_type", &share_type)?)
            .or_default() += n;
        *requests
            .by_decision
            .entry(parse("share_requests", "decision", &decision)?)
            .or_default() += n;
    }
    for (column, into) in [
        ("provider_id", &mut requests.by_provider),
        ("requester_id", &mut requests.by_requester),
    ] {
        for r in sqlx::query(&format!(
            "SELECT {column}, COUNT(*) {in_period} GROUP BY {column}"
        ))
        .bind(start)
        .bind(end)
        .fetch_all(pool)
        .await?
        {
            into.insert(r.try_get(0)?, r.try_get(1)?);
        }
    }
    // Per local day (Asia/Shanghai has no daylight saving), then per month.
    for r in sqlx::query(&format!(
        "SELECT (submitted_at + {SHANGHAI_OFFSET_MS}) / 86400000 AS day, COUNT(*) {in_period} \
         GROUP BY (submitted_at + {SHANGHAI_OFFSET_MS}) / 86400000"
    ))
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await?
    {
        let day: i64 = r.try_get(0)?;
        let date: NaiveDate = local_date(day * 86_400_000 - SHANGHAI_OFFSET_MS);
        requests.by_month[date.month0() as usize] += r.try_get::<i64, _>(1)?;
    }

    let grants: i64 =
        sqlx::query("SELECT COUNT(*) FROM grants WHERE granted_at >= $1 AND granted_at < $2")
            .bind(start)
            .bind(end)
            .fetch_one(pool)
            .await?
            .try_get(0)?;
    let calls: Option<i64> =
        sqlx::query("SELECT CAST(SUM(calls) AS BIGINT) FROM access_log WHERE at >= $1 AND at < $2")
            .bind(start)
            .bind(end)
            .fetch_one(pool)
            .await?
            .try_get(0)?;
    Ok(Volume {
        entries,
        requests,
        grants,
        calls: calls.unwrap_or(0),
    })
}
