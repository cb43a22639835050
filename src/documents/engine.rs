//! The typst engine: fonts, templates, data in through `sys.inputs`, PDF out.
//!
//! Built once per process ([`Engine::shared`]) and shared: it is `Send +
//! Sync`, and a compilation is plain CPU work, so async callers run
//! [`Engine::render`] on a blocking thread ([`Engine::render_blocking`]).
//!
//! **Data never becomes markup.** The inputs are converted from JSON to typst
//! values (strings stay strings) and handed over as `sys.inputs`; the
//! templates display them as text. A department called `#panic("x")` is
//! printed, not run.
//!
//! **No empty boxes.** Before compiling, every character of the inputs is
//! looked up in the loaded fonts; one that no font covers fails the render
//! with [`DocumentError::MissingGlyph`], naming the character and where it
//! occurs, instead of silently printing nothing (typst does not warn).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use typst::foundations::{Array, Dict, Value};
use typst::text::Font;
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

use super::{DocumentError, DocumentKind};

/// The templates, compiled in so that the binary renders anywhere.
const TEMPLATES: [(&str, &str); 5] = [
    ("gongwen.typ", include_str!("../../templates/gongwen.typ")),
    (PAGE_TEMPLATE, include_str!("../../templates/page.typ")),
    ("notice.typ", include_str!("../../templates/notice.typ")),
    ("circular.typ", include_str!("../../templates/circular.typ")),
    ("annual.typ", include_str!("../../templates/annual.typ")),
];

/// The four styles of GONGWEN.md and the bold face standing in for 小标宋,
/// vendored in `assets/fonts` (Fandol, GPL with font exception).
pub const FANDOL_FILES: [&str; 5] = [
    "FandolFang-Regular.otf",
    "FandolHei-Regular.otf",
    "FandolKai-Regular.otf",
    "FandolSong-Regular.otf",
    "FandolSong-Bold.otf",
];

/// Where the Noto CJK fallback is looked for (Debian `fonts-noto-cjk`).
const NOTO_DIRS: [&str; 3] = [
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
];
/// The Noto collections loaded (only their Simplified Chinese face).
const NOTO_FILES: [&str; 2] = ["NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc"];
const NOTO_FAMILY: &str = "Noto Serif CJK SC";

/// Environment variable naming a folder with the Fandol fonts, for a binary
/// run outside the repository.
pub const FONT_DIR_ENV: &str = "DUKAO_FONT_DIR";

/// The fonts a render may use, and what they cover.
pub struct FontSet {
    fonts: Vec<Font>,
    /// Where each was loaded from (for messages).
    pub sources: Vec<PathBuf>,
}

