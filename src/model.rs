//! The interchange format v1: one declarative specification per table.
//!
//! Every table the platform exports is described here once — its columns, what
//! each column may hold, which columns form the key and which rows a column
//! refers to. The importer validates rows against these specs and builds its
//! upsert statements from them, so adding a column is a change in one place
//! (plus a migration).

use std::fmt;

use crate::vocab::{
    ApplicantKind, CatalogEventKind, CategoryCode, CorrectionOutcome, Decision, DutyChangeKind,
    JurisdictionLevel, OpenType, ShareType, UpdateCycle,
};

/// What a column may hold; drives parsing and validation of each cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// The platform's own id of this row (unique within the table).
    Id,
    /// Free text.
    Text,
    /// One of a fixed set of values: the names of a vocabulary of
    /// [`crate::vocab`] (`ShareType::NAMES`).
    Enum(&'static [&'static str]),
    /// An id of a row in another (or the same) table.
    Ref(TableName),
    /// RFC 3339 timestamp; without an offset it is Asia/Shanghai local time.
    Timestamp,
    /// `true` or `false`.
    Bool,
    /// A non-negative whole number.
    Count,
    /// 统一社会信用代码 (GB 32100).
    CreditCode,
    /// 身份证号 (GB 11643) or 统一社会信用代码, depending on `applicant_kind`.
    ApplicantCode,
    /// The id of a regulation profile, one of the profiles the deployment
    /// loaded (the shipped five and the bureau's own, [`crate::rules::Profiles`]).
    Profile,
}

/// How a cell is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StorageType {
    /// TEXT
    Text,
    /// BIGINT (counts; timestamps as milliseconds since the Unix epoch, UTC)
    Integer,
    /// BOOLEAN (INTEGER 0/1 on SQLite)
    Bool,
}

impl ColumnKind {
    /// The storage type of a cell of this kind.
    pub fn storage(self) -> StorageType {
        match self {
            ColumnKind::Timestamp | ColumnKind::Count => StorageType::Integer,
            ColumnKind::Bool => StorageType::Bool,
            ColumnKind::Id
            | ColumnKind::Text
            | ColumnKind::Enum(_)
            | ColumnKind::Ref(_)
            | ColumnKind::CreditCode
            | ColumnKind::ApplicantCode
            | ColumnKind::Profile => StorageType::Text,
        }
    }

    /// Whether a value of this kind identifies a person or an organisation
    /// (身份证号, 统一社会信用代码) and is masked wherever an error shows it.
    pub fn is_identifier(self) -> bool {
        match self {
            ColumnKind::CreditCode | ColumnKind::ApplicantCode => true,
            ColumnKind::Id
            | ColumnKind::Text
            | ColumnKind::Enum(_)
            | ColumnKind::Ref(_)
            | ColumnKind::Timestamp
            | ColumnKind::Bool
            | ColumnKind::Count
            | ColumnKind::Profile => false,
        }
    }
}

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Column name, in the file and in the store.
    pub name: &'static str,
    /// What it may hold.
    pub kind: ColumnKind,
    /// Whether it may be empty.
    pub optional: bool,
}

const fn req(name: &'static str, kind: ColumnKind) -> Column {
    Column {
        name,
        kind,
        optional: false,
    }
}

const fn opt(name: &'static str, kind: ColumnKind) -> Column {
    Column {
        name,
        kind,
        optional: true,
    }
}

/// The tables of the interchange format, in dependency order: a table only
/// refers to tables before it (or to itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableName {
    Jurisdictions,
    Departments,
    CatalogEntries,
    CatalogEvents,
    DutyChanges,
    DataUpdates,
    ShareRequests,
    Grants,
    AccessLog,
    Corrections,
    OpenApplications,
    Findings,
}

impl TableName {
    /// All tables in dependency order.
    pub const ALL: [TableName; 12] = [
        TableName::Jurisdictions,
        TableName::Departments,
        TableName::CatalogEntries,
        TableName::CatalogEvents,
        TableName::DutyChanges,
        TableName::DataUpdates,
        TableName::ShareRequests,
        TableName::Grants,
        TableName::AccessLog,
        TableName::Corrections,
        TableName::OpenApplications,
        TableName::Findings,
    ];

