//! Reading interchange files in bounded batches, parsed by polars.
//!
//! CSV and NDJSON are cut into record-aligned chunks of a few megabytes (the
//! cutter follows CSV quoting, so a quoted newline never splits a record) and
//! each chunk is parsed by polars with every column read as text; the cutter
//! remembers the line each record starts on, so an error names its line.
//! Parquet is read in row slices. Memory stays bounded by the chunk size
//! whatever the file's length: a 50-million-row access log streams.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use polars::prelude::*;

/// Bytes of records per chunk handed to polars.
const CHUNK_BYTES: usize = 4 << 20;
/// Rows per Parquet slice.
const PARQUET_ROWS: usize = 100_000;

/// File formats of interchange format v1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// UTF-8 CSV with a header row.
    Csv,
    /// One JSON object per line.
    Ndjson,
    /// Apache Parquet.
    Parquet,
}

impl Format {
    /// The format a file name's extension names.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }

    /// The format an HTTP `Content-Type` names (CSV or NDJSON only).
    pub fn from_content_type(content_type: &str) -> Option<Format> {
        let mime = content_type.split(';').next()?.trim().to_ascii_lowercase();
        match mime.as_str() {
            "text/csv" | "application/csv" => Some(Format::Csv),
            "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonl"
            | "application/json-lines"
            | "application/x-jsonlines" => Some(Format::Ndjson),
            _ => None,
        }
    }
}

/// Where a row stands in its source, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// 1-based line of a CSV or NDJSON file (the header is line 1).
    Line(u64),
    /// 1-based row of a Parquet file.
    Row(u64),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// Where the bytes come from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file on disk.
    Path(PathBuf),
    /// A request body.
    Bytes(bytes_like::Bytes),
}

/// A cheap, clonable byte buffer: the request body as the server received
/// it, never copied.
pub mod bytes_like {
    /// Shared bytes.
    pub type Bytes = axum::body::Bytes;
}

/// A problem with the source itself or with one record, before validation.
#[derive(Debug, Clone)]
pub struct SourceProblem {
    /// The record, if the problem is one record's.
    pub location: Option<Location>,
    /// What is wrong.
    pub message: String,
}

impl SourceProblem {
    /// The problem as an import error of `file`.
    pub fn into_error(self, file: &str) -> super::RowError {
        super::RowError {
            file: file.to_string(),
            location: self.location,
            column: None,
            value: None,
            message: self.message,
        }
    }
}

/// One batch of records: every column as text, with each row's location.
pub struct Batch {
    /// The batch as polars parsed it, every column of dtype String.
    pub frame: DataFrame,
    /// Where each row stands in the source.
    pub locations: Vec<Location>,
}

/// Reads a source batch by batch; returns `Err` for problems that end the file.
pub struct BatchReader {
    inner: Inner,
    /// Problems found so far in individual records (ragged rows, bad JSON).
    pub problems: Vec<SourceProblem>,
    bytes_read: u64,
}

enum Inner {
    Csv(CsvCutter),
    Ndjson(NdjsonCutter),
    Parquet {
        path: PathBuf,
        offset: usize,
        total: usize,
    },
}

impl BatchReader {
    /// Opens a source.
    pub fn open(input: &Input, format: Format) -> Result<BatchReader, SourceProblem> {
        let reader: Box<dyn BufRead + Send> = match input {
            Input::Path(path) => {
                if format == Format::Parquet {
                    let file = File::open(path).map_err(io_problem)?;
                    let total = ParquetReader::new(file)
                        .num_rows()
                        .map_err(|e| problem(format!("cannot read Parquet metadata: {e}")))?;
                    return Ok(BatchReader {
                        inner: Inner::Parquet {
                            path: path.clone(),
                            offset: 0,
                            total,
                        },
                        problems: Vec::new(),
                        bytes_read: 0,
                    });
                }
                Box::new(BufReader::with_capacity(
                    1 << 20,
                    File::open(path).map_err(io_problem)?,
                ))
            }
            Input::Bytes(bytes) => {
                if format == Format::Parquet {
                    return Err(problem("Parquet is accepted from files only".into()));
                }
                Box::new(Cursor::new(bytes.clone()))
            }
        };
        let inner = match format {
            Format::Csv => Inner::Csv(CsvCutter::new(reader)?),
            Format::Ndjson => Inner::Ndjson(NdjsonCutter { reader, line: 0 }),
            Format::Parquet => unreachable!("handled above"),
        };
        Ok(BatchReader {
            inner,
            problems: Vec::new(),
            bytes_read: 0,
        })
    }

