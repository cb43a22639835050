//! Parsing and validation of profile files, and the set of loaded profiles.
//!
//! A file is first read into loose "raw" structures (every field optional,
//! enums as strings, unknown fields rejected) and then validated into
//! [`Profile`], so that every error can name the file and the dotted key.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::Deserialize;

use super::citation::{Citation, Conduct};
use super::error::RulesError;
use super::names::{
    Basis, ClockStart, DeadlineKey, DeadlineKind, EscalationAction, EvaluationFrequency,
    IssuerLevel, LadderStep, Level, RectificationPower, Requirement,
};
use super::numeral::chinese_number;
use super::profile::{
    CategoryRule, DeadlineRule, Escalation, EscalationStep, Evaluation, NotRegulated, Power,
    Profile, ReportingDuty, Supervision, Validity,
};
use super::text::{QuoteProblem, RegulationText, normalize};
use crate::vocab::{CategoryCode, ParseNameError, ShareType};

/// A shipped profile: its file, its TOML, its regulation's text file and text.
struct Shipped {
    file: &'static str,
    toml: &'static str,
    text_file: &'static str,
    text: &'static str,
}

macro_rules! shipped {
    ($id:literal, $text:literal) => {
        Shipped {
            file: concat!("rules/profiles/", $id, ".toml"),
            toml: include_str!(concat!("../../rules/profiles/", $id, ".toml")),
            text_file: $text,
            text: include_str!(concat!("../../rules/profiles/", $text)),
        }
    };
}

/// The shipped profiles and the regulations they cite, compiled in.
const SHIPPED: [Shipped; 5] = [
    shipped!("xinxian", "xinxian-2021.txt"),
    shipped!("pingdingshan", "pingdingshan-2021.txt"),
    shipped!("yingkou", "yingkou-2022.txt"),
    shipped!("kaifeng", "kaifeng-2019.txt"),
    shipped!("jincheng", "jincheng-2024.txt"),
];

/// Deadlines every profile must regulate (the service computes them for every
/// jurisdiction). `reply_conditional` is required too, or else both of its
/// published/unpublished variants.
pub const REQUIRED_DEADLINES: [DeadlineKey; 5] = [
    DeadlineKey::CatalogUpdate,
    DeadlineKey::Correction,
    DeadlineKey::RefusalReason,
    DeadlineKey::ShareBasis,
    DeadlineKey::Rectification,
];

/// Sanity bounds: a value outside them is a typo, not a regulation.
const MAX_WORKING_DAYS: u32 = 60;
const MAX_CALENDAR_DAYS: u32 = 31;
const MAX_MONTHS: u32 = 120;
const MAX_YEARS: u32 = 20;

/// All loaded profiles, by id.
#[derive(Debug, Clone)]
pub struct Profiles {
    profiles: BTreeMap<String, Profile>,
}

static BUILTIN_PROFILES: LazyLock<Profiles> = LazyLock::new(|| {
    Profiles::parse_builtin().unwrap_or_else(|e| panic!("shipped profile is invalid: {e}"))
});

impl Profiles {
    /// The ids of the shipped profiles.
    pub const SHIPPED: [&'static str; 5] =
        ["xinxian", "pingdingshan", "yingkou", "kaifeng", "jincheng"];

    /// The five shipped profiles, parsed once.
    ///
    /// Panics if a shipped file is invalid (the tests guarantee it is not).
    pub fn builtin() -> &'static Profiles {
        &BUILTIN_PROFILES
    }

    /// Parses the five shipped files afresh, each quote checked against its
    /// regulation's text.
    pub fn parse_builtin() -> Result<Profiles, RulesError> {
        let mut profiles = BTreeMap::new();
        for (shipped, id) in SHIPPED.iter().zip(Profiles::SHIPPED) {
            let profile = parse_profile(shipped.toml, shipped.file, |name| {
                if name == shipped.text_file {
                    Ok(shipped.text.to_string())
                } else {
                    Err(invalid(
                        shipped.file,
                        "text",
                        format!("`{name}` is not the shipped text `{}`", shipped.text_file),
                    ))
                }
            })?;
            if profile.id != id {
                return Err(invalid(
                    shipped.file,
                    "id",
                    format!("expected `{id}`, found `{}`", profile.id),
                ));
            }
            profiles.insert(profile.id.clone(), profile);
        }
        Ok(Profiles { profiles })
    }

