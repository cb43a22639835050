//! Results stored for instant reading.
//!
//! Judging a year at city scale takes seconds; reading it must take
//! milliseconds. So only the scheduler (the daily scan), imports and the
//! background refresh compute ([`compute`]); pages and the API read what
//! they stored, keyed by kind, period, as-of instant and data version
//! ([`version`]). A reader learns from the [`Basis`] what a result rests on
//! and whether it is still current; a stale one is served marked stale
//! while [`refresh::Refresher`] recomputes it in the background, once.
//!
//! A result is stored as its head (the JSON without its per-unit arrays)
//! and its parts: runs of consecutive rows of one department or
//! jurisdiction in one array. The reader's scope is a condition of the
//! query on the parts ([`Reach::department_condition`],
//! [`Reach::jurisdiction_condition`]), never a filter after loading.
//! Owns `stored_results` and `stored_result_parts`.

pub mod cli;
pub mod compute;
pub mod refresh;
pub mod serve;
pub mod version;

use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::Row;

use crate::access::Reach;
use crate::metrics::summary::Level;
use crate::store::Store;
use crate::time::format_millis;
use crate::vocab::CheckKind;

/// The newest stored result's id as one scalar subquery: it moves with
/// every result stored, for a query that asks several owners at once
/// whether anything changed (the pages' cache: `pages::kept`).
pub const MARK: &str = "(SELECT COALESCE(MAX(id), 0) FROM stored_results)";

/// How many results of one kind and period are kept (the newest).
pub const KEPT_PER_PERIOD: i64 = 8;

/// When a result "as of now" is due for a refresh (`[results]` in
/// `dukao.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultsPolicy {
    /// Minutes after its as-of instant a result as of now is recomputed,
    /// even when the data did not change (deadlines pass with time).
    pub refresh_after_minutes: u64,
}

impl Default for ResultsPolicy {
    fn default() -> Self {
        ResultsPolicy {
            refresh_after_minutes: 60,
        }
    }
}

impl ResultsPolicy {
    /// The refresh interval in milliseconds.
    pub fn refresh_after_ms(&self) -> i64 {
        i64::try_from(self.refresh_after_minutes)
            .unwrap_or(i64::MAX / 60_000)
            .saturating_mul(60_000)
    }
}

/// Why a stored result could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// A stored result does not parse, or a result to store lacks a unit.
    #[error("stored result {kind} {period}: {message}")]
    Malformed {
        /// The kind.
        kind: String,
        /// The period.
        period: String,
        /// What is wrong.
        message: String,
    },
}

/// The array of a check's stored items.
pub const ITEMS: &str = "items";

/// What a stored result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResultKind {
    /// A year's evaluation (scores, grades, ranks, breakdowns), live.
    Evaluation,
    /// The per-department and per-jurisdiction summary of all checks.
    Summary,
    /// The items of one check.
    Check(CheckKind),
}

impl ResultKind {
    /// The stored name: `evaluation`, `summary`, `check:approvals`.
    pub fn name(self) -> String {
        match self {
            ResultKind::Evaluation => "evaluation".into(),
            ResultKind::Summary => "summary".into(),
            ResultKind::Check(kind) => format!("check:{kind}"),
        }
    }

    /// The revision of the kind's stored layout, moved on whenever what is
    /// stored changes shape (an array added, a field's meaning changed): a
    /// result stored under another revision is never read, as if none were
    /// stored, so it is computed again when next asked, and storing one of
    /// the current revision drops the others of its period. No migration
    /// has to delete results for a new layout.
    ///
    /// - summary 2: `rule_months` (each rule month by month).
    const fn revision(self) -> u32 {
        match self {
            ResultKind::Evaluation => 1,
            ResultKind::Summary => 2,
            ResultKind::Check(_) => 1,
        }
    }

    /// The name it is stored under: [`ResultKind::name`] and the layout's
    /// [`ResultKind::revision`] (`summary@2`).
    fn stored_name(self) -> String {
        format!("{}@{}", self.name(), self.revision())
    }

