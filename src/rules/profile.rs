//! The validated content of one regulation profile.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::citation::{Citation, Conduct};
use super::names::{
    Basis, ClockStart, DeadlineKey, DeadlineKind, EscalationAction, EvaluationFrequency,
    IssuerLevel, LadderStep, Level, RectificationPower, Requirement,
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

    /// The number of working days the rule allows, for the kinds counted in
    /// working days (`working_days`, and the bureau's numbers of `in_time`
    /// and `set_by_authority`); `None` for the others.
    pub fn working_day_limit(&self) -> Option<u32> {
        match self.kind {
            DeadlineKind::WorkingDays
            | DeadlineKind::InTime
            | DeadlineKind::SetByAuthority
            | DeadlineKind::NoLimit => self.working_days,
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
            | DeadlineKind::NoLimit
            | DeadlineKind::OnTheSpot
            | DeadlineKind::Quarterly
            | DeadlineKind::Direct
            | DeadlineKind::PriorApproval
            | DeadlineKind::Requirement
            | DeadlineKind::NotRegulated => None,
        }
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
    /// For category `other`: whether its catch-all item covers any breach of
    /// the regulation no other item names (PDS Art.27(6), YK Art.37(7), KF
    /// Art.28(5)); false where it needs more (JC Art.43(9) 造成不良后果) or
    /// where there is none (XX).
    pub covers_unnamed: bool,
    /// When the regulation attaches its own step to this conduct rather than
    /// an item (a rectification not completed in time: PDS, YK, KF report it
    /// or circulate it), the step a notice cites.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_step: Option<LadderStep>,
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
    /// Whose bureau issues the notices: the city's, or the department's own
    /// level's ([`crate::org::Org::issuer_of`]).
    pub issuer: IssuerLevel,
    /// Whom the liability article names as addressees, where narrower than
    /// 政务部门 (KF Art.28: 市级政务部门和各县区政府).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addressees: Option<String>,
    /// The first step: the notice or order to rectify.
    pub first_step: EscalationStep,
    /// What happens when the rectification deadline passes, if regulated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<EscalationStep>,
    /// Serious cases, if regulated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serious: Option<EscalationStep>,
}

/// A power of the bureau, in the regulation's words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Power {
    /// The words that give the power (they stand in the quote).
    pub wording: String,
    /// The article.
    pub citation: Citation,
    /// Further articles on the same power.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Citation>,
}

/// The bureau's general power to supervise and have problems rectified: a
/// notice's basis for conduct that no unconditional sanction item names,
/// phrased as the bureau's power (根据…的规定), never as a listed conduct.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Supervision {
    /// The power, as the city's bureau (or the regulation's top bureau) holds it.
    #[serde(flatten)]
    pub power: Power,
    /// How the text gives the power to have problems rectified.
    pub rectification_power: RectificationPower,
    /// Whose bureau holds this power, when it differs from the escalation's
    /// issuer (JC Art.41 is the city bureau's only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<IssuerLevel>,
    /// The power a bureau below the city holds, where the text gives one
    /// (JC Art.5, PDS Art.6, YK Art.6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_level: Option<Power>,
    /// Explanation (English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Supervision {
    /// The power an issuer holds: the city's bureau holds the main one; a
    /// bureau below it the `same_level` one, when the text gives one.
    pub fn of_issuer(&self, issuer_is_city: bool) -> &Power {
        match (&self.same_level, issuer_is_city) {
            (Some(lower), false) => lower,
            (Some(_), true) | (None, _) => &self.power,
        }
    }
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
    /// The bureau's general power of supervision.
    pub supervision: Supervision,
    /// Evaluation and reporting.
    pub evaluation: Evaluation,
    /// Where the profile was loaded from.
    pub source: String,
}

/// Where a notice's basis for a category comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SanctionSource {
    /// The category's own unconditional item(s) of the sanction article:
    /// 属于…所列情形.
    Category,
    /// The catch-all item (category `other`), which covers any breach of the
    /// regulation no item names: 属于…所列情形.
    Other,
    /// The step the regulation attaches to the conduct itself (a
    /// rectification not done in time): 依照…的规定.
    Overdue,
    /// The bureau's power of supervision: no unconditional item names the
    /// conduct: 根据…的规定.
    Supervision,
}