    /// The shipped profiles plus every `*.toml` file in `dir`: a file whose id
    /// is a shipped one replaces it, any other id adds a profile. A file's id
    /// must equal its file name (`jincheng.toml` holds `id = "jincheng"`),
    /// and its `text` names the regulation's text file in the same folder.
    pub fn load_dir(dir: &Path) -> Result<Profiles, RulesError> {
        let io_err = |source| RulesError::Io {
            file: dir.display().to_string(),
            source,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io_err)? {
            let path = entry.map_err(io_err)?.path();
            if path.is_file() && path.extension().is_some_and(|e| e == "toml") {
                paths.push(path);
            }
        }
        paths.sort();

        let mut profiles = Profiles::builtin().profiles.clone();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for path in paths {
            let file = path.display().to_string();
            let toml = std::fs::read_to_string(&path).map_err(|source| RulesError::Io {
                file: file.clone(),
                source,
            })?;
            let profile = parse_profile(&toml, &file, |name| {
                let text_path = dir.join(name);
                std::fs::read_to_string(&text_path).map_err(|source| RulesError::Io {
                    file: text_path.display().to_string(),
                    source,
                })
            })?;
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            if stem != profile.id {
                return Err(invalid(
                    &file,
                    "id",
                    format!(
                        "`{}` does not match the file name `{stem}.toml`",
                        profile.id
                    ),
                ));
            }
            if let Some(first) = seen.insert(profile.id.clone(), file.clone()) {
                return Err(RulesError::DuplicateProfile {
                    id: profile.id,
                    first,
                    second: file,
                });
            }
            profiles.insert(profile.id.clone(), profile);
        }
        Ok(Profiles { profiles })
    }

    /// The profile with id `id` (shipped or added), if any.
    pub fn by_id(&self, id: &str) -> Option<&Profile> {
        self.profiles.get(id)
    }

    /// All profiles, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.values()
    }

    /// The ids, ordered.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// The number of profiles.
    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    /// Never true for a set built by this module (kept for the API's symmetry).
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }
}

