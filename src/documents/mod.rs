//! Official documents: the rectification notice (整改通知书), the
//! circular (通报) when a rectification deadline passes, and the annual
//! sharing report (年度政务数据共享情况报告), rendered with typst as a
//! library in the layout of GB/T 9704-2012.
//!
//! # Shape
//!
//! - [`engine`]: fonts, the templates of `templates/` (compiled in), data in
//!   through `sys.inputs` only, glyph coverage checked before compiling;
//!   built once per process and shared.
//! - [`notice`], [`circular`], [`annual`]: each asks the modules that own
//!   the facts — the organisation ([`crate::org`]: who issues), the findings
//!   and figures ([`crate::metrics`]: `judge`, `findings`, `volume`,
//!   `summary`), the evaluation ([`crate::evaluation::evaluate_judged`]),
//!   the profiles ([`crate::rules`]: what to cite) — and builds a
//!   [`Prepared`] document: the JSON the template reads, plus what the
//!   archive records about it. None reads another module's table.
//!   [`charts`] draws the annual report's charts with plotters as SVG,
//!   embedded through the inputs too.
//! - [`archive`] owns `issued_documents`, `issued_document_findings` and
//!   `document_counters`: 发文字号 and the archive of issued documents. A number is
//!   taken from a per issuer, kind and year counter in the same transaction
//!   that archives the document, so it is never reused and two concurrent
//!   issues get two numbers; issued rows are immutable (database triggers),
//!   a correction is a new document naming the one it replaces.
//! - [`cli`] and [`api`] expose drafts (unnumbered, watermarked 草稿) and
//!   issuing.
//!
//! # Wording rules
//!
//! Every sanction, deadline and escalation is quoted from the governing
//! regulation's profile with its article. Where the regulation gives no
//! number (限期改正, 及时, or no time at all), the notice prints the
//! regulation's words and the due date, and the bureau's number only as the
//! bureau's (本局按…掌握), never as if it were law. A conduct is said to fall
//! under an item (属于…所列情形) only when an unconditional item names it;
//! otherwise the notice rests on the bureau's power (根据…的规定), and an
//! item needing 拒不, 故意 or 造成不良后果 is named only as what follows if an
//! inspector establishes it ([`crate::rules::Profile::notice_basis`]). A
//! document dated after its regulation lapsed carries a warning (附注).

pub mod annual;
pub mod api;
pub mod archive;
pub mod charts;
pub mod circular;
pub mod cli;
pub mod engine;
pub mod notice;

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

pub use crate::time::chinese_date;
pub use archive::{IssuedDocument, issue};
pub use engine::{Engine, RenderTimings};

use crate::org::Jurisdiction;
use crate::rules::{Citation, Profile};
use crate::vocab::{DocumentKind, JurisdictionLevel};

impl DocumentKind {
    /// The template file.
    pub fn template(self) -> &'static str {
        match self {
            DocumentKind::Notice => "notice.typ",
            DocumentKind::Circular => "circular.typ",
            DocumentKind::Annual => "annual.typ",
        }
    }

    /// The character of the 发文字号 that tells the kinds apart
    /// (`云市数督〔2026〕3号`): 督 notices, 通 circulars, 报 reports.
    pub fn number_mark(self) -> &'static str {
        match self {
            DocumentKind::Notice => "督",
            DocumentKind::Circular => "通",
            DocumentKind::Annual => "报",
        }
    }
}

