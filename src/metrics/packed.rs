//! Bulk reads with one text value per row.
//!
//! Through sqlx's `Any` driver every *value* of a result costs a few
//! microseconds (on the city-scale demo, 210,000 requests × 11 columns took
//! 8.5 s at opt-level 1; the same rows as one text value each, 1.2 s). The
//! bulk loaders of the checks therefore have the database concatenate each
//! row into one string, fields separated by U+001F (unit separator, bound as
//! a parameter so the SQL stays the same on both backends), and split it
//! here. Only portable SQL is used: `||`, `COALESCE`, `CAST(… AS TEXT)`,
//! `CASE WHEN`. Free text (reasons, bases) is never packed: the query
//! answers whether it is blank instead.

use sqlx::Row;

use super::MetricsError;
use crate::store::Store;
use crate::vocab::ParseNameError;

/// The field separator.
pub(crate) const SEPARATOR: &str = "\u{1f}";

/// A non-null text column (an id, an enum).
pub(crate) fn text(column: &str) -> String {
    format!("COALESCE({column}, '')")
}

/// A BIGINT column, possibly null (empty when null).
pub(crate) fn int(column: &str) -> String {
    format!("COALESCE(CAST({column} AS TEXT), '')")
}

/// A boolean column (PostgreSQL BOOLEAN, SQLite 0/1): `1`, `0`, or empty.
pub(crate) fn boolean(column: &str) -> String {
    format!("CASE WHEN {column} IS NULL THEN '' WHEN {column} THEN '1' ELSE '0' END")
}

/// Whether a free-text column is null or blank: `1` or `0`.
pub(crate) fn blank(column: &str) -> String {
    format!("CASE WHEN {column} IS NULL OR TRIM({column}) = '' THEN '1' ELSE '0' END")
}

/// Stands for the separator's parameter in SQL text; [`fetch`] numbers it
/// after the query's own parameters, so no caller counts them by hand (a
/// miscount once bound an instant to the separator's place).
pub(crate) const SEPARATOR_PARAM: &str = "$SEP";

/// The packed row expression: `e1 || $SEP || e2 || …`.
pub(crate) fn row(exprs: &[String]) -> String {
    exprs.join(&format!(" || {SEPARATOR_PARAM} || "))
}

/// Runs `sql` (whose single column is a packed row) with `binds` as `$1…`
/// and the separator as the next parameter, in place of every
/// [`SEPARATOR_PARAM`]; returns the packed rows.
pub(crate) async fn fetch(
    store: &Store,
    sql: &str,
    binds: &[i64],
) -> Result<Vec<String>, MetricsError> {
    let sql = number_separator(sql, binds.len());
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(*b);
    }
    q = q.bind(SEPARATOR);
    let rows = q.fetch_all(store.pool()).await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(MetricsError::from))
        .collect()
}

/// [`fetch`], each packed row decoded by `decode` from its [`Fields`].
pub(crate) async fn fetch_decoded<T>(
    store: &Store,
    sql: &str,
    binds: &[i64],
    mut decode: impl FnMut(&mut Fields<'_>) -> Result<T, MetricsError>,
) -> Result<Vec<T>, MetricsError> {
    fetch(store, sql, binds)
        .await?
        .iter()
        .map(|r| decode(&mut Fields::new(r)))
        .collect()
}

/// `sql` with [`SEPARATOR_PARAM`] numbered after `binds` parameters.
fn number_separator(sql: &str, binds: usize) -> String {
    sql.replace(SEPARATOR_PARAM, &format!("${}", binds + 1))
}

/// The fields of one packed row, read in order.
pub(crate) struct Fields<'a> {
    row: &'a str,
    parts: std::str::Split<'a, &'static str>,
}

impl<'a> Fields<'a> {
    /// Starts reading a packed row.
    pub(crate) fn new(row: &'a str) -> Fields<'a> {
        Fields {
            row,
            parts: row.split(SEPARATOR),
        }
    }

    fn bad(&self, what: &str) -> MetricsError {
        MetricsError::Decode(format!("{what} in packed row {:?}", self.row))
    }

    /// The next field as text.
    pub(crate) fn str(&mut self) -> Result<&'a str, MetricsError> {
        self.parts.next().ok_or_else(|| self.bad("missing field"))
    }

    /// The next field as a name of a vocabulary ([`crate::vocab`]), parsed
    /// here, where the stored text is read.
    pub(crate) fn name<T: std::str::FromStr<Err = ParseNameError>>(
        &mut self,
    ) -> Result<T, MetricsError> {
        let text = self.str()?;
        text.parse()
            .map_err(|e: ParseNameError| self.bad(&e.to_string()))
    }

    /// The next field as an owned string.
    pub(crate) fn string(&mut self) -> Result<String, MetricsError> {
        self.str().map(str::to_string)
    }

    /// The next field as an optional integer (empty = null).
    pub(crate) fn opt_int(&mut self) -> Result<Option<i64>, MetricsError> {
        let s = self.str()?;
        if s.is_empty() {
            return Ok(None);
        }
        s.parse().map(Some).map_err(|_| self.bad("not an integer"))
    }

    /// The next field as an integer.
    pub(crate) fn int(&mut self) -> Result<i64, MetricsError> {
        self.opt_int()?.ok_or_else(|| self.bad("null integer"))
    }

    /// The next field as an optional boolean (`1`, `0`, empty).
    pub(crate) fn opt_bool(&mut self) -> Result<Option<bool>, MetricsError> {
        match self.str()? {
            "" => Ok(None),
            "1" => Ok(Some(true)),
            "0" => Ok(Some(false)),
            other => Err(self.bad(&format!("{other:?} is not a boolean"))),
        }
    }

    /// The next field as a boolean (null is false).
    pub(crate) fn bool(&mut self) -> Result<bool, MetricsError> {
        Ok(self.opt_bool()?.unwrap_or(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_in_order() {
        let row = format!("REQ-1{SEPARATOR}{SEPARATOR}1735660800000{SEPARATOR}1{SEPARATOR}x");
        let mut f = Fields::new(&row);
        assert_eq!(f.str().unwrap(), "REQ-1");
        assert_eq!(f.opt_int().unwrap(), None);
        assert_eq!(f.int().unwrap(), 1_735_660_800_000);
        assert!(f.bool().unwrap());
        assert!(f.opt_bool().is_err());
        assert!(f.str().is_err());
        assert_eq!(
            row_sql(),
            "COALESCE(id, '') || $4 || COALESCE(CAST(at AS TEXT), '')"
        );
    }

    /// A packed row in a query with three parameters of its own.
    fn row_sql() -> String {
        number_separator(&row(&[text("id"), int("at")]), 3)
    }
}