    /// Bytes consumed so far (for progress; rows for Parquet).
    pub fn position(&self) -> u64 {
        self.bytes_read
    }

    /// The column names of a CSV header (other formats learn them per batch).
    pub fn header(&self) -> Option<&[String]> {
        match &self.inner {
            Inner::Csv(c) => Some(&c.columns),
            _ => None,
        }
    }

    /// The next batch, `Ok(None)` at the end.
    pub fn next_batch(&mut self) -> Result<Option<Batch>, SourceProblem> {
        match &mut self.inner {
            Inner::Csv(cutter) => {
                let Some(chunk) = cutter.next_chunk(&mut self.problems)? else {
                    return Ok(None);
                };
                self.bytes_read += chunk.bytes as u64;
                if chunk.locations.is_empty() {
                    return self.next_batch();
                }
                let frame = CsvReadOptions::default()
                    .with_has_header(true)
                    .with_infer_schema_length(Some(0))
                    .with_rechunk(true)
                    .into_reader_with_file_handle(Cursor::new(chunk.data))
                    .finish()
                    .map_err(|e| SourceProblem {
                        location: chunk.locations.first().copied(),
                        message: format!("CSV could not be parsed: {e}"),
                    })?;
                if frame.height() != chunk.locations.len() {
                    return Err(SourceProblem {
                        location: chunk.locations.first().copied(),
                        message: format!(
                            "CSV chunk parsed into {} rows, expected {}",
                            frame.height(),
                            chunk.locations.len()
                        ),
                    });
                }
                Ok(Some(Batch {
                    frame,
                    locations: chunk.locations,
                }))
            }
            Inner::Ndjson(cutter) => loop {
                let Some((data, lines, bytes)) = cutter.next_chunk().map_err(io_problem)? else {
                    return Ok(None);
                };
                self.bytes_read += bytes as u64;
                match parse_ndjson(&data, &lines) {
                    Ok(frame) => {
                        return Ok(Some(Batch {
                            frame,
                            locations: lines.into_iter().map(Location::Line).collect(),
                        }));
                    }
                    Err(problems) => {
                        // The chunk is bad: report its bad lines and go on
                        // validating the rest of the file.
                        self.problems.extend(problems);
                    }
                }
            },
            Inner::Parquet {
                path,
                offset,
                total,
            } => {
                if *offset >= *total {
                    return Ok(None);
                }
                let len = PARQUET_ROWS.min(*total - *offset);
                let file = File::open(&*path).map_err(io_problem)?;
                let frame = ParquetReader::new(file)
                    .with_slice(Some((*offset, len)))
                    .finish()
                    .map_err(|e| SourceProblem {
                        location: Some(Location::Row(*offset as u64 + 1)),
                        message: format!("Parquet could not be read: {e}"),
                    })?;
                let frame = columns_as_text(frame).map_err(|e| SourceProblem {
                    location: Some(Location::Row(*offset as u64 + 1)),
                    message: e,
                })?;
                let first = *offset as u64 + 1;
                *offset += len;
                self.bytes_read = *offset as u64;
                Ok(Some(Batch {
                    frame,
                    locations: (0..len as u64).map(|i| Location::Row(first + i)).collect(),
                }))
            }
        }
    }
}

fn problem(message: String) -> SourceProblem {
    SourceProblem {
        location: None,
        message,
    }
}

fn io_problem(e: std::io::Error) -> SourceProblem {
    problem(format!("cannot read: {e}"))
}

struct CsvChunk {
    data: Vec<u8>,
    locations: Vec<Location>,
    bytes: usize,
}

/// Cuts CSV into record-aligned chunks, each starting with the header.
struct CsvCutter {
    reader: Box<dyn BufRead + Send>,
    header: Vec<u8>,
    columns: Vec<String>,
    line: u64,
    eof: bool,
}

impl CsvCutter {
    fn new(mut reader: Box<dyn BufRead + Send>) -> Result<CsvCutter, SourceProblem> {
        let mut header = Vec::new();
        reader.read_until(b'\n', &mut header).map_err(io_problem)?;
        if header.starts_with(b"\xEF\xBB\xBF") {
            header.drain(..3);
        }
        if !header.ends_with(b"\n") {
            header.push(b'\n');
        }
        let text = std::str::from_utf8(&header)
            .map_err(|_| problem("the header row is not UTF-8".into()))?;
        let columns: Vec<String> = text
            .trim_end_matches(['\n', '\r'])
            .split(',')
            .map(|c| c.trim().trim_matches('"').to_string())
            .collect();
        if columns.iter().all(|c| c.is_empty()) {
            return Err(problem(
                "the file is empty: a header row is required".into(),
            ));
        }
        Ok(CsvCutter {
            reader,
            header,
            columns,
            line: 1,
            eof: false,
        })
    }