/// Why a document could not be prepared, rendered or issued.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// The metrics failed.
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    /// The evaluation failed.
    #[error(transparent)]
    Evaluation(#[from] crate::evaluation::EvaluationError),
    /// The organisation could not be asked.
    #[error(transparent)]
    Org(#[from] crate::org::OrgError),
    /// The audit trail could not be written.
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    /// The calendar has no data for a date needed.
    #[error(transparent)]
    Calendar(#[from] crate::calendar::CalendarError),
    /// An id names nothing.
    #[error("{0}")]
    NotFound(String),
    /// The request cannot be honoured (nothing to notify, bad option).
    #[error("{0}")]
    Invalid(String),
    /// A character of the data is in no loaded font.
    #[error(
        "character {character:?} (U+{cp:04X}) in {field} ({text:?}) is in none of the loaded fonts; \
         install fonts-noto-cjk (Noto Serif CJK SC is the fallback for rare characters)",
        cp = *character as u32
    )]
    MissingGlyph {
        /// The character.
        character: char,
        /// Where it occurs in the document's data (`units[2].name`).
        field: String,
        /// The start of the text it occurs in.
        text: String,
    },
    /// The fonts could not be loaded.
    #[error("fonts: {0}")]
    Font(String),
    /// typst failed (a template bug).
    #[error("typst: {0}")]
    Typst(String),
    /// The archive could not be written.
    #[error("archive: {0}")]
    Io(String),
}

/// A document ready to render: the template's inputs, and what the archive
/// records about it.
#[derive(Debug, Clone, Serialize)]
pub struct Prepared {
    /// Which document.
    pub kind: DocumentKind,
    /// The issuing department (the bureau).
    pub issuer_id: String,
    /// Its name.
    pub issuer_name: String,
    /// 发文字号 before the year: `云市数督`.
    pub number_prefix: String,
    /// 主送机关.
    pub addressee: String,
    /// The title.
    pub title: String,
    /// The department (notice), jurisdiction (circular, report) it is about.
    pub subject_id: String,
    /// The year of the data.
    pub data_year: i32,
    /// 成文日期.
    pub issued_on: NaiveDate,
    /// The rectification deadline it sets, if any.
    pub deadline: Option<NaiveDate>,
    /// Findings (notice) or notices (circular) it covers, by key.
    pub covers: Vec<String>,
    /// The template's inputs, without the number (`doc.number` and
    /// `doc.draft` are set when rendering).
    pub data: serde_json::Value,
}

impl Prepared {
    /// The 发文字号 for sequence `n`, or the draft's blank form (`None`).
    pub fn number(&self, n: Option<i64>) -> String {
        let year = self.issued_on.year();
        match n {
            Some(n) => format!("{}〔{year}〕{n}号", self.number_prefix),
            None => format!("{}〔{year}〕　号", self.number_prefix),
        }
    }

    /// The inputs with the number set (`None`: a draft).
    pub fn inputs(&self, n: Option<i64>) -> serde_json::Value {
        let mut data = self.data.clone();
        if let Some(doc) = data.get_mut("doc").and_then(|d| d.as_object_mut()) {
            doc.insert("number".into(), self.number(n).into());
            doc.insert("draft".into(), n.is_none().into());
        }
        data
    }

    /// Renders a draft (no number, watermarked 草稿) on a blocking thread.
    pub async fn render_draft(&self, engine: Arc<Engine>) -> Result<Vec<u8>, DocumentError> {
        engine.render_blocking(self.kind, self.inputs(None)).await
    }
}

/// The common part of every document's inputs (`doc` in the templates).
#[derive(Debug, Clone, Serialize)]
pub struct Doc {
    /// Set when rendering.
    pub draft: bool,
    /// 上行文 layout.
    pub upward: bool,
    /// 发文机关标志.
    pub header: String,
    /// 发文机关署名.
    pub issuer: String,
    /// Set when rendering.
    pub number: String,
    /// 签发人 (upward documents).
    pub signer: Option<String>,
    /// 标题.
    pub title: String,
    /// The title's phrases, in order (their concatenation is `title`): a
    /// long title breaks only between them, so that each line keeps its
    /// words whole (GB/T 9704: 回行时要做到词意完整，排列对称). A single
    /// phrase breaks by length.
    pub title_parts: Vec<String>,
    /// 主送机关.
    pub addressee: String,
    /// 成文日期, `2026年1月6日`.
    pub date: String,
    /// Its year, month and day (PDF metadata).
    pub year: i32,
    /// Month.
    pub month: u32,
    /// Day.
    pub day: u32,
    /// 附件说明.
    pub attachments: Vec<String>,
    /// 附注.
    pub note: Option<String>,
    /// 抄送机关.
    pub cc: Vec<String>,
    /// 印发机关.
    pub printer: String,
    /// 印发日期.
    pub print_date: String,
}