    /// Which arrays of the result hold rows of units, and whose.
    fn layout(self) -> &'static [(&'static str, UnitOf)] {
        match self {
            ResultKind::Evaluation => &[
                ("departments", UnitOf::Department("id")),
                ("counties", UnitOf::Jurisdiction("id")),
            ],
            ResultKind::Summary => &[
                ("checks", UnitOf::Level),
                ("findings", UnitOf::Level),
                ("rules", UnitOf::Level),
                ("months", UnitOf::Level),
                ("rule_months", UnitOf::Level),
            ],
            ResultKind::Check(_) => &[(ITEMS, UnitOf::Department("responsible_id"))],
        }
    }
}

/// Whose row a row of an array is.
#[derive(Debug, Clone, Copy)]
enum UnitOf {
    /// A department's, named by this field.
    Department(&'static str),
    /// A jurisdiction's, named by this field.
    Jurisdiction(&'static str),
    /// Its `level` field says which, its `id` field whose.
    Level,
}

impl UnitOf {
    fn of(self, row: &Value) -> Option<(Level, String)> {
        let text = |field: &str| row.get(field).and_then(Value::as_str).map(str::to_string);
        match self {
            UnitOf::Department(field) => Some((Level::Department, text(field)?)),
            UnitOf::Jurisdiction(field) => Some((Level::Jurisdiction, text(field)?)),
            UnitOf::Level => Some((text("level")?.parse().ok()?, text("id")?)),
        }
    }
}

/// What a stored result rests on, as every answer from it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Basis {
    /// The period (`2026`, `2026Q1`, `2026-03`).
    pub period: String,
    /// The instant it was judged as of.
    pub as_of: String,
    /// The data version it was computed from.
    pub data_version: i64,
    /// The data version now.
    pub current_version: i64,
    /// When it was computed.
    pub computed_at: String,
    /// How long computing it took, in milliseconds.
    pub compute_ms: i64,
    /// Whether a newer result is due: the data changed since, or it is
    /// older than the refresh interval. A recomputation is then under way.
    pub stale: bool,
}

/// A stored result as read: its key and its JSON, cut to the reader's
/// scope.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The as-of instant (ms).
    pub as_of: i64,
    /// The data version it was computed from.
    pub data_version: i64,
    /// When it was computed (ms).
    pub computed_at: i64,
    /// How long computing it took (ms).
    pub compute_ms: i64,
    /// The period.
    pub period: String,
    /// The result.
    pub value: Value,
}

/// The key of a result to store.
#[derive(Debug, Clone)]
pub struct Key<'a> {
    /// What it is.
    pub kind: ResultKind,
    /// Its period label.
    pub period: &'a str,
    /// Its as-of instant (ms).
    pub as_of: i64,
    /// The data version it was computed from.
    pub data_version: i64,
}

/// One part of a stored result: a run of consecutive rows of one unit in
/// one array, as compressed JSON.
#[derive(Debug, Clone)]
pub struct Part {
    /// The array.
    pub field: &'static str,
    /// The index of its first row in the array.
    pub position: i64,
    /// Whose rows: a department's or a jurisdiction's.
    pub level: Level,
    /// Its id.
    pub unit_id: String,
    /// The rows, a JSON array, zstd-compressed.
    pub body: Vec<u8>,
}

impl Part {
    /// The rows of one unit, serialised and compressed.
    pub fn of_rows<T: Serialize>(
        field: &'static str,
        position: i64,
        level: Level,
        unit_id: &str,
        rows: &[T],
    ) -> Result<Part, ResultsError> {
        Ok(Part {
            field,
            position,
            level,
            unit_id: unit_id.to_string(),
            body: compress(rows)?,
        })
    }
}

