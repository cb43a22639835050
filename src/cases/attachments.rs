//! A response's attachments: owns `case_attachments` and the files.
//!
//! A department uploads each file to its case before submitting the
//! response that carries it. dukao keeps PDF, PNG and JPEG only, up to
//! [`MAX_ATTACHMENT`] bytes, and checks that the bytes are what the
//! declared type says (a file's first bytes, not its name). Files are
//! content-addressed under the archive folder —
//! `attachments/1a/1a2b…` by their SHA-256 — written once, read-only, and
//! checked against that digest whenever they are served.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use super::{Actor, CaseError};
use crate::audit::{self, Change};
use crate::digest::hex;
use crate::store::Store;
use crate::time::format_millis;
use crate::vocab::AuditAction;

/// The largest attachment kept: 10 MiB.
pub const MAX_ATTACHMENT: usize = 10 << 20;

/// The types of file a response may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// A PDF document.
    Pdf,
    /// A PNG image.
    Png,
    /// A JPEG image (a photographed page).
    Jpeg,
}

impl MediaType {
    /// Every type kept.
    pub const ALL: [MediaType; 3] = [MediaType::Pdf, MediaType::Png, MediaType::Jpeg];

    /// Its MIME name.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Png => "image/png",
            MediaType::Jpeg => "image/jpeg",
        }
    }

    /// The bytes every file of the type starts with.
    fn magic(self) -> &'static [u8] {
        match self {
            MediaType::Pdf => b"%PDF-",
            MediaType::Png => b"\x89PNG\r\n\x1a\n",
            MediaType::Jpeg => b"\xff\xd8\xff",
        }
    }

    /// The type of a MIME name (parameters ignored).
    pub fn parse(mime: &str) -> Option<MediaType> {
        let essence = mime.split(';').next().unwrap_or("").trim();
        MediaType::ALL
            .into_iter()
            .find(|t| t.mime().eq_ignore_ascii_case(essence))
    }

    /// The type the bytes are.
    pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
        MediaType::ALL
            .into_iter()
            .find(|t| bytes.starts_with(t.magic()))
    }
}

/// A stored attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// SHA-256 of its bytes (hex): its name in the store.
    pub sha256: String,
    /// The name the department gave it.
    pub name: String,
    /// `application/pdf`, `image/png` or `image/jpeg`.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When (RFC 3339).
    pub uploaded_at: String,
    /// The response event that carries it; none until a response does.
    pub event_id: Option<i64>,
}

/// Where the file of a digest lives under the archive folder.
fn path_of(archive_dir: &Path, sha256: &str) -> PathBuf {
    archive_dir
        .join("attachments")
        .join(&sha256[..2])
        .join(sha256)
}

/// A display name: trimmed, without control characters or folders, at
/// most 200 characters.
fn clean_name(name: &str) -> Result<String, CaseError> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.is_empty() {
        return Err(CaseError::Invalid(
            "an attachment needs a file name (?name=整改报告.pdf)".into(),
        ));
    }
    Ok(cleaned)
}

/// Stores a file for case `case_id` and records it; the same bytes
/// uploaded again to the same case are the same attachment.
pub async fn upload(
    store: &Store,
    archive_dir: &Path,
    case_id: i64,
    name: &str,
    declared: &str,
    bytes: &[u8],
    actor: &Actor,
    now_ms: i64,
) -> Result<Attachment, CaseError> {
    let name = clean_name(name)?;
    let declared_type = MediaType::parse(declared).ok_or_else(|| {
        CaseError::MediaType(format!(
            "attachments are PDF, PNG or JPEG; Content-Type {declared:?} is none of them"
        ))
    })?;
    if bytes.is_empty() {
        return Err(CaseError::Invalid(format!("{name} is empty")));
    }
    if MediaType::sniff(bytes) != Some(declared_type) {
        return Err(CaseError::MediaType(format!(
            "{name} is declared {} but its bytes are not a {} file",
            declared_type.mime(),
            declared_type.mime()
        )));
    }
    let sha256 = hex(&Sha256::digest(bytes));
    if let Some(existing) = of_case(store, case_id)
        .await?
        .into_iter()
        .find(|a| a.sha256 == sha256)
    {
        return Ok(existing);
    }
    let path = path_of(archive_dir, &sha256);
    crate::documents::archive::write_once(&path, bytes)
        .map_err(|e| CaseError::Io(e.to_string()))?;
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO case_attachments (case_id, sha256, name, media_type, size, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(case_id)
    .bind(&sha256)
    .bind(&name)
    .bind(declared_type.mime())
    .bind(bytes.len() as i64)
    .bind(&actor.name)
    .bind(now_ms)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        &Change {
            actor: &actor.name,
            action: AuditAction::CaseAttachment,
            subject: format!("case:{case_id}"),
            details: serde_json::json!({
                "sha256": sha256,
                "name": name,
                "media_type": declared_type.mime(),
                "size": bytes.len(),
                "role": actor.role.map(crate::vocab::Role::as_str),
                "source": actor.source,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Attachment {
        sha256,
        name,
        media_type: declared_type.mime().to_string(),
        size: bytes.len() as i64,
        uploaded_by: actor.name.clone(),
        uploaded_at: format_millis(now_ms),
        event_id: None,
    })
}

/// The attachments of a case, in upload order.
pub async fn of_case(store: &Store, case_id: i64) -> Result<Vec<Attachment>, CaseError> {
    sqlx::query(
        "SELECT sha256, name, media_type, size, uploaded_by, uploaded_at, event_id \
         FROM case_attachments WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(Attachment {
            sha256: r.try_get("sha256")?,
            name: r.try_get("name")?,
            media_type: r.try_get("media_type")?,
            size: r.try_get("size")?,
            uploaded_by: r.try_get("uploaded_by")?,
            uploaded_at: format_millis(r.try_get("uploaded_at")?),
            event_id: r.try_get("event_id")?,
        })
    })
    .collect()
}

/// Ties uploaded attachments to the response event that carries them,
/// inside the response's transaction: each must have been uploaded to this
/// case and not be carried by an earlier response.
pub async fn attach(
    tx: &mut Transaction<'_, Any>,
    case_id: i64,
    event_id: i64,
    digests: &[String],
) -> Result<(), CaseError> {
    for sha in digests {
        let done = sqlx::query(
            "UPDATE case_attachments SET event_id = $1 \
             WHERE case_id = $2 AND sha256 = $3 AND event_id IS NULL",
        )
        .bind(event_id)
        .bind(case_id)
        .bind(sha)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(CaseError::Invalid(format!(
                "attachment {sha} was not uploaded to case {case_id}, or an earlier response carries it"
            )));
        }
    }
    Ok(())
}

/// An attachment's record and bytes, checked against its digest.
pub async fn read(
    store: &Store,
    archive_dir: &Path,
    case_id: i64,
    sha256: &str,
) -> Result<(Attachment, Vec<u8>), CaseError> {
    let attachment = of_case(store, case_id)
        .await?
        .into_iter()
        .find(|a| a.sha256 == sha256)
        .ok_or_else(|| CaseError::NoSuch(format!("case {case_id} has no attachment {sha256}")))?;
    let path = path_of(archive_dir, &attachment.sha256);
    let bytes = std::fs::read(&path)
        .map_err(|e| CaseError::Io(format!("cannot read {}: {e}", path.display())))?;
    if hex(&Sha256::digest(&bytes)) != attachment.sha256 {
        return Err(CaseError::Io(format!(
            "{} does not match its SHA-256: the file was altered",
            path.display()
        )));
    }
    Ok((attachment, bytes))
}