    fn next_chunk(
        &mut self,
        problems: &mut Vec<SourceProblem>,
    ) -> Result<Option<CsvChunk>, SourceProblem> {
        if self.eof {
            return Ok(None);
        }
        let expected_fields = self.columns.len();
        let mut data = Vec::with_capacity(CHUNK_BYTES + self.header.len() + 4096);
        data.extend_from_slice(&self.header);
        let mut locations = Vec::new();
        let mut bytes = 0usize;
        let mut record = Vec::new();
        while data.len() < CHUNK_BYTES {
            record.clear();
            let start_line = self.line + 1;
            let mut in_quotes = false;
            let mut fields = 1usize;
            // Read physical lines until the record's quotes are balanced.
            loop {
                let before = record.len();
                let n = self
                    .reader
                    .read_until(b'\n', &mut record)
                    .map_err(io_problem)?;
                if n == 0 {
                    self.eof = true;
                    break;
                }
                bytes += n;
                self.line += 1;
                for &b in &record[before..] {
                    match b {
                        b'"' => in_quotes = !in_quotes,
                        b',' if !in_quotes => fields += 1,
                        _ => {}
                    }
                }
                if !in_quotes {
                    break;
                }
            }
            if record.is_empty() {
                break;
            }
            if in_quotes {
                problems.push(SourceProblem {
                    location: Some(Location::Line(start_line)),
                    message: "unterminated quoted field: the record runs to the end of the file"
                        .into(),
                });
                break;
            }
            if record.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            if std::str::from_utf8(&record).is_err() {
                problems.push(SourceProblem {
                    location: Some(Location::Line(start_line)),
                    message: "the record is not valid UTF-8".into(),
                });
                continue;
            }
            if fields != expected_fields {
                problems.push(SourceProblem {
                    location: Some(Location::Line(start_line)),
                    message: format!(
                        "the record has {fields} fields, the header has {expected_fields}"
                    ),
                });
                continue;
            }
            if !record.ends_with(b"\n") {
                record.push(b'\n');
            }
            data.extend_from_slice(&record);
            locations.push(Location::Line(start_line));
            if self.eof {
                break;
            }
        }
        if bytes == 0 {
            return Ok(None);
        }
        Ok(Some(CsvChunk {
            data,
            locations,
            bytes,
        }))
    }
}

/// Cuts NDJSON into chunks of whole lines.
struct NdjsonCutter {
    reader: Box<dyn BufRead + Send>,
    line: u64,
}

impl NdjsonCutter {
    /// The next chunk: its bytes, the line number of each record, bytes read.
    fn next_chunk(&mut self) -> std::io::Result<Option<(Vec<u8>, Vec<u64>, usize)>> {
        let mut data = Vec::with_capacity(CHUNK_BYTES + 4096);
        let mut lines = Vec::new();
        let mut bytes = 0;
        let mut buf = Vec::new();
        while data.len() < CHUNK_BYTES {
            buf.clear();
            let n = self.reader.read_until(b'\n', &mut buf)?;
            if n == 0 {
                break;
            }
            bytes += n;
            self.line += 1;
            if self.line == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                buf.drain(..3);
            }
            if buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            data.extend_from_slice(&buf);
            if !buf.ends_with(b"\n") {
                data.push(b'\n');
            }
            lines.push(self.line);
        }
        if bytes == 0 {
            return Ok(None);
        }
        Ok(Some((data, lines, bytes)))
    }
}

