//! The importer: round trips, idempotence, validation, all-or-nothing.

use std::io::Write;
use std::path::Path;

use dukao::ingest::{self, ImportError, ImportOptions, ImportSource, Location, RowError};
use dukao::model::{StorageType, TableName};
use dukao::store::Store;
use sqlx::Row;

use crate::both_backends;
use crate::common::{TestStore, demo_csv, demo_ndjson, fingerprint, import_dir};

/// Imports CSV text for one table; returns the errors if the run was rejected.
async fn import_csv(store: &Store, table: &str, csv: &str) -> Result<u64, (Vec<RowError>, u64)> {
    let table = TableName::parse(table).unwrap();
    let source =
        ImportSource::from_body(table, ingest::Format::Csv, csv.as_bytes().to_vec().into());
    match ingest::import(store, vec![source], &ImportOptions::default()).await {
        Ok(report) => Ok(report.rows),
        Err(ImportError::Invalid { errors, total }) => Err((errors, total)),
        Err(e) => panic!("unexpected import failure: {e}"),
    }
}

/// Reads a demo CSV file as (header, rows of text).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    use polars::prelude::*;
    let frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .unwrap()
        .finish()
        .unwrap();
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut rows = vec![Vec::new(); frame.height()];
    for column in frame.columns() {
        let ca = column.str().unwrap();
        for (i, row) in rows.iter_mut().enumerate() {
            row.push(ca.get(i).unwrap_or("").to_string());
        }
    }
    (names, rows)
}

/// Every table of the demo lands with every row, and stored values read back
/// equal to the file's (timestamps compared as instants).
async fn round_trip_every_table(ts: &TestStore) {
    let dir = demo_csv();
    let report = import_dir(&ts.store, dir).await;
    assert_eq!(
        report.tables.len(),
        TableName::ALL.len(),
        "every table imported"
    );
    for table in TableName::ALL {
        let spec = table.spec();
        let (names, rows) = read_csv(&dir.join(format!("{table}.csv")));
        assert!(!rows.is_empty(), "demo has rows for {table}");
        let stored = ts.store.count(table).await.unwrap();
        assert_eq!(stored as usize, rows.len(), "{table}: row count");
        // Compare a spread of rows column by column.
        let step = (rows.len() / 25).max(1);
        for row in rows.iter().step_by(step) {
            let cell = |name: &str| row[names.iter().position(|n| n == name).unwrap()].clone();
            let where_sql: Vec<String> = spec
                .key
                .iter()
                .enumerate()
                .map(|(i, k)| format!("{k} = ${}", i + 1))
                .collect();
            let sql = format!(
                "SELECT {} FROM {table} WHERE {}",
                spec.columns
                    .iter()
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
                    .join(", "),
                where_sql.join(" AND ")
            );
            let mut query = sqlx::query(&sql);
            for k in spec.key {
                let column = &spec.columns[spec.column_index(k).unwrap()];
                query = match column.kind.storage() {
                    StorageType::Integer => {
                        query.bind(dukao::time::parse_timestamp(&cell(k)).unwrap())
                    }
                    _ => query.bind(cell(k)),
                };
            }
            let stored = query.fetch_one(ts.store.pool()).await.unwrap();
            for (i, column) in spec.columns.iter().enumerate() {
                let expected = cell(column.name);
                let actual = match column.kind.storage() {
                    StorageType::Text => stored
                        .try_get::<Option<String>, _>(i)
                        .unwrap()
                        .unwrap_or_default(),
                    StorageType::Integer => match stored.try_get::<Option<i64>, _>(i).unwrap() {
                        None => String::new(),
                        Some(v) if column.kind == dukao::model::ColumnKind::Timestamp => {
                            assert_eq!(
                                Some(v),
                                dukao::time::parse_timestamp(&expected).ok(),
                                "{table}.{} of {row:?}",
                                column.name
                            );
                            continue;
                        }
                        Some(v) => v.to_string(),
                    },
                    StorageType::Bool => {
                        match dukao::store::get_bool(&stored, column.name).unwrap() {
                            None => String::new(),
                            Some(b) => b.to_string(),
                        }
                    }
                };
                assert_eq!(actual, expected, "{table}.{} of {row:?}", column.name);
            }
        }
    }
}
both_backends!(round_trip_every_table_csv, round_trip_every_table);

