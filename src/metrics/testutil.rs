//! A hand-built municipality for the unit tests of the checks.
//!
//! | jurisdiction | profile | departments |
//! |---|---|---|
//! | JUR-C 云州市 (city) | jincheng | DEP-C-AUTH (authority), DEP-C-1, DEP-C-2 |
//! | JUR-D 云中区 (district of JUR-C, no profile, no bureau) | inherits jincheng | DEP-D-1 |
//! | JUR-X 新川县 (county of JUR-C) | xinxian | DEP-X-AUTH (authority), DEP-X-1, DEP-X-2 |
//! | JUR-Y 营口市 (city) | yingkou | DEP-Y-AUTH (authority), DEP-Y-1 |

use std::sync::Arc;

use super::{CheckItem, Context, Period};
use crate::calendar::Calendar;
use crate::org::{DepartmentRecord, JurisdictionRecord, Org};
use crate::rules::{DeadlineKey, Profiles};
use crate::time::parse_timestamp;
use crate::vocab::{JurisdictionLevel, Rule, Status};

/// Milliseconds of an RFC 3339 text.
pub fn ms(text: &str) -> i64 {
    parse_timestamp(text).unwrap()
}

/// The test municipality, period 2025, as of `as_of`.
pub fn ctx_at(as_of: &str) -> Context {
    ctx_period(Period::new(2025, None, None).unwrap(), as_of)
}

/// The test municipality's organisation.
pub fn org() -> Org {
    let j = |id: &str, name: &str, level, parent: Option<&str>, profile: Option<&str>| {
        JurisdictionRecord {
            id: id.to_string(),
            name: name.to_string(),
            level,
            parent_id: parent.map(String::from),
            profile: profile.map(String::from),
        }
    };
    let d = |id: &str, jur: &str, auth: bool| DepartmentRecord {
        id: id.to_string(),
        name: format!("{id} 名称"),
        jurisdiction_id: jur.to_string(),
        credit_code: None,
        is_authority: auth,
    };
    Org::new(
        Profiles::builtin(),
        "jincheng",
        vec![
            j(
                "JUR-C",
                "云州市",
                JurisdictionLevel::City,
                None,
                Some("jincheng"),
            ),
            j(
                "JUR-D",
                "云中区",
                JurisdictionLevel::District,
                Some("JUR-C"),
                None,
            ),
            j(
                "JUR-X",
                "新川县",
                JurisdictionLevel::County,
                Some("JUR-C"),
                Some("xinxian"),
            ),
            j(
                "JUR-Y",
                "营口市",
                JurisdictionLevel::City,
                None,
                Some("yingkou"),
            ),
        ],
        vec![
            d("DEP-C-AUTH", "JUR-C", true),
            d("DEP-C-1", "JUR-C", false),
            d("DEP-C-2", "JUR-C", false),
            d("DEP-D-1", "JUR-D", false),
            d("DEP-X-AUTH", "JUR-X", true),
            d("DEP-X-1", "JUR-X", false),
            d("DEP-X-2", "JUR-X", false),
            d("DEP-Y-AUTH", "JUR-Y", true),
            d("DEP-Y-1", "JUR-Y", false),
        ],
    )
    .unwrap()
}

/// The test municipality for a period, as of `as_of`.
pub fn ctx_period(period: Period, as_of: &str) -> Context {
    Context::new(
        Calendar::builtin().clone(),
        Profiles::builtin().clone(),
        Arc::new(org()),
        period,
        ms(as_of),
    )
}

/// A hand-made item of `rule` for `dept`, judged `status`, citing the
/// profile's correction rule; a breach carries its rule's category, so that
/// it becomes a finding.
pub fn judged_item(ctx: &Context, rule: Rule, id: &str, dept: &str, status: Status) -> CheckItem {
    let profile = ctx.profile_of(dept);
    let citation = &profile
        .deadline(DeadlineKey::Correction)
        .expect("every shipped profile regulates corrections")
        .citation;
    let mut item = ctx.item(rule, id, dept, profile, citation, status);
    item.classify();
    item
}