/// Parses an NDJSON chunk with polars; on failure, finds the bad lines.
fn parse_ndjson(data: &[u8], lines: &[u64]) -> Result<DataFrame, Vec<SourceProblem>> {
    if lines.is_empty() {
        return Ok(DataFrame::empty());
    }
    // Every record must be a JSON object; polars' own errors do not say which
    // line is bad, so check that first (cheap next to parsing the values).
    let mut problems = Vec::new();
    for (text, &line) in data.split(|&b| b == b'\n').zip(lines) {
        match serde_json::from_slice::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(map)) => {
                if let Some((key, _)) = map.iter().find(|(_, v)| v.is_object() || v.is_array()) {
                    problems.push(SourceProblem {
                        location: Some(Location::Line(line)),
                        message: format!("field {key:?} holds a nested value; expected a scalar"),
                    });
                }
            }
            Ok(_) => problems.push(SourceProblem {
                location: Some(Location::Line(line)),
                message: "the line is not a JSON object".into(),
            }),
            Err(e) => problems.push(SourceProblem {
                location: Some(Location::Line(line)),
                message: format!("invalid JSON: {e}"),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let frame = JsonReader::new(Cursor::new(data))
        .with_json_format(JsonFormat::JsonLines)
        .infer_schema_len(NonZeroUsize::new(lines.len()))
        .finish()
        .map_err(|e| {
            vec![SourceProblem {
                location: Some(Location::Line(lines[0])),
                message: format!("NDJSON could not be parsed: {e}"),
            }]
        })?;
    columns_as_text(frame).map_err(|message| {
        vec![SourceProblem {
            location: Some(Location::Line(lines[0])),
            message,
        }]
    })
}

/// Casts every column to text so one validator serves all formats. Datetime
/// columns become RFC 3339 (UTC when the column carries a time zone, local
/// Asia/Shanghai wall time when it does not, as the interchange format says).
fn columns_as_text(frame: DataFrame) -> Result<DataFrame, String> {
    let mut columns = Vec::with_capacity(frame.width());
    for column in frame.columns() {
        let text = match column.dtype() {
            DataType::String => column.clone(),
            DataType::Datetime(unit, zone) => {
                let per_second: i64 = match unit {
                    TimeUnit::Nanoseconds => 1_000_000_000,
                    TimeUnit::Microseconds => 1_000_000,
                    TimeUnit::Milliseconds => 1_000,
                };
                let raw = column
                    .cast(&DataType::Int64)
                    .map_err(|e| format!("column {}: {e}", column.name()))?;
                let raw = raw
                    .i64()
                    .map_err(|e| format!("column {}: {e}", column.name()))?;
                let zoned = zone.is_some();
                let values: Vec<Option<String>> = (0..raw.len())
                    .map(|i| raw.get(i))
                    .map(|v| {
                        v.and_then(|v| {
                            let secs = v.div_euclid(per_second);
                            let nanos =
                                (v.rem_euclid(per_second) * (1_000_000_000 / per_second)) as u32;
                            chrono::DateTime::from_timestamp(secs, nanos).map(|t| {
                                if zoned {
                                    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
                                } else {
                                    t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string()
                                }
                            })
                        })
                    })
                    .collect();
                Column::new(column.name().clone(), values)
            }
            _ => column
                .cast(&DataType::String)
                .map_err(|e| format!("column {}: {e}", column.name()))?,
        };
        columns.push(text);
    }
    DataFrame::new(frame.height(), columns).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches(input: &str, format: Format) -> (Vec<Batch>, Vec<SourceProblem>) {
        let input = Input::Bytes(input.as_bytes().to_vec().into());
        let mut reader = BatchReader::open(&input, format).unwrap();
        let mut out = Vec::new();
        while let Some(b) = reader.next_batch().unwrap() {
            out.push(b);
        }
        (out, reader.problems)
    }

    #[test]
    fn csv_quoted_newlines_keep_line_numbers() {
        let (b, p) = batches(
            "id,name\na,\"x\ny\"\nb,\"q,\"\"r\"\"\"\n\nc,z\n",
            Format::Csv,
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(b.len(), 1);
        assert_eq!(
            b[0].locations,
            [Location::Line(2), Location::Line(4), Location::Line(6)]
        );
        let names = b[0].frame.column("name").unwrap().str().unwrap().clone();
        assert_eq!(names.get(0), Some("x\ny"));
        assert_eq!(names.get(1), Some("q,\"r\""));
    }

    #[test]
    fn csv_ragged_row_is_reported_and_skipped() {
        let (b, p) = batches("id,name\na,1\nb,2,3\nc,4", Format::Csv);
        assert_eq!(b[0].frame.height(), 2);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].location, Some(Location::Line(3)));
        assert!(p[0].message.contains("3 fields"), "{}", p[0].message);
    }

    #[test]
    fn ndjson_values_become_text() {
        let (b, p) = batches(
            "{\"id\":\"a\",\"n\":3,\"ok\":true}\n\n{\"id\":\"b\",\"n\":null,\"ok\":false}\n",
            Format::Ndjson,
        );
        assert!(p.is_empty());
        let f = &b[0].frame;
        assert_eq!(b[0].locations, [Location::Line(1), Location::Line(3)]);
        assert_eq!(f.column("n").unwrap().str().unwrap().get(0), Some("3"));
        assert_eq!(f.column("ok").unwrap().str().unwrap().get(1), Some("false"));
    }

    #[test]
    fn ndjson_bad_line_is_named() {
        let (_, p) = batches("{\"id\":\"a\"}\n{\"id\": \n", Format::Ndjson);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].location, Some(Location::Line(2)));
    }
}