/// Stores a result given as JSON (replacing one with the same key): its
/// unit arrays are cut into parts by [`ResultKind`]'s layout.
pub async fn save(
    store: &Store,
    key: &Key<'_>,
    computed_at: i64,
    compute_ms: i64,
    value: &Value,
) -> Result<(), ResultsError> {
    let kind = key.kind.name();
    let malformed = |message: String| ResultsError::Malformed {
        kind: kind.clone(),
        period: key.period.to_string(),
        message,
    };
    let Value::Object(object) = value else {
        return Err(malformed("a stored result is a JSON object".into()));
    };
    let mut head = object.clone();
    let mut parts = Vec::new();
    for (field, unit_of) in key.kind.layout() {
        let Some(Value::Array(rows)) = head.remove(*field) else {
            return Err(malformed(format!("no array {field:?}")));
        };
        let mut position = 0_i64;
        let mut run: Vec<Value> = Vec::new();
        let mut run_unit: Option<(Level, String)> = None;
        for row in rows {
            let unit = unit_of
                .of(&row)
                .ok_or_else(|| malformed(format!("a row of {field:?} names no unit: {row}")))?;
            if run_unit.as_ref() != Some(&unit) && !run.is_empty() {
                let (level, id) = run_unit.take().expect("a run has its unit");
                parts.push(Part::of_rows(field, position, level, &id, &run)?);
                position += run.len() as i64;
                run.clear();
            }
            run_unit = Some(unit);
            run.push(row);
        }
        if let Some((level, id)) = run_unit {
            parts.push(Part::of_rows(field, position, level, &id, &run)?);
        }
    }
    save_parts(
        store,
        key,
        computed_at,
        compute_ms,
        &Value::Object(head),
        &parts,
    )
    .await
}

/// Stores a result as its head and its parts (replacing one with the same
/// key), and keeps only the newest [`KEPT_PER_PERIOD`] of its kind and
/// period.
pub async fn save_parts(
    store: &Store,
    key: &Key<'_>,
    computed_at: i64,
    compute_ms: i64,
    head: &Value,
    parts: &[Part],
) -> Result<(), ResultsError> {
    let kind = key.kind.stored_name();
    let mut tx = store.begin().await?;
    sqlx::query(
        "DELETE FROM stored_results WHERE kind = $1 AND period = $2 AND as_of = $3 \
         AND data_version = $4",
    )
    .bind(&kind)
    .bind(key.period)
    .bind(key.as_of)
    .bind(key.data_version)
    .execute(&mut *tx)
    .await?;
    let id: i64 = sqlx::query(
        "INSERT INTO stored_results (kind, period, as_of, data_version, computed_at, compute_ms, head) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&kind)
    .bind(key.period)
    .bind(key.as_of)
    .bind(key.data_version)
    .bind(computed_at)
    .bind(compute_ms)
    .bind(head.to_string())
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    const PER_STATEMENT: usize = 500;
    for chunk in parts.chunks(PER_STATEMENT) {
        let mut sql = String::from(
            "INSERT INTO stored_result_parts (result_id, field, position, level, unit_id, body) VALUES ",
        );
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 6;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6
                )
            })
            .collect();
        sql.push_str(&rows.join(", "));
        let mut q = sqlx::query(&sql);
        for part in chunk {
            q = q
                .bind(id)
                .bind(part.field)
                .bind(part.position)
                .bind(part.level.as_str())
                .bind(part.unit_id.as_str())
                .bind(part.body.as_slice());
        }
        q.execute(&mut *tx).await?;
    }
    // Results of this kind and period in an earlier layout (stored under
    // the bare name before layouts had revisions, or another revision)
    // are never read again.
    sqlx::query(
        "DELETE FROM stored_results WHERE period = $1 AND kind <> $2 \
         AND (kind = $3 OR kind LIKE $4)",
    )
    .bind(key.period)
    .bind(&kind)
    .bind(key.kind.name())
    .bind(format!("{}@%", key.kind.name()))
    .execute(&mut *tx)
    .await?;
    // Keep the newest few of this kind and period (parts go with them).
    sqlx::query(
        "DELETE FROM stored_results WHERE kind = $1 AND period = $2 AND id NOT IN \
         (SELECT id FROM stored_results WHERE kind = $1 AND period = $2 \
          ORDER BY computed_at DESC, id DESC LIMIT $3)",
    )
    .bind(&kind)
    .bind(key.period)
    .bind(KEPT_PER_PERIOD)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How hard parts are compressed: zstd's fast levels already shrink the