impl FontSet {
    /// Loads the Fandol fonts from the first folder that has them all
    /// (`$DUKAO_FONT_DIR`, `./assets/fonts`, the repository's
    /// `assets/fonts`, TeX Live's Fandol folder), plus the Simplified
    /// Chinese faces of Noto Serif CJK when installed.
    pub fn load() -> Result<FontSet, DocumentError> {
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(dir) = std::env::var_os(FONT_DIR_ENV).filter(|d| !d.is_empty()) {
            candidates.push(PathBuf::from(dir));
        }
        candidates.push(PathBuf::from("assets/fonts"));
        candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts"));
        candidates.push(PathBuf::from(
            "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol",
        ));
        let dir = candidates
            .iter()
            .find(|d| FANDOL_FILES.iter().all(|f| d.join(f).is_file()))
            .ok_or_else(|| {
                DocumentError::Font(format!(
                    "the Fandol fonts ({}) are in none of {}; the repository ships them in assets/fonts, \
                     or set {FONT_DIR_ENV} to a folder holding them",
                    FANDOL_FILES.join(", "),
                    candidates
                        .iter()
                        .map(|c| c.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        let mut set = FontSet {
            fonts: Vec::new(),
            sources: Vec::new(),
        };
        for file in FANDOL_FILES {
            set.add_file(&dir.join(file), None)?;
        }
        if let Some(noto) = NOTO_DIRS
            .iter()
            .map(Path::new)
            .find(|d| d.join(NOTO_FILES[0]).is_file())
        {
            for file in NOTO_FILES {
                let path = noto.join(file);
                if path.is_file() {
                    set.add_file(&path, Some(NOTO_FAMILY))?;
                }
            }
        } else {
            tracing::info!(
                "Noto Serif CJK is not installed: characters outside Fandol's coverage cannot be rendered"
            );
        }
        Ok(set)
    }

    fn add_file(&mut self, path: &Path, only_family: Option<&str>) -> Result<(), DocumentError> {
        let data = std::fs::read(path)
            .map_err(|e| DocumentError::Font(format!("cannot read {}: {e}", path.display())))?;
        let before = self.fonts.len();
        for font in Font::iter(typst::foundations::Bytes::new(data)) {
            if only_family.is_none_or(|f| font.info().family == f) {
                self.fonts.push(font);
                self.sources.push(path.to_path_buf());
            }
        }
        if self.fonts.len() == before {
            return Err(DocumentError::Font(format!(
                "{} holds no usable font{}",
                path.display(),
                only_family
                    .map(|f| format!(" of family {f}"))
                    .unwrap_or_default()
            )));
        }
        Ok(())
    }

    /// Whether some loaded font has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.fonts
            .iter()
            .any(|f| f.info().coverage.contains(c as u32))
    }

    /// The families loaded, in order.
    pub fn families(&self) -> Vec<String> {
        self.fonts.iter().map(|f| f.info().family.clone()).collect()
    }
}

/// How long the phases of one render took.
#[derive(Debug, Clone, Copy)]
pub struct RenderTimings {
    /// Glyph coverage check and JSON → typst values.
    pub inputs: Duration,
    /// typst: evaluation and layout.
    pub compile: Duration,
    /// PDF export (font subsetting, compression).
    pub export: Duration,
    /// Pages laid out.
    pub pages: usize,
}

/// The template a page is printed with (总览, a department's page): its
/// tables and charts on A4 with the documents' fonts. Not an official
/// document: no number, no issuer, no seal.
pub const PAGE_TEMPLATE: &str = "page.typ";

/// The typst engine with the templates and fonts.
pub struct Engine {
    typst: TypstEngine,
    fonts: FontSet,
}

static SHARED: OnceLock<Result<Arc<Engine>, String>> = OnceLock::new();

impl Engine {
    /// Builds an engine: loads the fonts, registers the templates.
    pub fn new() -> Result<Engine, DocumentError> {
        let fonts = FontSet::load()?;
        let typst = TypstEngine::builder()
            .fonts(fonts.fonts.iter().cloned())
            .with_static_source_file_resolver(TEMPLATES)
            // Keep typst's memoised layout of the templates between renders.
            .comemo_evict_max_age(Some(30))
            .build();
        Ok(Engine { typst, fonts })
    }

    /// The process's engine, built on first use.
    pub fn shared() -> Result<Arc<Engine>, DocumentError> {
        SHARED
            .get_or_init(|| Engine::new().map(Arc::new).map_err(|e| e.to_string()))
            .clone()
            .map_err(DocumentError::Font)
    }

    /// The fonts.
    pub fn fonts(&self) -> &FontSet {
        &self.fonts
    }

    /// Renders a document to PDF: checks glyph coverage, compiles the
    /// template with `inputs` as `sys.inputs`, exports.
    pub fn render(
        &self,
        kind: DocumentKind,
        inputs: &serde_json::Value,
    ) -> Result<Vec<u8>, DocumentError> {
        self.render_timed(kind, inputs).map(|(pdf, _)| pdf)
    }

    /// [`Engine::render`], also telling how long each phase took (for the
    /// benchmark and the `--timings` output).
    pub fn render_timed(
        &self,
        kind: DocumentKind,
        inputs: &serde_json::Value,
    ) -> Result<(Vec<u8>, RenderTimings), DocumentError> {
        self.render_template(kind.template(), inputs)
    }

    /// A printed page ([`PAGE_TEMPLATE`]) on a blocking thread: `inputs`
    /// holds its `title`, `basis`, `tables` (`heading`, `header`, `rows`)
    /// and `charts` (`svg`, `caption`).
    pub async fn render_page(
        self: Arc<Self>,
        inputs: serde_json::Value,
    ) -> Result<Vec<u8>, DocumentError> {
        tokio::task::spawn_blocking(move || {
            self.render_template(PAGE_TEMPLATE, &inputs)
                .map(|(pdf, _)| pdf)
        })
        .await
        .map_err(|e| DocumentError::Typst(format!("the render task failed: {e}")))?
    }

    /// Compiles `template` with `inputs` as `sys.inputs` (glyph coverage
    /// checked first) and exports the PDF.
    fn render_template(
        &self,
        template: &str,
        inputs: &serde_json::Value,
    ) -> Result<(Vec<u8>, RenderTimings), DocumentError> {
        let start = Instant::now();
        check_coverage(&self.fonts, inputs)?;
        let dict = match to_value(inputs) {
            Value::Dict(d) => d,
            _ => {
                return Err(DocumentError::Invalid(
                    "the inputs must be a JSON object".into(),
                ));
            }
        };
        let prepared = Instant::now();
        let document: PagedDocument = self
            .typst
            .compile_with_input(template, dict)
            .output
            .map_err(|e| DocumentError::Typst(describe(&e)))?;
        let compiled = Instant::now();
        let options = typst_pdf::PdfOptions::default();
        let pdf = typst_pdf::pdf(&document, &options).map_err(|e| {
            DocumentError::Typst(
                e.iter()
                    .map(|d| d.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let exported = Instant::now();
        let timings = RenderTimings {
            inputs: prepared - start,
            compile: compiled - prepared,
            export: exported - compiled,
            pages: document.pages().len(),
        };
        Ok((pdf, timings))
    }

    /// [`Engine::render`] on a blocking thread.
    pub async fn render_blocking(
        self: Arc<Self>,
        kind: DocumentKind,
        inputs: serde_json::Value,
    ) -> Result<Vec<u8>, DocumentError> {
        tokio::task::spawn_blocking(move || self.render(kind, &inputs))
            .await
            .map_err(|e| DocumentError::Typst(format!("the render task failed: {e}")))?
    }
}

fn describe(e: &typst_as_lib::TypstAsLibError) -> String {
    match e {
        typst_as_lib::TypstAsLibError::TypstSource(diags) => diags
            .iter()
            .map(|d| {
                let hints: Vec<String> = d
                    .hints
                    .iter()
                    .map(|h| format!(" (hint: {})", h.v))
                    .collect();
                format!("{}{}", d.message, hints.join(""))
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// JSON to typst: objects to dictionaries, arrays to arrays, strings stay
/// strings (never markup), integers to `int`, other numbers to `float`.
pub fn to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::None,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Value::Str(s.as_str().into()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(to_value).collect::<Array>()),
        serde_json::Value::Object(o) => {
            let mut d = Dict::new();
            for (k, v) in o {
                d.insert(k.as_str().into(), to_value(v));
            }
            Value::Dict(d)
        }
    }
}

/// Fails on the first character of the inputs that no loaded font covers,
/// naming it and the field it occurs in (`units[2].name`).
pub fn check_coverage(fonts: &FontSet, inputs: &serde_json::Value) -> Result<(), DocumentError> {
    let mut ok: HashSet<char> = HashSet::new();
    let mut path = String::new();
    walk(fonts, inputs, &mut path, &mut ok)
}

fn walk(
    fonts: &FontSet,
    v: &serde_json::Value,
    path: &mut String,
    ok: &mut HashSet<char>,
) -> Result<(), DocumentError> {
    match v {
        serde_json::Value::String(s) => {
            for c in s.chars() {
                if c.is_whitespace() || c.is_control() || ok.contains(&c) {
                    continue;
                }
                if !fonts.covers(c) {
                    return Err(DocumentError::MissingGlyph {
                        character: c,
                        field: if path.is_empty() {
                            "(root)".into()
                        } else {
                            path.clone()
                        },
                        text: s.chars().take(60).collect(),
                    });
                }
                ok.insert(c);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(fonts, item, path, ok)?;
                path.truncate(len);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, item) in o {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                walk(fonts, item, path, ok)?;
                path.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}
