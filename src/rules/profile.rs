//! The validated content of one regulation profile.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::citation::Citation;
use super::names::{
    Basis, ClockStart, DeadlineKey, DeadlineKind, EscalationAction, EvaluationFrequency, Level,
    Requirement,
};
use crate::vocab::{CategoryCode, ShareType};

/// One regulated deadline or time-less duty, with its citation.
///
/// Which numeric fields are set depends on `kind`; the loader rejects fields a
/// kind does not use. When `basis` is [`Basis::BureauDefault`] the number is
/// bureau practice: use it for evaluation, but a notice prints `wording`
/// (the text's own words) and the citation, never the number as law.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadlineRule {
    /// The key this rule is filed under.
    pub key: DeadlineKey,
    /// What kind of limit the text states.
    pub kind: DeadlineKind,
    /// Working days: the text's number (`working_days`, the fallback of
    /// `on_the_spot`) or the bureau's (`in_time`, `set_by_authority`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_days: Option<u32>,
    /// An extension allowed on top of `working_days` (XX Art.18).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_working_days: Option<u32>,
    /// Calendar days (`quarterly`: within the quarter's first N days).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar_days: Option<u32>,
    /// Months (`months`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// Years (`years`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub years: Option<u32>,
    /// What starts the clock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<ClockStart>,
    /// Where the number comes from.
    pub basis: Basis,
    /// The limit in the text's words, as a notice prints it (`10个工作日内`, `实时更新`).
    pub wording: String,
    /// For `requirement`: what must accompany the act.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Requirement>,
    /// For `share_basis`: the share types that need a basis.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub share_types: Vec<ShareType>,
    /// The governing article.
    pub citation: Citation,
    /// Further articles on the same rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Citation>,
    /// Explanation for engineers (English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl DeadlineRule {
    /// True when the number is bureau practice rather than the regulation's.
    pub fn is_bureau_default(&self) -> bool {
        self.basis == Basis::BureauDefault
    }

    /// Whether a notice may print the number as the regulation's limit.
    pub fn number_is_citable(&self) -> bool {
        self.basis == Basis::Regulation
    }

    /// The number of working days the rule allows, for the kinds counted in
    /// working days (`working_days`, and the bureau's numbers of `in_time`
    /// and `set_by_authority`); `None` for the others.
    pub fn working_day_limit(&self) -> Option<u32> {
        match self.kind {
            DeadlineKind::WorkingDays | DeadlineKind::InTime | DeadlineKind::SetByAuthority => {
                self.working_days
            }
            DeadlineKind::OnTheSpot
            | DeadlineKind::Months
            | DeadlineKind::Years
            | DeadlineKind::Quarterly
            | DeadlineKind::Direct
            | DeadlineKind::PriorApproval
            | DeadlineKind::Requirement
            | DeadlineKind::NotRegulated => None,
        }
    }

    /// The limit in calendar months, for the kinds counted in months or
    /// years; `None` for the others.
    pub fn month_limit(&self) -> Option<u32> {
        match self.kind {
            DeadlineKind::Months => self.months,
            DeadlineKind::Years => self.years.map(|y| y * 12),
            DeadlineKind::WorkingDays
            | DeadlineKind::InTime
            | DeadlineKind::SetByAuthority
            | DeadlineKind::OnTheSpot
            | DeadlineKind::Quarterly
            | DeadlineKind::Direct
            | DeadlineKind::PriorApproval
            | DeadlineKind::Requirement
            | DeadlineKind::NotRegulated => None,
        }
    }

    /// The longest limit in working days, extension included (None when the
    /// rule is not counted in working days).
    pub fn max_working_days(&self) -> Option<u32> {
        self.working_days
            .map(|d| d + self.extension_working_days.unwrap_or(0))
    }
}

/// A deadline key the regulation does not regulate, marked explicitly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotRegulated {
    /// The key.
    pub key: DeadlineKey,
    /// The nearest article, when one is worth pointing at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<Citation>,
    /// Why (English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How one violation category maps onto this regulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryRule {
    /// The category.
    pub code: CategoryCode,
    /// The items of the sanction article that name this violation; empty when
    /// none does (see [`Profile::notice_basis`] for the fallback).
    pub sanction: Vec<Citation>,
    /// The articles that set the duty whose breach this category is.
    pub duties: Vec<Citation>,
    /// Explanation (English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One step of the escalation ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscalationStep {
    /// What the step is.
    pub action: EscalationAction,
    /// For [`EscalationAction::NewFinding`]: the category of the new finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<CategoryCode>,
    /// The Chinese wording documents use.
    pub wording: String,
    /// Whether the step is in the regulation or bureau practice.
    pub basis: Basis,
    /// The article.
    pub citation: Citation,
    /// Explanation (English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What follows a finding (RULES.md §4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Escalation {
    /// Who acts, in the regulation's words.
    pub authority: String,
    /// The first step: the notice or order to rectify.
    pub first_step: EscalationStep,
    /// What happens when the rectification deadline passes, if regulated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<EscalationStep>,
    /// Serious cases, if regulated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serious: Option<EscalationStep>,
}