    /// The table's name in files, URLs and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            TableName::Jurisdictions => "jurisdictions",
            TableName::Departments => "departments",
            TableName::CatalogEntries => "catalog_entries",
            TableName::CatalogEvents => "catalog_events",
            TableName::DutyChanges => "duty_changes",
            TableName::DataUpdates => "data_updates",
            TableName::ShareRequests => "share_requests",
            TableName::Grants => "grants",
            TableName::AccessLog => "access_log",
            TableName::Corrections => "corrections",
            TableName::OpenApplications => "open_applications",
            TableName::Findings => "findings",
        }
    }

    /// Looks a table up by name.
    pub fn parse(name: &str) -> Option<TableName> {
        TableName::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The table's specification.
    pub fn spec(self) -> &'static TableSpec {
        TABLES
            .iter()
            .find(|spec| spec.name == self)
            .expect("every table has a spec")
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A table's specification.
#[derive(Debug)]
pub struct TableSpec {
    /// Which table.
    pub name: TableName,
    /// Its columns, in the canonical order (files may order them freely).
    pub columns: &'static [Column],
    /// The columns that identify a row; re-importing a row with the same key
    /// updates it.
    pub key: &'static [&'static str],
}

impl TableSpec {
    /// Index of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Whether the table has its own `id` column (so duplicate ids in one
    /// import are an error rather than an update).
    pub fn has_id(&self) -> bool {
        self.key == ["id"]
    }
}

use ColumnKind::*;
use TableName as T;

/// The specifications of all tables of interchange format v1.
pub static TABLES: [TableSpec; 12] = [
    TableSpec {
        name: T::Jurisdictions,
        columns: &[
            req("id", Id),
            req("name", Text),
            req("level", Enum(JurisdictionLevel::NAMES)),
            opt("parent_id", Ref(T::Jurisdictions)),
            opt("profile", Profile),
        ],
        key: &["id"],
    },
    TableSpec {
        name: T::Departments,
        columns: &[
            req("id", Id),
            req("name", Text),
            req("jurisdiction_id", Ref(T::Jurisdictions)),
            opt("credit_code", CreditCode),
            req("is_authority", Bool),
        ],
        key: &["id"],
    },
    TableSpec {
        name: T::CatalogEntries,
        columns: &[
            req("id", Id),
            req("department_id", Ref(T::Departments)),
            req("name", Text),
            req("share_type", Enum(ShareType::NAMES)),
            opt("share_basis", Text),
            req("open_type", Enum(OpenType::NAMES)),
            req("update_cycle", Enum(UpdateCycle::NAMES)),
            req("format", Text),
            req("item_count", Count),
            req("published_at", Timestamp),
            opt("withdrawn_at", Timestamp),
            opt("withdrawal_approved", Bool),
        ],
        key: &["id"],
    },
    TableSpec {
        name: T::CatalogEvents,
        columns: &[
            req("id", Id),
            req("entry_id", Ref(T::CatalogEntries)),
            req("kind", Enum(CatalogEventKind::NAMES)),
            req("at", Timestamp),
        ],
        key: &["id"],
    },
    TableSpec {
        name: T::DutyChanges,
        columns: &[
            req("id", Id),
            req("department_id", Ref(T::Departments)),
            req("kind", Enum(DutyChangeKind::NAMES)),
            req("published_at", Timestamp),
            req("summary", Text),
        ],
        key: &["id"],
    },
    TableSpec {
        name: T::DataUpdates,
        columns: &[
            req("entry_id", Ref(T::CatalogEntries)),
            req("at", Timestamp),
        ],
        key: &["entry_id", "at"],
    },
    TableSpec {
        name: T::ShareRequests,
        columns: &[
            req("id", Id),
            req("requester_id", Ref(T::Departments)),
            req("provider_id", Ref(T::Departments)),
            req("entry_id", Ref(T::CatalogEntries)),
            req("share_type", Enum(ShareType::NAMES)),
            req("submitted_at", Timestamp),
            opt("reviewed_at", Timestamp),
            opt("forwarded_at", Timestamp),
            req("already_published", Bool),
            opt("replied_at", Timestamp),
            req("decision", Enum(Decision::NAMES)),
            opt("refusal_reason", Text),
        ],
        key: &["id"],
    },
    TableSpec {
        name: T::Grants,
        columns: &[
            req("id", Id),
            req("request_id", Ref(T::ShareRequests)),
            req("grantee_id", Ref(T::Departments)),
            req("entry_id", Ref(T::CatalogEntries)),
            req("granted_at", Timestamp),
            req("expires_at", Timestamp),
            opt("revoked_at", Timestamp),
        ],
        key: &["id"],
    },
    TableSpec {
        name: T::AccessLog,
        columns: &[
            req("grant_id", Ref(T::Grants)),
            req("at", Timestamp),
            req("calls", Count),
        ],
        key: &["grant_id", "at"],
    },
    TableSpec {
        name: T::Corrections,
        columns: &[
            req("id", Id),
            req("entry_id", Ref(T::CatalogEntries)),
            req("raised_by_id", Ref(T::Departments)),
            req("raised_at", Timestamp),
            opt("extended_at", Timestamp),
            opt("extension_days", Count),
            opt("resolved_at", Timestamp),
            opt("outcome", Enum(CorrectionOutcome::NAMES)),
        ],
        key: &["id"],
    },
    TableSpec {
        name: T::OpenApplications,
        columns: &[
            req("id", Id),
            req("entry_id", Ref(T::CatalogEntries)),
            req("applicant_kind", Enum(ApplicantKind::NAMES)),
            req("applicant_code", ApplicantCode),
            req("submitted_at", Timestamp),
            req("on_the_spot", Bool),
            opt("answered_at", Timestamp),
            req("decision", Enum(Decision::NAMES)),
        ],
        key: &["id"],
    },
    TableSpec {
        name: T::Findings,
        columns: &[
            req("id", Id),
            req("department_id", Ref(T::Departments)),
            req("category", Enum(CategoryCode::NAMES)),
            req("found_at", Timestamp),
            req("inspector", Text),
            req("evidence", Text),
        ],
        key: &["id"],
    },
];