/// repetitive JSON of items about tenfold.
const ZSTD_LEVEL: i32 = 3;

fn compress<T: Serialize + ?Sized>(rows: &T) -> Result<Vec<u8>, ResultsError> {
    let json = serde_json::to_vec(rows).map_err(|e| ResultsError::Malformed {
        kind: "part".into(),
        period: String::new(),
        message: e.to_string(),
    })?;
    zstd::encode_all(json.as_slice(), ZSTD_LEVEL).map_err(|e| ResultsError::Malformed {
        kind: "part".into(),
        period: String::new(),
        message: format!("compressing: {e}"),
    })
}

/// Which stored result to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// The newest one.
    Latest,
    /// The newest one judged as of exactly this instant.
    AsOf(i64),
}

/// What identifies a stored result and what it rests on, without its
/// body (one short query: what a reader checks before anything else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Row id (a new computation is a new id).
    pub id: i64,
    /// The kind.
    pub kind: ResultKind,
    /// The period.
    pub period: String,
    /// The as-of instant (ms).
    pub as_of: i64,
    /// The data version it was computed from.
    pub data_version: i64,
    /// When it was computed (ms).
    pub computed_at: i64,
    /// How long computing it took (ms).
    pub compute_ms: i64,
}

impl Header {
    /// Its basis, given the current data version and whether it is due for
    /// a refresh.
    pub fn basis(&self, current_version: i64, stale: bool) -> Basis {
        Basis {
            period: self.period.clone(),
            as_of: format_millis(self.as_of),
            data_version: self.data_version,
            current_version,
            computed_at: format_millis(self.computed_at),
            compute_ms: self.compute_ms,
            stale,
        }
    }
}

/// The header of the stored result of `kind` and `period` wanted, if one
/// is stored.
pub async fn header(
    store: &Store,
    kind: ResultKind,
    period: &str,
    wanted: Wanted,
) -> Result<Option<Header>, ResultsError> {
    let (filter, as_of) = match wanted {
        Wanted::Latest => ("", None),
        Wanted::AsOf(ms) => (" AND as_of = $3", Some(ms)),
    };
    let sql = format!(
        "SELECT id, as_of, data_version, computed_at, compute_ms FROM stored_results \
         WHERE kind = $1 AND period = $2{filter} ORDER BY computed_at DESC, id DESC LIMIT 1"
    );
    let mut q = sqlx::query(&sql).bind(kind.stored_name()).bind(period);
    if let Some(ms) = as_of {
        q = q.bind(ms);
    }
    let Some(row) = q.fetch_optional(store.pool()).await? else {
        return Ok(None);
    };
    Ok(Some(Header {
        id: row.try_get(0)?,
        kind,
        period: period.to_string(),
        as_of: row.try_get(1)?,
        data_version: row.try_get(2)?,
        computed_at: row.try_get(3)?,
        compute_ms: row.try_get(4)?,
    }))
}

/// The stored result of `kind` and `period`, cut to `reach` in the query;
/// `None` when none is stored.
pub async fn load(
    store: &Store,
    kind: ResultKind,
    period: &str,
    wanted: Wanted,
    reach: &Reach,
) -> Result<Option<Stored>, ResultsError> {
    match header(store, kind, period, wanted).await? {
        Some(h) => Ok(Some(body(store, &h, reach).await?)),
        None => Ok(None),
    }
}