/// The citations a notice prints for one category of findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeBasis<'a> {
    /// The duties broken: the broken deadlines' articles first, then the
    /// category's duty articles.
    pub violated: Vec<&'a Citation>,
    /// The basis: the items, the step or the power `source` says.
    pub basis: Vec<&'a Citation>,
    /// Where `basis` comes from.
    pub source: SanctionSource,
    /// Items that name the conduct only with an element an inspector must
    /// establish (拒不, 故意, 造成不良后果): what follows if it is, never the
    /// basis.
    pub conditional: Vec<&'a Citation>,
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
        let sup = &self.supervision;
        out.push(("supervision".to_string(), &sup.power.citation));
        for c in &sup.power.also {
            out.push(("supervision.also".to_string(), c));
        }
        if let Some(lower) = &sup.same_level {
            out.push(("supervision.same_level".to_string(), &lower.citation));
            for c in &lower.also {
                out.push(("supervision.same_level.also".to_string(), c));
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

    /// The citations a notice prints for findings of category `code`, each
    /// about one of `conducts` (metrics rules or inspections), breaking the
    /// deadline entries `broken`, issued by the city's bureau or not.
    ///
    /// The basis, in order:
    /// 1. the step the regulation attaches to the conduct itself, when the
    ///    category names one (`escalation_step`);
    /// 2. the category's unconditional items that describe one of the
    ///    conducts (`applies_to`);
    /// 3. the catch-all of category `other`, when it covers unnamed breaches
    ///    (`covers_unnamed`), the category names no conditional item (conduct
    ///    named under a condition is not "其他"), it has a duty article (the
    ///    catch-all needs a breach of the regulation), and no broken deadline
    ///    is a bureau measure of a text that sets no time (`no_limit`);
    /// 4. else the bureau's power of supervision ([`Supervision::of_issuer`]).
    ///
    /// Conditional items are returned apart, never as the basis.
    pub fn notice_basis(
        &self,
        code: CategoryCode,
        conducts: &[Conduct],
        broken: &[DeadlineKey],
        issuer_is_city: bool,
    ) -> NoticeBasis<'_> {
        let mut violated: Vec<&Citation> = Vec::new();
        for rule in broken.iter().filter_map(|k| self.deadline(*k)) {
            if !violated.contains(&&rule.citation) {
                violated.push(&rule.citation);
            }
        }
        let category = self.categories.get(&code);
        if let Some(cat) = category {
            for c in &cat.duties {
                if !violated.contains(&c) {
                    violated.push(c);
                }
            }
        }
        let conditional: Vec<&Citation> = category
            .map(|c| c.sanction.iter().filter(|s| s.is_conditional()).collect())
            .unwrap_or_default();
        let supervision = || {
            (
                vec![&self.supervision.of_issuer(issuer_is_city).citation],
                SanctionSource::Supervision,
            )
        };
        let step = category
            .and_then(|c| c.escalation_step)
            .and_then(|step| match step {
                LadderStep::Overdue => self.escalation.overdue.as_ref(),
            });
        let own: Vec<&Citation> = category
            .map(|c| {
                c.sanction
                    .iter()
                    .filter(|s| !s.is_conditional() && conducts.iter().any(|k| s.applies(*k)))
                    .collect()
            })
            .unwrap_or_default();
        let other = self
            .categories
            .get(&CategoryCode::Other)
            .filter(|o| o.covers_unnamed && code != CategoryCode::Other);
        let catch_all: Vec<&Citation> = other
            .map(|o| o.sanction.iter().filter(|s| !s.is_conditional()).collect())
            .unwrap_or_default();
        let unnamed = conditional.is_empty()
            && category.is_some_and(|c| !c.duties.is_empty())
            && !broken.iter().any(|k| {
                self.deadline(*k)
                    .is_some_and(|r| r.kind == DeadlineKind::NoLimit)
            });
        let (basis, source) = match step {
            Some(step) => (vec![&step.citation], SanctionSource::Overdue),
            None if !own.is_empty() => (own, SanctionSource::Category),
            None if unnamed && !catch_all.is_empty() => (catch_all, SanctionSource::Other),
            None => supervision(),
        };
        NoticeBasis {
            violated,
            basis,
            source,
            conditional,
        }
    }
}