/// The same municipality as NDJSON lands identically to the CSV import, and
/// a table converted to Parquet (with a real datetime column) too.
async fn formats_agree(ts: &TestStore) {
    import_dir(&ts.store, demo_ndjson()).await;
    let from_ndjson = fingerprint(&ts.store).await;

    let other = TestStore::new(ts.backend).await.unwrap();
    import_dir(&other.store, demo_csv()).await;
    assert_eq!(
        fingerprint(&other.store).await,
        from_ndjson,
        "CSV and NDJSON agree"
    );

    // Re-import findings from Parquet with found_at as a real datetime column
    // holding naive local wall time (the interchange rule: no offset means
    // Asia/Shanghai): nothing changes.
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("findings.parquet");
    {
        use polars::prelude::*;
        let mut frame = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .try_into_reader_with_file_path(Some(demo_csv().join("findings.csv")))
            .unwrap()
            .finish()
            .unwrap();
        let found = frame.column("found_at").unwrap().str().unwrap().clone();
        let instants: Vec<i64> = (0..found.len())
            .map(|i| {
                let ms = dukao::time::parse_timestamp(found.get(i).unwrap()).unwrap();
                dukao::time::from_millis(ms)
                    .with_timezone(&chrono_tz::Asia::Shanghai)
                    .naive_local()
                    .and_utc()
                    .timestamp_millis()
            })
            .collect();
        let found_at = Series::new("found_at".into(), instants)
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap();
        frame.replace("found_at", found_at.into()).unwrap();
        let file = std::fs::File::create(&parquet).unwrap();
        ParquetWriter::new(file).finish(&mut frame).unwrap();
    }
    let before = fingerprint(&other.store).await;
    let sources = ingest::discover(&[parquet]).unwrap();
    let report = ingest::import(&other.store, sources, &ImportOptions::default())
        .await
        .expect("parquet imports");
    assert!(report.rows > 0);
    assert_eq!(
        fingerprint(&other.store).await,
        before,
        "Parquet re-import changes nothing"
    );
    other.cleanup().await;
}
both_backends!(csv_ndjson_and_parquet_agree, formats_agree);

/// Importing the same files again changes nothing.
async fn reimport_is_idempotent(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let first = fingerprint(&ts.store).await;
    import_dir(&ts.store, demo_csv()).await;
    assert_eq!(fingerprint(&ts.store).await, first);
}
both_backends!(reimport_is_idempotent_, reimport_is_idempotent);

const JURISDICTIONS: &str =
    "id,name,level,parent_id,profile\nJ1,云州市,city,,jincheng\nJ2,东川县,county,J1,\n";
const DEPARTMENTS: &str = "id,name,jurisdiction_id,credit_code,is_authority\nD1,云州市大数据局,J1,91350100M000100Y43,true\nD2,云州市公安局,J1,,false\n";
const ENTRIES: &str = "id,department_id,name,share_type,share_basis,open_type,update_cycle,format,item_count,published_at,withdrawn_at,withdrawal_approved\nE1,D2,人口基础信息,conditional,《居民身份证法》,none,daily,api,12,2024-01-05T09:00:00+08:00,,\n";

async fn seed(store: &Store) {
    import_csv(store, "jurisdictions", JURISDICTIONS)
        .await
        .unwrap();
    import_csv(store, "departments", DEPARTMENTS).await.unwrap();
    import_csv(store, "catalog_entries", ENTRIES).await.unwrap();
}

fn find<'a>(errors: &'a [RowError], line: u64) -> &'a RowError {
    errors
        .iter()
        .find(|e| e.location == Some(Location::Line(line)))
        .unwrap_or_else(|| panic!("no error on line {line}: {errors:#?}"))
}