/// Pairs of timestamp columns where the second must not be earlier than the
/// first (a reply cannot precede its submission).
pub fn ordered_timestamps(table: TableName) -> &'static [(&'static str, &'static str)] {
    match table {
        T::ShareRequests => &[
            ("submitted_at", "reviewed_at"),
            ("submitted_at", "forwarded_at"),
            ("submitted_at", "replied_at"),
        ],
        T::Grants => &[("granted_at", "expires_at"), ("granted_at", "revoked_at")],
        T::Corrections => &[("raised_at", "extended_at"), ("raised_at", "resolved_at")],
        T::OpenApplications => &[("submitted_at", "answered_at")],
        T::CatalogEntries => &[("published_at", "withdrawn_at")],
        T::Jurisdictions
        | T::Departments
        | T::CatalogEvents
        | T::DutyChanges
        | T::DataUpdates
        | T::AccessLog
        | T::Findings => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_in_dependency_order() {
        for (i, table) in TableName::ALL.iter().enumerate() {
            let spec = table.spec();
            assert_eq!(spec.name, *table);
            for column in spec.columns {
                if let ColumnKind::Ref(target) = column.kind {
                    let j = TableName::ALL.iter().position(|t| *t == target).unwrap();
                    assert!(j <= i, "{table}.{} refers forward to {target}", column.name);
                }
            }
            for key in spec.key {
                assert!(spec.column_index(key).is_some(), "{table} key {key}");
            }
        }
    }

    #[test]
    fn ordered_timestamp_columns_exist() {
        for table in TableName::ALL {
            for (a, b) in ordered_timestamps(table) {
                let spec = table.spec();
                assert_eq!(
                    spec.columns[spec.column_index(a).unwrap()].kind,
                    ColumnKind::Timestamp
                );
                assert_eq!(
                    spec.columns[spec.column_index(b).unwrap()].kind,
                    ColumnKind::Timestamp
                );
            }
        }
    }
}
