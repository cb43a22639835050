//! Case deadlines: the cases whose rectification deadline passed without
//! an accepted response get the escalation their profile prescribes
//! drafted — one circular per issuing bureau, written as a watermarked
//! draft for an inspector to review and issue (`POST
//! /api/v1/escalations/issue`); never issued by itself.

use chrono::Datelike;

use super::{Outcome, Run, WorkError};
use crate::access::Reach;
use crate::cases::escalation;
use crate::documents::circular;
use crate::documents::engine::Engine;
use crate::org::Org;

pub(super) async fn run(run: &Run<'_>) -> Result<Outcome, WorkError> {
    let day = run.day_of_period()?;
    let profiles = run.config.profiles()?;
    let org = Org::load(run.store, &profiles, &run.config.default_profile).await?;
    let mut drafted = Vec::new();
    let mut cases = 0;
    for year in [run.today().year() - 1, run.today().year()] {
        for pending in
            escalation::pending(run.store, &org, &profiles, &Reach::City, year, day).await?
        {
            let prepared = circular::prepare(run.store, run.config, &pending.circular(day)).await?;
            let pdf = prepared.render_draft(Engine::shared()?).await?;
            let name = format!("circular-{}-{}-{}.pdf", pending.issuer_id, year, day);
            run.write_draft(&name, &pdf)?;
            cases += pending.cases.len();
            drafted.push(format!(
                "{}（{} 件）",
                pending.issuer_name,
                pending.cases.len()
            ));
        }
    }
    Ok(Outcome::done(if drafted.is_empty() {
        "没有逾期未整改的案件".to_string()
    } else {
        format!(
            "{} 件逾期未整改案件的通报草稿已生成，待督查人员审核签发：{}",
            cases,
            drafted.join("、")
        )
    }))
}