/// Every kind of bad row is reported — all of them in one run, each naming
/// file, line, column, value and reason — and nothing of the run is stored.
async fn validation_errors_are_all_reported(ts: &TestStore) {
    seed(&ts.store).await;
    let before = fingerprint(&ts.store).await;
    let csv = "\
id,requester_id,provider_id,entry_id,share_type,submitted_at,reviewed_at,forwarded_at,already_published,replied_at,decision,refusal_reason
R1,D1,D2,E1,conditional,2025-01-27T10:00:00+08:00,2025-01-27T15:00:00+08:00,,true,2025-02-05T09:00:00+08:00,approved,
R2,D1,D2,E1,sometimes,2025-01-27T10:00:00+08:00,,,true,,pending,
R3,D1,D2,E1,conditional,27/01/2025,,,true,,pending,
R4,D1,D9,E1,conditional,2025-01-27T10:00:00+08:00,,,true,,pending,
R1,D1,D2,E1,conditional,2025-01-27T10:00:00+08:00,,,true,,pending,
R6,D1,D2,E1,conditional,2025-03-10T10:00:00+08:00,,,true,2025-03-09T10:00:00+08:00,refused,无
R7,D1,D2,E1,conditional,2025-03-10T10:00:00+08:00,,,maybe,,pending,
";
    let (errors, total) = import_csv(&ts.store, "share_requests", csv)
        .await
        .unwrap_err();
    assert_eq!(total, 6, "{errors:#?}");
    let e = find(&errors, 3);
    assert_eq!(e.column.as_deref(), Some("share_type"));
    assert_eq!(e.value.as_deref(), Some("sometimes"));
    assert!(
        e.message
            .contains("unknown value; expected one of unconditional, conditional, none"),
        "{e}"
    );
    let e = find(&errors, 4);
    assert_eq!(e.column.as_deref(), Some("submitted_at"));
    assert!(e.message.contains("not an RFC 3339 timestamp"), "{e}");
    let e = find(&errors, 5);
    assert_eq!(e.column.as_deref(), Some("provider_id"));
    assert_eq!(e.value.as_deref(), Some("D9"));
    assert!(e.message.contains("unknown departments id"), "{e}");
    let e = find(&errors, 6);
    assert_eq!(e.column.as_deref(), Some("id"));
    assert!(e.message.contains("duplicate id"), "{e}");
    let e = find(&errors, 7);
    assert_eq!(e.column.as_deref(), Some("replied_at"));
    assert!(
        e.message.contains("replied_at is before submitted_at"),
        "{e}"
    );
    let e = find(&errors, 8);
    assert_eq!(e.column.as_deref(), Some("already_published"));
    assert!(e.message.contains("expected true or false"), "{e}");
    assert_eq!(
        e.to_string(),
        "share_requests body line 8, column already_published, value \"maybe\": expected true or false"
    );
    assert_eq!(
        fingerprint(&ts.store).await,
        before,
        "nothing of the run is stored"
    );
}
both_backends!(
    validation_errors_are_all_reported_,
    validation_errors_are_all_reported
);

