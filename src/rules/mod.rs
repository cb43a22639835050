//! Regulation profiles: the deadlines, violation categories, escalation ladder,
//! supervisory power and evaluation duties of each regulation (the five of
//! `RULES.md`, and any a bureau adds), each value with the article that sets
//! it and the sentence it quotes.
//!
//! The profiles are data, not code: one TOML file per regulation in
//! `rules/profiles/`, beside the regulation's text (both compiled in with
//! `include_str!`); a bureau adds or replaces profiles with files of its own
//! in the folder its configuration names (`profiles`, [`Profiles::load_dir`]).
//! No deadline number lives in Rust code. [`cli`] is `dukao profiles`.
//!
//! # The promise every notice rests on
//!
//! When a profile loads, every quote is checked against the regulation's text
//! ([`text`]): it must stand in the article (and item) it cites. A profile
//! without its text, or with a quote that does not stand, does not load.
//!
//! # File format
//!
//! ```toml
//! id = "jincheng"                       # lowercase, equal to the file name
//! code = "JC"                           # short code for citations
//! title = "晋城市政务数据资源共享管理实施细则"   # without 《》
//! document_number = "晋市政办〔2024〕1号"  # optional
//! issuer = "晋城市人民政府办公室"
//! issued_on = 2024-01-22
//! level = "city"                        # city | county
//! text = "jincheng-2024.txt"            # the regulation, beside this file
//!
//! [validity]                            # optional; applied: items judged and
//! from = 2024-02-22                     # documents dated after `until` say so
//! until = 2027-02-21
//! citation = { article = 46, quote = "本细则自2024年2月22日起施行，有效期三年。" }
//!
//! [deadlines.reply_conditional_unpublished]
//! kind = "working_days"      # see DeadlineKind
//! working_days = 10
//! from = "forwarding"        # see ClockStart
//! wording = "10个工作日内完成数据发布并予以答复"
//! citation = { article = 30, item = 2, quote = "…提供部门应在10个工作日内完成数据发布并予以答复。" }
//!
//! [deadlines.rectification]
//! kind = "set_by_authority"  # the text says 限期改正 without a number;
//! working_days = 10          # `in_time` where it says 及时/实时, `no_limit`
//! basis = "bureau_default"   # where it sets no time at all: the number is
//! from = "notice"            # the bureau's, printed as the bureau's
//! wording = "限期改正"        # the text's words, in the quote
//! citation = { article = 43, quote = "…并责令其限期改正" }
//!
//! [deadlines.open_application]
//! kind = "not_regulated"     # explicit; omitting the key means the same
//!
//! [categories.untrue_data]
//! sanction = [               # items naming it, or []
//!   { article = 43, item = 4, quote = "故意提供…", condition = "故意" },
//! ]                          # `condition`: an element only an inspector can
//!                            # establish; never presumed by a notice
//! duties = [{ article = 11, quote = "…" }]               # duty articles broken
//!
//! [categories.catalog_not_maintained]
//! sanction = [{ article = 43, item = 5, quote = "…", applies_to = ["catalog_update", "inspection"] }]
//!
//! [categories.rectification_refused]
//! escalation_step = "overdue"   # the regulation's own step for this conduct
//!
//! [categories.other]
//! covers_unnamed = false     # required: does the catch-all cover any breach?
//! sanction = [{ article = 43, item = 9, quote = "…", condition = "造成不良后果" }]
//!
//! [escalation]
//! authority = "同级数据管理部门"
//! issuer = "same_level"      # or "city": whose bureau issues notices
//! [escalation.first_step]
//! action = "written_circular_and_order"
//! wording = "书面通报，并责令其限期改正"
//! citation = { article = 43, quote = "…" }
//! [escalation.overdue]       # optional
//! action = "new_finding"
//! category = "rectification_refused"
//! wording = "…"
//! citation = { article = 43, item = 8, quote = "…", condition = "拒不" }
//!
//! [supervision]              # the bureau's general power
//! rectification_power = "explicit"   # explicit | liability_lead_in | implied
//! wording = "对发现的问题进行通报，并督促相关部门及时整改"   # in the quote
//! citation = { article = 41, quote = "…" }
//! [supervision.same_level]   # optional: a county bureau's power
//! wording = "…"
//! citation = { article = 5, quote = "…" }
//!
//! [evaluation]
//! frequency = "periodic"     # annual | periodic | unspecified
//! duties = [{ article = 41, quote = "…" }]
//! ```
//!
//! Validation rejects, naming the file and the key: unknown fields, deadline
//! keys, kinds, category codes and names; a rule without its citation; article
//! or item numbers below 1; numbers that are 0 or absurd; a regulation number
//! the quote does not state; a bureau number not marked `bureau_default` or
//! printed in `wording`, or whose wording is not the quote's; `in_time`
//! without 及时/实时 in its quote, `no_limit` with one; a condition or a
//! power's wording the quote does not contain; a missing required deadline
//! ([`REQUIRED_DEADLINES`]); a quote that does not stand in its article.
//!
//! # A notice's basis
//!
//! See [`Profile::notice_basis`]: the regulation's own step for the conduct,
//! else the category's unconditional items that describe it, else the
//! catch-all of `other` where it covers unnamed breaches, else the bureau's
//! power of supervision ("根据…的规定", never "属于…所列情形"). Conditional
//! items are named only as what follows if their condition is established.

mod citation;
pub mod cli;
mod error;
mod load;
mod names;
mod numeral;
mod profile;
pub mod text;

pub use citation::{Citation, Conduct};
pub use error::RulesError;
pub use load::{Profiles, REQUIRED_DEADLINES, parse_profile};
pub use names::{
    Basis, ClockStart, DeadlineKey, DeadlineKind, EscalationAction, EvaluationFrequency,
    IssuerLevel, LadderStep, Level, RectificationPower, Requirement,
};
pub use numeral::{article_cn, chinese_number, item_cn};
pub use profile::{
    CategoryRule, DeadlineRule, Escalation, EscalationStep, Evaluation, NotRegulated, NoticeBasis,
    Power, Profile, ReportingDuty, SanctionSource, Supervision, Validity,
};
pub use text::{RegulationText, normalize};

#[cfg(test)]
mod tests;
