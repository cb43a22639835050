//! Regulation profiles: the deadlines, violation categories, escalation ladder
//! and evaluation duties of the five regulations of `RULES.md`, each value with
//! the article that sets it.
//!
//! The profiles are data, not code: one TOML file per regulation in
//! `rules/profiles/` (compiled in with `include_str!`), and a bureau may add or
//! replace profiles with files of its own ([`Profiles::load_dir`]). No deadline
//! number lives in Rust code.
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
//!
//! [validity]                            # optional
//! from = 2024-02-22
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
//! kind = "set_by_authority"  # the text says 限期改正 without a number
//! working_days = 10          # bureau practice …
//! basis = "bureau_default"   # … and marked as such
//! from = "notice"
//! wording = "限期改正"
//! citation = { article = 43, quote = "…并责令其限期改正" }
//!
//! [deadlines.open_application]
//! kind = "not_regulated"     # explicit; omitting the key means the same
//!
//! [categories.misuse]
//! sanction = [{ article = 43, item = 7, quote = "…" }]   # items naming it, or []
//! duties = [{ article = 39, quote = "…" }]               # duty articles broken
//!
//! [escalation]
//! authority = "同级数据管理部门"
//! [escalation.first_step]
//! action = "written_circular_and_order"
//! wording = "书面通报，并责令其限期改正"
//! citation = { article = 43, quote = "…" }
//! [escalation.overdue]       # optional
//! action = "new_finding"
//! category = "rectification_refused"
//! wording = "…"
//! citation = { article = 43, item = 8, quote = "…" }
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
//! printed in `wording`; a missing required deadline ([`REQUIRED_DEADLINES`]).
//!
//! # Fallback for categories a regulation does not name
//!
//! See [`Profile::notice_basis`]: the category's own sanction items, else the
//! catch-all item of category `other`, else (XX, which has no sanction
//! article) the article of the first escalation step.

mod citation;
pub mod cli;
mod error;
mod load;
mod names;
mod numeral;
mod profile;
mod text;

pub use citation::Citation;
pub use error::RulesError;
pub use load::{Profiles, REQUIRED_DEADLINES, parse_profile};
pub use names::{
    Basis, ClockStart, DeadlineKey, DeadlineKind, EscalationAction, EvaluationFrequency, Level,
    Requirement,
};
pub use numeral::{article_cn, chinese_number, item_cn};
pub use profile::{
    CategoryRule, DeadlineRule, Escalation, EscalationStep, Evaluation, NotRegulated, NoticeBasis,
    Profile, ReportingDuty, SanctionSource, Validity,
};
pub use text::{RegulationText, normalize};

#[cfg(test)]
mod tests;