/// The stored result of `kind` and `period` with only the unit arrays
/// `only` of its layout (the others absent), cut to `reach` in the query:
/// what a reader needs of a large result (总览's comparison with last year
/// reads its totals, not its months).
pub async fn load_arrays(
    store: &Store,
    kind: ResultKind,
    period: &str,
    wanted: Wanted,
    reach: &Reach,
    only: &[&str],
) -> Result<Option<Stored>, ResultsError> {
    match header(store, kind, period, wanted).await? {
        Some(h) => Ok(Some(body_of(store, &h, reach, Some(only)).await?)),
        None => Ok(None),
    }
}

/// The body of the stored result `h`, cut to `reach` in the query.
pub async fn body(store: &Store, h: &Header, reach: &Reach) -> Result<Stored, ResultsError> {
    body_of(store, h, reach, None).await
}

/// The body of `h` cut to `reach`, with the unit arrays `only` (`None`:
/// all of its layout).
async fn body_of(
    store: &Store,
    h: &Header,
    reach: &Reach,
    only: Option<&[&str]>,
) -> Result<Stored, ResultsError> {
    let name = h.kind.name();
    let period = h.period.as_str();
    let kind = h.kind;
    let id = h.id;
    let malformed = |message: String| ResultsError::Malformed {
        kind: name.clone(),
        period: period.to_string(),
        message,
    };
    let head: String = sqlx::query("SELECT head FROM stored_results WHERE id = $1")
        .bind(id)
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
    let Value::Object(mut object) =
        serde_json::from_str(&head).map_err(|e| malformed(e.to_string()))?
    else {
        return Err(malformed("the head is not a JSON object".into()));
    };
    let fields: Vec<&str> = kind
        .layout()
        .iter()
        .map(|(field, _)| *field)
        .filter(|field| only.is_none_or(|only| only.contains(field)))
        .collect();
    if let Some(unknown) = only
        .unwrap_or(&[])
        .iter()
        .find(|field| !fields.contains(field))
    {
        return Err(malformed(format!("no array {unknown:?} in its layout")));
    }
    let (departments, mut params) = reach.department_condition("unit_id", 4);
    let (jurisdictions, more) = reach.jurisdiction_condition("unit_id", 4 + params.len());
    params.extend(more);
    let first_field = 4 + params.len();
    params.extend(fields.iter().map(|f| f.to_string()));
    let sql = format!(
        "SELECT field, body FROM stored_result_parts WHERE result_id = $1 AND \
         ((level = $2 AND {departments}) OR (level = $3 AND {jurisdictions})) \
         AND field IN ({}) ORDER BY field, position",
        crate::store::placeholders(first_field, fields.len())
    );
    let mut q = sqlx::query(&sql)
        .bind(id)
        .bind(Level::Department.as_str())
        .bind(Level::Jurisdiction.as_str());
    for p in &params {
        q = q.bind(p.as_str());
    }
    let mut arrays: Map<String, Value> = fields
        .iter()
        .map(|field| (field.to_string(), Value::Array(Vec::new())))
        .collect();
    for part in q.fetch_all(store.pool()).await? {
        let field: String = part.try_get(0)?;
        let body: Vec<u8> = part.try_get(1)?;
        let json = zstd::decode_all(body.as_slice())
            .map_err(|e| malformed(format!("a part of {field:?} does not decompress: {e}")))?;
        let Value::Array(rows) =
            serde_json::from_slice(&json).map_err(|e| malformed(e.to_string()))?
        else {
            return Err(malformed(format!("a part of {field:?} is not an array")));
        };
        match arrays.get_mut(&field) {
            Some(Value::Array(all)) => all.extend(rows),
            _ => return Err(malformed(format!("a part of an unknown array {field:?}"))),
        }
    }
    object.extend(arrays);
    Ok(Stored {
        as_of: h.as_of,
        data_version: h.data_version,
        computed_at: h.computed_at,
        compute_ms: h.compute_ms,
        period: period.to_string(),
        value: Value::Object(object),
    })
}