/// A reporting duty (annual report, filing of evaluation results).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportingDuty {
    /// Who reports.
    pub who: String,
    /// To whom (社会 for publication).
    pub to: String,
    /// What.
    pub what: String,
    /// Due by the end of this month of each year, if stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_month: Option<u32>,
    /// The article.
    pub citation: Citation,
}

/// Evaluation and reporting duties (RULES.md §5).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// How often.
    pub frequency: EvaluationFrequency,
    /// The articles giving the bureau the duty to evaluate or inspect.
    pub duties: Vec<Citation>,
    /// What an inspection checks, where listed (JC Art.41).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inspection_items: Vec<Citation>,
    /// Reporting duties.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reporting: Vec<ReportingDuty>,
    /// What the results feed (performance review, funding).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consequences: Vec<Citation>,
    /// Explanation (English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// When the regulation is in force.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Validity {
    /// First day in force, if stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last day in force, if limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// The article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<Citation>,
    /// Explanation (English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One regulation profile: identity, deadlines, category mapping, escalation
/// ladder and evaluation duties, every value with its citation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// The id (`jincheng`), equal to its file's name.
    pub id: String,
    /// The short code used in citations (`JC`).
    pub code: String,
    /// The regulation's text file, beside the profile, against which every
    /// quote was checked when the profile was loaded.
    pub text_file: String,
    /// The full title without 《》.
    pub title: String,
    /// 发文字号, where the text has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    /// The issuing body.
    pub issuer: String,
    /// Date of the circular.
    pub issued_on: NaiveDate,
    /// City or county.
    pub level: Level,
    /// The city whose platforms a county uses, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// When the regulation is in force.
    pub validity: Validity,
    /// Notes (English).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The regulated deadlines and duties.
    pub deadlines: BTreeMap<DeadlineKey, DeadlineRule>,
    /// Keys marked explicitly as not regulated.
    pub not_regulated: BTreeMap<DeadlineKey, NotRegulated>,
    /// The violation-category mapping.
    pub categories: BTreeMap<CategoryCode, CategoryRule>,
    /// What follows a finding.
    pub escalation: Escalation,
    /// Evaluation and reporting.
    pub evaluation: Evaluation,
    /// Where the profile was loaded from.
    pub source: String,
}

/// Where the sanction a notice cites comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SanctionSource {
    /// The category's own item(s) of the sanction article.
    Category,
    /// The catch-all item (category `other`): the category has none of its own.
    Other,
    /// The authority's power of the first escalation step: the regulation has
    /// no sanction item at all (XX).
    Supervision,
}

/// The citations a notice for one finding prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeBasis<'a> {
    /// The duties broken: the broken deadline's article first (when the
    /// finding comes from a deadline), then the category's duty articles.
    pub violated: Vec<&'a Citation>,
    /// The sanction basis.
    pub sanction: Vec<&'a Citation>,
    /// Where `sanction` comes from.
    pub source: SanctionSource,
}

impl Profile {
    /// Every citation of the profile with the key it sits under
    /// (`deadlines.review.also`), in file order.
    pub fn citations_by_key(&self) -> Vec<(String, &Citation)> {
        let mut out = Vec::new();
        if let Some(c) = &self.validity.citation {
            out.push(("validity".to_string(), c));
        }
        for r in self.deadlines.values() {
            out.push((format!("deadlines.{}", r.key), &r.citation));
            for c in &r.also {
                out.push((format!("deadlines.{}.also", r.key), c));
            }
        }
        for n in self.not_regulated.values() {
            if let Some(c) = &n.citation {
                out.push((format!("deadlines.{}", n.key), c));
            }
        }
        for cat in self.categories.values() {
            for c in &cat.sanction {
                out.push((format!("categories.{}.sanction", cat.code), c));
            }
            for c in &cat.duties {
                out.push((format!("categories.{}.duties", cat.code), c));
            }
        }
        let e = &self.escalation;
        for (name, s) in [
            ("first_step", Some(&e.first_step)),
            ("overdue", e.overdue.as_ref()),
            ("serious", e.serious.as_ref()),
        ] {
            if let Some(s) = s {
                out.push((format!("escalation.{name}"), &s.citation));
            }
        }
        let ev = &self.evaluation;
        for c in &ev.duties {
            out.push(("evaluation.duties".to_string(), c));
        }
        for c in &ev.inspection_items {
            out.push(("evaluation.inspection_items".to_string(), c));
        }
        for c in &ev.consequences {
            out.push(("evaluation.consequences".to_string(), c));
        }
        for r in &ev.reporting {
            out.push(("evaluation.reporting".to_string(), &r.citation));
        }
        out
    }