/// Identifier check characters: GB 32100 credit codes and GB 11643 citizen ids.
async fn identifier_check_characters(ts: &TestStore) {
    seed(&ts.store).await;
    let (errors, total) = import_csv(
        &ts.store,
        "departments",
        "id,name,jurisdiction_id,credit_code,is_authority\nD3,云州市民政局,J1,91350100M000100Y44,false\n",
    )
    .await
    .unwrap_err();
    assert_eq!(total, 1);
    assert_eq!(errors[0].column.as_deref(), Some("credit_code"));
    assert_eq!(
        errors[0].value.as_deref(),
        Some("91**************44"),
        "masked wherever an error shows it"
    );
    assert!(
        errors[0].message.contains("统一社会信用代码"),
        "{}",
        errors[0]
    );
    assert!(errors[0].message.contains("check"), "{}", errors[0]);

    let csv = "\
id,entry_id,applicant_kind,applicant_code,submitted_at,on_the_spot,answered_at,decision
A1,E1,person,11010519491231002X,2025-05-06T09:00:00+08:00,true,2025-05-06T09:30:00+08:00,approved
A2,E1,person,110105194912310021,2025-05-06T09:00:00+08:00,true,,pending
A3,E1,organisation,91350100M000100Y43,2025-05-06T09:00:00+08:00,false,,pending
A4,E1,organisation,91350100M000100Y4X,2025-05-06T09:00:00+08:00,false,,pending
";
    let (errors, total) = import_csv(&ts.store, "open_applications", csv)
        .await
        .unwrap_err();
    assert_eq!(total, 2, "{errors:#?}");
    assert!(
        find(&errors, 3).message.contains("身份证号"),
        "{}",
        find(&errors, 3)
    );
    assert_eq!(
        find(&errors, 3).value.as_deref(),
        Some("11**************21")
    );
    assert!(!find(&errors, 3).to_string().contains("110105194912310021"));
    assert!(
        find(&errors, 5).message.contains("统一社会信用代码"),
        "{}",
        find(&errors, 5)
    );
    // The valid ones land once the bad rows are fixed.
    let fixed = csv
        .lines()
        .filter(|l| !l.starts_with("A2") && !l.starts_with("A4"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        import_csv(&ts.store, "open_applications", &fixed)
            .await
            .unwrap(),
        2
    );
}
both_backends!(identifier_check_characters_, identifier_check_characters);

/// One bad row in a million rows: the run is rejected with exactly that row's
/// error and the store is exactly as before.
async fn one_bad_row_in_a_million(ts: &TestStore) {
    import_dir(&ts.store, demo_csv()).await;
    let before = fingerprint(&ts.store).await;
    let grants: Vec<String> = sqlx::query("SELECT id FROM grants ORDER BY id LIMIT 50")
        .fetch_all(ts.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access_log.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(file, "grant_id,at,calls").unwrap();
    let bad_line = 999_001u64; // line numbers count the header as line 1
    let base = dukao::time::parse_timestamp("2026-01-01T00:00:00+08:00").unwrap();
    for i in 0..1_000_000u64 {
        let line = i + 2;
        let at = dukao::time::format_millis(base + (i as i64) * 60_000);
        if line == bad_line {
            writeln!(file, "{},{at},-3", grants[(i % 50) as usize]).unwrap();
        } else {
            writeln!(file, "{},{at},{}", grants[(i % 50) as usize], i % 17).unwrap();
        }
    }
    drop(file);
    let sources = ingest::discover(&[path]).unwrap();
    let result = ingest::import(&ts.store, sources, &ImportOptions::default()).await;
    let Err(ImportError::Invalid { errors, total }) = result else {
        panic!("the run must be rejected");
    };
    assert_eq!(total, 1);
    assert_eq!(errors[0].location, Some(Location::Line(bad_line)));
    assert_eq!(errors[0].column.as_deref(), Some("calls"));
    assert_eq!(errors[0].message, "must not be negative");
    assert_eq!(
        fingerprint(&ts.store).await,
        before,
        "store exactly as before"
    );
}
both_backends!(one_bad_row_in_a_million_, one_bad_row_in_a_million);

/// File-level problems: unknown and missing columns, a file not named after a
/// table, ragged rows.
async fn file_level_errors(ts: &TestStore) {
    seed(&ts.store).await;
    let (errors, _) = import_csv(
        &ts.store,
        "findings",
        "id,department_id,category,found_at,inspector,colour\nF1,D1,other,2025-01-01,王,red\n",
    )
    .await
    .unwrap_err();
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("unknown column \"colour\"")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m == &"required column \"evidence\" is missing"),
        "{messages:?}"
    );

    let (errors, _) = import_csv(
        &ts.store,
        "findings",
        "id,department_id,category,found_at,inspector,evidence\nF1,D1,other,2025-01-01,王,\"证据,含逗号\",extra\n",
    )
    .await
    .unwrap_err();
    assert_eq!(errors[0].location, Some(Location::Line(2)));
    assert!(
        errors[0].message.contains("7 fields, the header has 6"),
        "{}",
        errors[0]
    );

    let dir = tempfile::tempdir().unwrap();
    let stray = dir.path().join("requests.csv");
    std::fs::write(&stray, "id\n").unwrap();
    let Err(ImportError::Input(message)) = ingest::discover(&[stray]) else {
        panic!()
    };
    assert!(
        message.contains("must be named after its table"),
        "{message}"
    );
}
both_backends!(file_level_errors_, file_level_errors);

/// Unknown references within one table are checked after the whole file is
/// read: a county may precede its city in the file.
async fn self_references_in_any_order(ts: &TestStore) {
    let csv = "id,name,level,parent_id,profile\nJ2,东川县,county,J1,xinxian\nJ1,云州市,city,,jincheng\nJ3,西山区,district,J9,\n";
    let (errors, total) = import_csv(&ts.store, "jurisdictions", csv)
        .await
        .unwrap_err();
    assert_eq!(total, 1, "{errors:#?}");
    assert_eq!(errors[0].location, Some(Location::Line(4)));
    assert_eq!(errors[0].value.as_deref(), Some("J9"));
    let csv: String = csv.lines().take(3).collect::<Vec<_>>().join("\n");
    assert_eq!(
        import_csv(&ts.store, "jurisdictions", &csv).await.unwrap(),
        2
    );
}
both_backends!(self_references_in_any_order_, self_references_in_any_order);