/// Parses and validates one profile file. `file` names it in errors;
/// `read_text` reads the regulation's text file the profile names in its
/// `text` key, against which every quote is checked.
pub fn parse_profile(
    toml: &str,
    file: &str,
    read_text: impl FnOnce(&str) -> Result<String, RulesError>,
) -> Result<Profile, RulesError> {
    let raw: RawProfile = toml::from_str(toml).map_err(|e| RulesError::Parse {
        file: file.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    let validator = Validator { file };
    let text_file = validator.text("text", raw.text.clone())?;
    let profile = validator.profile(raw, text_file)?;
    let text = read_text(&profile.text_file)?;
    let regulation = RegulationText::parse(&text).ok_or_else(|| {
        validator.invalid(
            "text",
            format!(
                "`{}` has no article headings (第一条, 第二条, …) at the start of a line",
                profile.text_file
            ),
        )
    })?;
    validator.quotes(&profile, &regulation)?;
    Ok(profile)
}

// ------------------------------------------------------------------ raw form

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    id: Option<String>,
    text: Option<String>,
    code: Option<String>,
    title: Option<String>,
    document_number: Option<String>,
    issuer: Option<String>,
    issued_on: Option<toml::Value>,
    level: Option<String>,
    parent: Option<String>,
    #[serde(default)]
    notes: Vec<String>,
    validity: Option<RawValidity>,
    #[serde(default)]
    deadlines: BTreeMap<String, RawDeadline>,
    #[serde(default)]
    categories: BTreeMap<String, RawCategory>,
    escalation: Option<RawEscalation>,
    supervision: Option<RawSupervision>,
    evaluation: Option<RawEvaluation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCitation {
    article: Option<i64>,
    item: Option<i64>,
    quote: Option<String>,
    condition: Option<String>,
    #[serde(default)]
    applies_to: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValidity {
    from: Option<toml::Value>,
    until: Option<toml::Value>,
    citation: Option<RawCitation>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
    kind: Option<String>,
    working_days: Option<i64>,
    extension_working_days: Option<i64>,
    calendar_days: Option<i64>,
    months: Option<i64>,
    years: Option<i64>,
    from: Option<String>,
    basis: Option<String>,
    wording: Option<String>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    share_types: Vec<String>,
    citation: Option<RawCitation>,
    #[serde(default)]
    also: Vec<RawCitation>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    #[serde(default)]
    sanction: Vec<RawCitation>,
    #[serde(default)]
    duties: Vec<RawCitation>,
    covers_unnamed: Option<bool>,
    escalation_step: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSupervision {
    wording: Option<String>,
    citation: Option<RawCitation>,
    #[serde(default)]
    also: Vec<RawCitation>,
    rectification_power: Option<String>,
    issuer: Option<String>,
    same_level: Option<RawPower>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPower {
    wording: Option<String>,
    citation: Option<RawCitation>,
    #[serde(default)]
    also: Vec<RawCitation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalation {
    authority: Option<String>,
    issuer: Option<String>,
    addressees: Option<String>,
    first_step: Option<RawStep>,
    overdue: Option<RawStep>,
    serious: Option<RawStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    action: Option<String>,
    category: Option<String>,
    wording: Option<String>,
    basis: Option<String>,
    citation: Option<RawCitation>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvaluation {
    frequency: Option<String>,
    #[serde(default)]
    duties: Vec<RawCitation>,
    #[serde(default)]
    inspection_items: Vec<RawCitation>,
    #[serde(default)]
    reporting: Vec<RawReporting>,
    #[serde(default)]
    consequences: Vec<RawCitation>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReporting {
    who: Option<String>,
    to: Option<String>,
    what: Option<String>,
    due_month: Option<i64>,
    citation: Option<RawCitation>,
}

// ------------------------------------------------------------------ validation

fn invalid(file: &str, key: &str, reason: impl Into<String>) -> RulesError {
    RulesError::Invalid {
        file: file.to_string(),
        key: key.to_string(),
        reason: reason.into(),
    }
}

/// Whether `quote` states `n` followed by `unit` (`5个工作日`, `三年`), with no
/// further digit in front (so `15个工作日` does not state 5).
pub(super) fn states_number(quote: &str, n: u32, unit: &str) -> bool {
    let quote = normalize(quote);
    let is_digit = |c: char| c.is_ascii_digit() || "零一二三四五六七八九十百千两".contains(c);
    [n.to_string(), chinese_number(n)].iter().any(|number| {
        let needle = format!("{number}{unit}");
        quote
            .match_indices(&needle)
            .any(|(at, _)| quote[..at].chars().next_back().is_none_or(|c| !is_digit(c)))
    })
}

struct Validator<'a> {
    file: &'a str,
}

impl Validator<'_> {
    fn missing(&self, key: &str) -> RulesError {
        RulesError::Missing {
            file: self.file.to_string(),
            key: key.to_string(),
        }
    }

    fn invalid(&self, key: &str, reason: impl Into<String>) -> RulesError {
        invalid(self.file, key, reason)
    }

    fn text(&self, key: &str, value: Option<String>) -> Result<String, RulesError> {
        match value {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(self.missing(key)),
        }
    }

    fn optional_text(
        &self,
        key: &str,
        value: Option<String>,
    ) -> Result<Option<String>, RulesError> {
        match value {
            Some(s) if s.trim().is_empty() => Err(self.invalid(key, "must not be empty")),
            other => Ok(other),
        }
    }

    fn name<T: FromStr<Err = ParseNameError>>(
        &self,
        key: &str,
        value: &str,
    ) -> Result<T, RulesError> {
        value
            .parse()
            .map_err(|e: ParseNameError| RulesError::UnknownValue {
                file: self.file.to_string(),
                key: key.to_string(),
                value: e.value,
                expected: e.expected,
            })
    }

    fn date(&self, key: &str, value: Option<toml::Value>) -> Result<Option<NaiveDate>, RulesError> {
        let text = match value {
            None => return Ok(None),
            Some(toml::Value::Datetime(dt)) => dt.to_string(),
            Some(toml::Value::String(s)) => s,
            Some(other) => {
                return Err(
                    self.invalid(key, format!("expected a date (YYYY-MM-DD), found {other}"))
                );
            }
        };
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| self.invalid(key, format!("expected a date (YYYY-MM-DD), found `{text}`")))
    }

    fn range(
        &self,
        key: &str,
        value: Option<i64>,
        max: u32,
        unit: &'static str,
    ) -> Result<Option<u32>, RulesError> {
        match value {
            None => Ok(None),
            Some(v) if v >= 1 && v <= i64::from(max) => Ok(Some(v as u32)),
            Some(v) => Err(RulesError::OutOfRange {
                file: self.file.to_string(),
                key: key.to_string(),
                value: v,
                min: 1,
                max,
                unit,
            }),
        }
    }

    fn citation(&self, key: &str, raw: RawCitation) -> Result<Citation, RulesError> {
        let article = match raw.article {
            None => return Err(self.missing(&format!("{key}.article"))),
            Some(a) if a < 1 || a > i64::from(u32::MAX) => {
                return Err(RulesError::BadArticle {
                    file: self.file.to_string(),
                    key: format!("{key}.article"),
                    value: a,
                });
            }
            Some(a) => a as u32,
        };
        let item = match raw.item {
            None => None,
            Some(i) if i < 1 || i > i64::from(u32::MAX) => {
                return Err(RulesError::BadItem {
                    file: self.file.to_string(),
                    key: format!("{key}.item"),
                    value: i,
                });
            }
            Some(i) => Some(i as u32),
        };
        let quote = self.text(&format!("{key}.quote"), raw.quote)?;
        let condition = self.optional_text(&format!("{key}.condition"), raw.condition)?;
        if let Some(words) = &condition {
            if !normalize(&quote).contains(&normalize(words)) {
                return Err(self.invalid(
                    &format!("{key}.condition"),
                    format!(
                        "`{words}` is not in the quote: a condition names words of the article"
                    ),
                ));
            }
        }
        let applies_to = raw
            .applies_to
            .iter()
            .enumerate()
            .map(|(i, c)| self.name::<Conduct>(&format!("{key}.applies_to[{i}]"), c))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Citation {
            article,
            item,
            quote,
            condition,
            applies_to,
        })
    }

    fn required_citation(
        &self,
        key: &str,
        raw: Option<RawCitation>,
    ) -> Result<Citation, RulesError> {
        match raw {
            Some(raw) => self.citation(&format!("{key}.citation"), raw),
            None => Err(RulesError::MissingCitation {
                file: self.file.to_string(),
                key: key.to_string(),
            }),
        }
    }

    fn citations(&self, key: &str, raw: Vec<RawCitation>) -> Result<Vec<Citation>, RulesError> {
        raw.into_iter()
            .enumerate()
            .map(|(i, c)| self.citation(&format!("{key}[{i}]"), c))
            .collect()
    }

    /// Checks that a number taken from the text appears in the quote.
    fn quoted(&self, key: &str, citation: &Citation, n: u32, unit: &str) -> Result<(), RulesError> {
        if states_number(&citation.quote, n, unit) {
            Ok(())
        } else {
            Err(RulesError::QuoteMismatch {
                file: self.file.to_string(),
                key: key.to_string(),
                value: format!("{n}{unit}"),
                quote: citation.quote.clone(),
            })
        }
    }

    /// Checks every quote against the regulation's text: it must stand in
    /// the cited article, and in the cited item when one is given.
    fn quotes(&self, profile: &Profile, text: &RegulationText) -> Result<(), RulesError> {
        let problems: Vec<String> = profile
            .citations_by_key()
            .into_iter()
            .filter_map(|(key, c)| {
                let problem = match text.check(c).err()? {
                    QuoteProblem::NoArticle(n) => format!("the text has no article {n}"),
                    QuoteProblem::NoItem(n, k) => format!("article {n} has no item {k}"),
                    QuoteProblem::NotInText => "not in the cited article/item".to_string(),
                };
                Some(format!(
                    "{key} ({}): {problem}: «{}»",
                    c.short(&profile.code),
                    c.quote
                ))
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(RulesError::QuotesNotInText {
                file: self.file.to_string(),
                text: profile.text_file.clone(),
                problems,
            })
        }
    }

    fn profile(&self, raw: RawProfile, text_file: String) -> Result<Profile, RulesError> {
        let id = self.text("id", raw.id)?;
        if !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            || !id.starts_with(|c: char| c.is_ascii_lowercase())
        {
            return Err(self.invalid(
                "id",
                format!("`{id}`: use lowercase letters, digits and `_`, starting with a letter"),
            ));
        }
        let code = self.text("code", raw.code)?;
        if code.len() > 8 || !code.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(self.invalid("code", format!("`{code}`: use 1 to 8 capital letters")));
        }
        let title = self.text("title", raw.title)?;
        if title.contains(['《', '》']) {
            return Err(self.invalid("title", "write the title without 《》"));
        }
        let document_number = self.optional_text("document_number", raw.document_number)?;
        let issuer = self.text("issuer", raw.issuer)?;
        let issued_on = self
            .date("issued_on", raw.issued_on)?
            .ok_or_else(|| self.missing("issued_on"))?;
        let level_text = self.text("level", raw.level)?;
        let level: Level = self.name("level", &level_text)?;
        let parent = self.optional_text("parent", raw.parent)?;
        let validity = match raw.validity {
            Some(v) => self.validity(v)?,
            None => Validity::default(),
        };

        let mut deadlines = BTreeMap::new();
        let mut not_regulated = BTreeMap::new();
        for (name, rd) in raw.deadlines {
            let key: DeadlineKey =
                name.parse()
                    .map_err(|e: ParseNameError| RulesError::UnknownDeadline {
                        file: self.file.to_string(),
                        key: name.clone(),
                        expected: e.expected,
                    })?;
            match self.deadline(key, rd)? {
                Entry::Rule(rule) => {
                    deadlines.insert(key, rule);
                }
                Entry::NotRegulated(nr) => {
                    not_regulated.insert(key, nr);
                }
            }
        }
        for key in REQUIRED_DEADLINES {
            if !deadlines.contains_key(&key) {
                return Err(RulesError::MissingDeadline {
                    file: self.file.to_string(),
                    key: key.to_string(),
                });
            }
        }
        let published = deadlines.contains_key(&DeadlineKey::ReplyConditionalPublished);
        let unpublished = deadlines.contains_key(&DeadlineKey::ReplyConditionalUnpublished);
        if published != unpublished {
            let (have, lack) = if published {
                (
                    DeadlineKey::ReplyConditionalPublished,
                    DeadlineKey::ReplyConditionalUnpublished,
                )
            } else {
                (
                    DeadlineKey::ReplyConditionalUnpublished,
                    DeadlineKey::ReplyConditionalPublished,
                )
            };
            return Err(self.invalid(
                &format!("deadlines.{lack}"),
                format!("required together with `deadlines.{have}`"),
            ));
        }
        if !published && !deadlines.contains_key(&DeadlineKey::ReplyConditional) {
            return Err(RulesError::MissingDeadline {
                file: self.file.to_string(),
                key: DeadlineKey::ReplyConditional.to_string(),
            });
        }

        let mut categories = BTreeMap::new();
        for (name, rc) in raw.categories {
            let code: CategoryCode =
                name.parse()
                    .map_err(|e: ParseNameError| RulesError::UnknownCategory {
                        file: self.file.to_string(),
                        code: name.clone(),
                        expected: e.expected,
                    })?;
            let key = format!("categories.{name}");
            let covers_unnamed = match (code, rc.covers_unnamed) {
                (CategoryCode::Other, Some(covers)) => covers,
                (CategoryCode::Other, None) => {
                    return Err(self.missing(&format!("{key}.covers_unnamed")));
                }
                (_, Some(_)) => {
                    return Err(self.invalid(
                        &format!("{key}.covers_unnamed"),
                        "only category `other` has a catch-all item",
                    ));
                }
                (_, None) => false,
            };
            let escalation_step = rc
                .escalation_step
                .as_deref()
                .map(|s| self.name::<LadderStep>(&format!("{key}.escalation_step"), s))
                .transpose()?;
            categories.insert(
                code,
                CategoryRule {
                    code,
                    sanction: self.citations(&format!("{key}.sanction"), rc.sanction)?,
                    duties: self.citations(&format!("{key}.duties"), rc.duties)?,
                    covers_unnamed,
                    escalation_step,
                    note: self.optional_text(&format!("{key}.note"), rc.note)?,
                },
            );
        }
        if !categories.contains_key(&CategoryCode::Other) {
            return Err(self.missing("categories.other"));
        }

        let escalation =
            self.escalation(raw.escalation.ok_or_else(|| self.missing("escalation"))?)?;
        for (name, rule) in &categories {
            if rule.escalation_step == Some(LadderStep::Overdue) && escalation.overdue.is_none() {
                return Err(self.invalid(
                    &format!("categories.{name}.escalation_step"),
                    "names `overdue`, but the profile has no escalation.overdue",
                ));
            }
        }
        let supervision =
            self.supervision(raw.supervision.ok_or_else(|| self.missing("supervision"))?)?;
        let evaluation =
            self.evaluation(raw.evaluation.ok_or_else(|| self.missing("evaluation"))?)?;

        Ok(Profile {
            id,
            code,
            text_file,
            title,
            document_number,
            issuer,
            issued_on,
            level,
            parent,
            validity,
            notes: raw.notes,
            deadlines,
            not_regulated,
            categories,
            escalation,
            supervision,
            evaluation,
            source: self.file.to_string(),
        })
    }

    fn validity(&self, raw: RawValidity) -> Result<Validity, RulesError> {
        let from = self.date("validity.from", raw.from)?;
        let until = self.date("validity.until", raw.until)?;
        match (from, until) {
            (None, Some(_)) => return Err(self.missing("validity.from")),
            (Some(f), Some(u)) if u < f => {
                return Err(self.invalid("validity.until", "is before validity.from"));
            }
            _ => {}
        }
        if from.is_some() && raw.citation.is_none() {
            return Err(RulesError::MissingCitation {
                file: self.file.to_string(),
                key: "validity".to_string(),
            });
        }
        Ok(Validity {
            from,
            until,
            citation: raw
                .citation
                .map(|c| self.citation("validity.citation", c))
                .transpose()?,
            note: self.optional_text("validity.note", raw.note)?,
        })
    }

    fn deadline(&self, key: DeadlineKey, raw: RawDeadline) -> Result<Entry, RulesError> {
        let path = format!("deadlines.{key}");
        let kind = self.deadline_kind(&path, raw.kind.as_deref())?;
        self.fields_of_kind(&path, kind, &raw)?;
        if kind == DeadlineKind::NotRegulated {
            return self.not_regulated(key, &path, raw).map(Entry::NotRegulated);
        }
        let citation = self.required_citation(&path, raw.citation)?;
        let also = self.citations(&format!("{path}.also"), raw.also)?;
        let wording = self.text(&format!("{path}.wording"), raw.wording)?;
        let basis = self.deadline_basis(&path, kind, raw.basis.as_deref(), &wording, &citation)?;
        let limits = Limits {
            working_days: self.range(
                &format!("{path}.working_days"),
                raw.working_days,
                MAX_WORKING_DAYS,
                "working days",
            )?,
            extension_working_days: self.range(
                &format!("{path}.extension_working_days"),
                raw.extension_working_days,
                MAX_WORKING_DAYS,
                "working days",
            )?,
            calendar_days: self.range(
                &format!("{path}.calendar_days"),
                raw.calendar_days,
                MAX_CALENDAR_DAYS,
                "days",
            )?,
            months: self.range(&format!("{path}.months"), raw.months, MAX_MONTHS, "months")?,
            years: self.range(&format!("{path}.years"), raw.years, MAX_YEARS, "years")?,
            from: raw
                .from
                .as_deref()
                .map(|f| self.name(&format!("{path}.from"), f))
                .transpose()?,
        };
        self.limits_of_kind(&path, kind, &limits, !raw.requires.is_empty())?;
        if basis == Basis::Regulation {
            self.limits_quoted(&path, &limits, &citation)?;
        }
        let requires = raw
            .requires
            .iter()
            .enumerate()
            .map(|(i, r)| self.name::<Requirement>(&format!("{path}.requires[{i}]"), r))
            .collect::<Result<Vec<_>, _>>()?;
        let share_types = raw
            .share_types
            .iter()
            .enumerate()
            .map(|(i, s)| self.name::<ShareType>(&format!("{path}.share_types[{i}]"), s))
            .collect::<Result<Vec<_>, _>>()?;
        if key == DeadlineKey::ShareBasis && share_types.is_empty() {
            return Err(self.missing(&format!("{path}.share_types")));
        }
        Ok(Entry::Rule(DeadlineRule {
            key,
            kind,
            working_days: limits.working_days,
            extension_working_days: limits.extension_working_days,
            calendar_days: limits.calendar_days,
            months: limits.months,
            years: limits.years,
            from: limits.from,
            basis,
            wording,
            requires,
            share_types,
            citation,
            also,
            note: self.optional_text(&format!("{path}.note"), raw.note)?,
        }))
    }

    fn deadline_kind(&self, path: &str, kind: Option<&str>) -> Result<DeadlineKind, RulesError> {
        let text = kind.ok_or_else(|| self.missing(&format!("{path}.kind")))?;
        text.parse()
            .map_err(|e: ParseNameError| RulesError::UnknownKind {
                file: self.file.to_string(),
                key: format!("{path}.kind"),
                value: e.value,
                expected: e.expected,
            })
    }

    /// Rejects the optional fields a kind does not use.
    fn fields_of_kind(
        &self,
        path: &str,
        kind: DeadlineKind,
        raw: &RawDeadline,
    ) -> Result<(), RulesError> {
        use DeadlineKind as K;
        const COUNTED: &[DeadlineKind] = &[
            K::WorkingDays,
            K::InTime,
            K::SetByAuthority,
            K::NoLimit,
            K::OnTheSpot,
        ];
        const CLOCKED: &[DeadlineKind] = &[
            K::WorkingDays,
            K::InTime,
            K::SetByAuthority,
            K::NoLimit,
            K::OnTheSpot,
            K::Months,
            K::Years,
            K::Quarterly,
        ];
        let present: [(&str, bool, &[DeadlineKind]); 8] = [
            ("working_days", raw.working_days.is_some(), COUNTED),
            (
                "extension_working_days",
                raw.extension_working_days.is_some(),
                &[K::WorkingDays],
            ),
            (
                "calendar_days",
                raw.calendar_days.is_some(),
                &[K::Quarterly],
            ),
            ("months", raw.months.is_some(), &[K::Months]),
            ("years", raw.years.is_some(), &[K::Years]),
            ("from", raw.from.is_some(), CLOCKED),
            (
                "requires",
                !raw.requires.is_empty(),
                &[K::Requirement, K::InTime],
            ),
            (
                "share_types",
                !raw.share_types.is_empty(),
                &[K::Requirement],
            ),
        ];
        for (field, is_set, kinds) in present {
            if is_set && !kinds.contains(&kind) {
                return Err(self.invalid(
                    &format!("{path}.{field}"),
                    format!("not allowed for kind `{kind}`"),
                ));
            }
        }
        Ok(())
    }

    fn not_regulated(
        &self,
        key: DeadlineKey,
        path: &str,
        raw: RawDeadline,
    ) -> Result<NotRegulated, RulesError> {
        if raw.basis.is_some() || raw.wording.is_some() || !raw.also.is_empty() {
            return Err(self.invalid(
                path,
                "kind `not_regulated` takes only `citation` and `note`",
            ));
        }
        Ok(NotRegulated {
            key,
            citation: raw
                .citation
                .map(|c| self.citation(&format!("{path}.citation"), c))
                .transpose()?,
            note: self.optional_text(&format!("{path}.note"), raw.note)?,
        })
    }

    /// Where a deadline's number comes from, checked against its kind: the
    /// kinds without a number in the text (`in_time`, `set_by_authority`,
    /// `no_limit`) carry the bureau's, marked and never printed; their
    /// wording is the text's; 及时/实时 is what makes a limit `in_time`, and a
    /// text without it sets no time (`no_limit`).
    fn deadline_basis(
        &self,
        path: &str,
        kind: DeadlineKind,
        basis: Option<&str>,
        wording: &str,
        citation: &Citation,
    ) -> Result<Basis, RulesError> {
        use DeadlineKind as K;
        let basis: Basis = match basis {
            Some(b) => self.name(&format!("{path}.basis"), b)?,
            None => Basis::Regulation,
        };
        let bureau_kind = matches!(kind, K::InTime | K::SetByAuthority | K::NoLimit);
        let invalid =
            |field: &str, reason: String| self.invalid(&format!("{path}.{field}"), reason);
        if bureau_kind && basis != Basis::BureauDefault {
            return Err(invalid(
                "basis",
                format!("kind `{kind}` carries a bureau number: set basis = \"bureau_default\""),
            ));
        }
        if !bureau_kind && basis != Basis::Regulation {
            return Err(invalid(
                "basis",
                format!(
                    "kind `{kind}` states the regulation's own limit; a bureau number needs kind `in_time`, `set_by_authority` or `no_limit`"
                ),
            ));
        }
        if !bureau_kind {
            return Ok(basis);
        }
        if wording
            .chars()
            .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        {
            return Err(invalid(
                "wording",
                "must quote the text, not the bureau's number".into(),
            ));
        }
        if !normalize(&citation.quote).contains(&normalize(wording)) {
            return Err(invalid(
                "wording",
                "a bureau-default entry quotes the text: its wording must stand in the quoted sentence"
                    .into(),
            ));
        }
        let says_in_time = ["及时", "实时"].iter().any(|w| citation.quote.contains(w));
        if kind == K::InTime && !says_in_time {
            return Err(invalid(
                "kind",
                "`in_time` needs 及时 or 实时 in the quote; a text that sets no time is `no_limit`"
                    .into(),
            ));
        }
        if kind == K::NoLimit && says_in_time {
            return Err(invalid(
                "kind",
                "the quote says 及时 or 实时: the entry is `in_time`, not `no_limit`".into(),
            ));
        }
        Ok(basis)
    }

    /// Requires the numbers and the clock a kind needs.
    fn limits_of_kind(
        &self,
        path: &str,
        kind: DeadlineKind,
        limits: &Limits,
        requires: bool,
    ) -> Result<(), RulesError> {
        use DeadlineKind as K;
        let need = |value: bool, field: &str| {
            if value {
                Ok(())
            } else {
                Err(self.missing(&format!("{path}.{field}")))
            }
        };
        let clocked = limits.from.is_some();
        match kind {
            K::WorkingDays | K::InTime | K::SetByAuthority | K::NoLimit => {
                need(limits.working_days.is_some(), "working_days")?;
                need(clocked, "from")
            }
            K::OnTheSpot => need(limits.working_days.is_none() || clocked, "from"),
            K::Months => {
                need(limits.months.is_some(), "months")?;
                need(clocked, "from")
            }
            K::Years => {
                need(limits.years.is_some(), "years")?;
                need(clocked, "from")
            }
            K::Requirement => need(requires, "requires"),
            K::Quarterly | K::Direct | K::PriorApproval | K::NotRegulated => Ok(()),
        }
    }

    /// A number from the regulation must be the one the quote states.
    fn limits_quoted(
        &self,
        path: &str,
        limits: &Limits,
        citation: &Citation,
    ) -> Result<(), RulesError> {
        let numbers = [
            ("working_days", limits.working_days, "个工作日"),
            (
                "extension_working_days",
                limits.extension_working_days,
                "个工作日",
            ),
            ("calendar_days", limits.calendar_days, "日"),
            ("months", limits.months, "个月"),
            ("years", limits.years, "年"),
        ];
        for (field, number, unit) in numbers {
            if let Some(n) = number {
                self.quoted(&format!("{path}.{field}"), citation, n, unit)?;
            }
        }
        Ok(())
    }

    fn step(&self, path: &str, raw: RawStep) -> Result<EscalationStep, RulesError> {
        let action_text = self.text(&format!("{path}.action"), raw.action)?;
        let action: EscalationAction = self.name(&format!("{path}.action"), &action_text)?;
        let new_finding = action == EscalationAction::NewFinding;
        let category = match (&raw.category, new_finding) {
            (Some(c), true) => {
                Some(
                    c.parse::<CategoryCode>()
                        .map_err(|e| RulesError::UnknownCategory {
                            file: self.file.to_string(),
                            code: e.value,
                            expected: e.expected,
                        })?,
                )
            }
            (None, true) => return Err(self.missing(&format!("{path}.category"))),
            (Some(_), false) => {
                return Err(self.invalid(
                    &format!("{path}.category"),
                    "only allowed with action `new_finding`",
                ));
            }
            (None, false) => None,
        };
        let basis = match &raw.basis {
            Some(b) => self.name(&format!("{path}.basis"), b)?,
            None => Basis::Regulation,
        };
        Ok(EscalationStep {
            action,
            category,
            wording: self.text(&format!("{path}.wording"), raw.wording)?,
            basis,
            citation: self.required_citation(path, raw.citation)?,
            note: self.optional_text(&format!("{path}.note"), raw.note)?,
        })
    }

    fn escalation(&self, raw: RawEscalation) -> Result<Escalation, RulesError> {
        let first = raw
            .first_step
            .ok_or_else(|| self.missing("escalation.first_step"))?;
        let issuer_text = self.text("escalation.issuer", raw.issuer)?;
        Ok(Escalation {
            authority: self.text("escalation.authority", raw.authority)?,
            issuer: self.name("escalation.issuer", &issuer_text)?,
            addressees: self.optional_text("escalation.addressees", raw.addressees)?,
            first_step: self.step("escalation.first_step", first)?,
            overdue: raw
                .overdue
                .map(|s| self.step("escalation.overdue", s))
                .transpose()?,
            serious: raw
                .serious
                .map(|s| self.step("escalation.serious", s))
                .transpose()?,
        })
    }

    fn power(
        &self,
        key: &str,
        wording: Option<String>,
        citation: Option<RawCitation>,
        also: Vec<RawCitation>,
    ) -> Result<Power, RulesError> {
        let wording = self.text(&format!("{key}.wording"), wording)?;
        let citation = self.required_citation(key, citation)?;
        if !normalize(&citation.quote).contains(&normalize(&wording)) {
            return Err(self.invalid(
                &format!("{key}.wording"),
                "must be words of the quoted article (the power as the text gives it)",
            ));
        }
        Ok(Power {
            wording,
            citation,
            also: self.citations(&format!("{key}.also"), also)?,
        })
    }

    fn supervision(&self, raw: RawSupervision) -> Result<Supervision, RulesError> {
        let kind = self.text("supervision.rectification_power", raw.rectification_power)?;
        Ok(Supervision {
            power: self.power("supervision", raw.wording, raw.citation, raw.also)?,
            rectification_power: self
                .name::<RectificationPower>("supervision.rectification_power", &kind)?,
            issuer: raw
                .issuer
                .as_deref()
                .map(|i| self.name::<IssuerLevel>("supervision.issuer", i))
                .transpose()?,
            same_level: raw
                .same_level
                .map(|p| self.power("supervision.same_level", p.wording, p.citation, p.also))
                .transpose()?,
            note: self.optional_text("supervision.note", raw.note)?,
        })
    }

    fn evaluation(&self, raw: RawEvaluation) -> Result<Evaluation, RulesError> {
        let freq_text = self.text("evaluation.frequency", raw.frequency)?;
        let frequency: EvaluationFrequency = self.name("evaluation.frequency", &freq_text)?;
        let reporting = raw
            .reporting
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let path = format!("evaluation.reporting[{i}]");
                Ok(ReportingDuty {
                    who: self.text(&format!("{path}.who"), r.who)?,
                    to: self.text(&format!("{path}.to"), r.to)?,
                    what: self.text(&format!("{path}.what"), r.what)?,
                    due_month: self.range(
                        &format!("{path}.due_month"),
                        r.due_month,
                        12,
                        "(month)",
                    )?,
                    citation: self.required_citation(&path, r.citation)?,
                })
            })
            .collect::<Result<Vec<_>, RulesError>>()?;
        Ok(Evaluation {
            frequency,
            duties: self.citations("evaluation.duties", raw.duties)?,
            inspection_items: self
                .citations("evaluation.inspection_items", raw.inspection_items)?,
            reporting,
            consequences: self.citations("evaluation.consequences", raw.consequences)?,
            note: self.optional_text("evaluation.note", raw.note)?,
        })
    }
}

enum Entry {
    Rule(DeadlineRule),
    NotRegulated(NotRegulated),
}

/// The numbers and the clock of a deadline entry, as validated.
struct Limits {
    working_days: Option<u32>,
    extension_working_days: Option<u32>,
    calendar_days: Option<u32>,
    months: Option<u32>,
    years: Option<u32>,
    from: Option<ClockStart>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_must_stand_alone_in_the_quote() {
        assert!(states_number("应在5个工作日内", 5, "个工作日"));
        assert!(states_number("应在 5 个\n工作日内", 5, "个工作日"));
        assert!(states_number(
            "应在收到反馈之日起５个工作日内",
            5,
            "个工作日"
        ));
        assert!(states_number("最长授权期为三年", 3, "年"));
        assert!(!states_number("自公布之日起15个工作日内", 5, "个工作日"));
        assert!(!states_number("应在5个工作日内", 10, "个工作日"));
        assert!(!states_number("超过十三个月", 3, "个月"));
    }
}