    /// Every citation of the profile.
    pub fn citations(&self) -> Vec<&Citation> {
        self.citations_by_key()
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    /// The last day the regulation was in force, when it had lapsed by
    /// `date` (a regulation without an end never lapses).
    pub fn lapsed_on(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.validity.until.filter(|until| date > *until)
    }

    /// The full title in book-title marks: `《晋城市政务数据资源共享管理实施细则》`.
    pub fn title_marked(&self) -> String {
        format!("《{}》", self.title)
    }

    /// The Chinese citation a notice prints:
    /// `《晋城市政务数据资源共享管理实施细则》第三十条第（二）项`.
    pub fn cite(&self, c: &Citation) -> String {
        format!("《{}》{}", self.title, c.chinese())
    }

    /// The short Latin citation: `JC Art.30(2)`.
    pub fn cite_short(&self, c: &Citation) -> String {
        c.short(&self.code)
    }

    /// The rule for `key`, or None when the profile does not regulate it.
    pub fn deadline(&self, key: DeadlineKey) -> Option<&DeadlineRule> {
        self.deadlines.get(&key)
    }

    /// The provider's answer to a conditional request: the JC variant for
    /// published or unpublished data when the profile has one, else the
    /// general `reply_conditional`.
    pub fn reply_conditional(&self, already_published: bool) -> Option<&DeadlineRule> {
        let variant = if already_published {
            DeadlineKey::ReplyConditionalPublished
        } else {
            DeadlineKey::ReplyConditionalUnpublished
        };
        self.deadline(variant)
            .or_else(|| self.deadline(DeadlineKey::ReplyConditional))
    }

    /// The category rule of a violation category, if the profile maps it.
    pub fn category(&self, code: CategoryCode) -> Option<&CategoryRule> {
        self.categories.get(&code)
    }

    /// Whether the regulation is in force on `date` (from the entry into force,
    /// or the issue date when none is stated, up to `validity.until`).
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        let from = self.validity.from.unwrap_or(self.issued_on);
        date >= from && self.validity.until.is_none_or(|until| date <= until)
    }

    /// The citations a notice for a finding of `code` prints.
    ///
    /// Fallback rule: the sanction basis is the category's own item(s) of the
    /// sanction article; when the regulation names the violation in no item,
    /// the catch-all item of category `other` (其他违反本办法的行为); when the
    /// regulation has no sanction article at all (XX), the article of the
    /// first escalation step (the authority's supervisory power). The duties
    /// broken are the broken deadline's article (`broken`, when the finding
    /// comes from a deadline the profile regulates) followed by the category's
    /// duty articles, without repeats.
    pub fn notice_basis(&self, code: CategoryCode, broken: Option<DeadlineKey>) -> NoticeBasis<'_> {
        let mut violated: Vec<&Citation> = Vec::new();
        if let Some(rule) = broken.and_then(|k| self.deadline(k)) {
            violated.push(&rule.citation);
        }
        let category = self.categories.get(&code);
        if let Some(cat) = category {
            for c in &cat.duties {
                if !violated.contains(&c) {
                    violated.push(c);
                }
            }
        }
        let own = category.map(|c| &c.sanction).filter(|s| !s.is_empty());
        let other = self
            .categories
            .get(&CategoryCode::Other)
            .map(|c| &c.sanction)
            .filter(|s| !s.is_empty());
        let (sanction, source) = match (own, other) {
            (Some(s), _) => (s.iter().collect(), SanctionSource::Category),
            (None, Some(s)) => (s.iter().collect(), SanctionSource::Other),
            (None, None) => (
                vec![&self.escalation.first_step.citation],
                SanctionSource::Supervision,
            ),
        };
        NoticeBasis {
            violated,
            sanction,
            source,
        }
    }
}