impl Doc {
    /// A document of `issuer` dated `date`, titled by the phrases
    /// `title_parts`; the rest to fill in.
    pub fn new(issuer: &str, date: NaiveDate, title_parts: Vec<String>, addressee: String) -> Doc {
        Doc {
            draft: true,
            upward: false,
            header: format!("{issuer}文件"),
            issuer: issuer.to_string(),
            number: String::new(),
            signer: None,
            title: title_parts.concat(),
            title_parts,
            addressee,
            date: chinese_date(date),
            year: date.year(),
            month: date.month(),
            day: date.day(),
            attachments: Vec::new(),
            note: None,
            cc: Vec::new(),
            printer: format!("{issuer}办公室"),
            print_date: chinese_date(date),
        }
    }
}

/// `（一）`, `（二）`, … for the n-th (from 1) second-level heading.
pub fn paren_label(n: usize) -> String {
    format!("（{}）", crate::rules::chinese_number(n as u32))
}

/// A percentage with one decimal, or none.
pub fn percent(rate: Option<f64>) -> Option<String> {
    rate.filter(|r| r.is_finite())
        .map(|r| format!("{:.1}", r * 100.0))
}

/// A citation as documents print it: `{cite: 《…》第四十三条, quote: …}`,
/// the quote without its closing punctuation (it is set in quotation marks).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cited {
    /// `《晋城市政务数据资源共享管理实施细则》第四十三条第（八）项`.
    pub cite: String,
    /// The quoted sentence.
    pub quote: String,
}

impl Cited {
    /// Cites a power of the bureau: the article, and the words that give it.
    pub fn power(profile: &Profile, power: &crate::rules::Power) -> Cited {
        Cited {
            cite: profile.cite(&power.citation),
            quote: power.wording.clone(),
        }
    }

    /// Cites `c` of `profile`.
    pub fn of(profile: &Profile, c: &Citation) -> Cited {
        Cited {
            cite: profile.cite(c),
            quote: c
                .quote
                .trim()
                .trim_start_matches('…')
                .trim_end_matches(['。', '；', '，', '：', ';', ',', '.', '…'])
                .to_string(),
        }
    }
}

/// The 机关代字 of a jurisdiction's bureau, before the kind mark: the first
/// character of a city's name and 市 (`云市`), a county's or district's name
/// without its suffix (`新川`), a zone's first two characters; then 数.
pub fn issuer_code(jurisdiction: &Jurisdiction) -> String {
    let name = jurisdiction.name.as_str();
    let base: String = match jurisdiction.level {
        JurisdictionLevel::City => format!("{}市", name.chars().next().unwrap_or('市')),
        JurisdictionLevel::Zone => name.chars().take(2).collect(),
        JurisdictionLevel::County | JurisdictionLevel::District => name
            .trim_end_matches(['县', '区', '市'])
            .chars()
            .take(3)
            .collect(),
    };
    format!("{base}数")
}

/// The government office a jurisdiction's documents are copied to (抄送).
pub fn government_office(jurisdiction: &Jurisdiction) -> String {
    match jurisdiction.level {
        JurisdictionLevel::Zone => format!("{}管理委员会办公室", jurisdiction.name),
        JurisdictionLevel::City | JurisdictionLevel::County | JurisdictionLevel::District => {
            format!("{}人民政府办公室", jurisdiction.name)
        }
    }
}

/// The 附注 of a document dated after the regulation it quotes lapsed: the
/// reader is warned that the articles cited were no longer in force.
pub fn lapsed_note(profile: &Profile, date: NaiveDate) -> Option<String> {
    profile.lapsed_on(date).map(|until| {
        format!(
            "{}有效期至{}，本文件所引条款已失效，请核实现行规定后再行办理。",
            profile.title_marked(),
            chinese_date(until)
        )
    })
}

/// Today's date in Asia/Shanghai.
pub fn today() -> NaiveDate {
    crate::time::local_date(crate::time::now_millis())
}

#[cfg(test)]
mod tests;
