use super::*;
use crate::metrics::testutil::org;

fn identity(role: Role, scope: Scope) -> Identity {
    Identity {
        name: "测试".into(),
        role,
        scope,
        via: Via::Token {
            name: "t".into(),
            tables: vec![TableName::Grants],
        },
    }
}

#[test]
fn every_role_may_do_something_and_only_platforms_push() {
    for role in Role::ALL {
        assert!(
            Action::ALL.iter().any(|a| permits(role, *a)),
            "{role} may do nothing"
        );
        assert_eq!(
            permits(role, Action::Ingest),
            role == Role::Platform,
            "{role}"
        );
    }
    assert!(permits(Role::Inspector, Action::IssueDocument));
    assert!(!permits(Role::Leader, Action::IssueDocument));
    assert!(permits(Role::Leader, Action::FreezeEvaluation));
    assert!(!permits(Role::Admin, Action::ReadChecks), "no case work");
    assert!(!permits(Role::Department, Action::ReadAudit));
}

#[test]
fn city_wide_actions_need_the_citys_scope() {
    let city = identity(Role::Leader, Scope::City);
    let county = identity(Role::Leader, Scope::Jurisdiction("JUR-X".into()));
    assert!(city.require(Action::ReadAudit).is_ok());
    assert!(matches!(
        county.require(Action::ReadAudit),
        Err(ApiError::Forbidden(_))
    ));
    assert!(county.require(Action::ReadChecks).is_ok());
    let platform = identity(Role::Platform, Scope::City);
    assert!(platform.require_table(TableName::Grants).is_ok());
    assert!(matches!(
        platform.require_table(TableName::AccessLog),
        Err(ApiError::Forbidden(m)) if m.contains("access_log")
    ));
    assert!(city.require_table(TableName::Grants).is_err());
}

#[test]
fn a_reach_covers_its_subtree_and_nothing_else() {
    let org = org();
    let city = Reach::of(&Scope::City, &org);
    assert!(city.department("DEP-X-1") && city.jurisdiction("JUR-Y"));

    let county = Reach::of(&Scope::Jurisdiction("JUR-X".into()), &org);
    assert!(county.department("DEP-X-1") && county.department("DEP-X-AUTH"));
    assert!(!county.department("DEP-C-1") && !county.department("DEP-D-1"));
    assert!(county.jurisdiction("JUR-X") && !county.jurisdiction("JUR-C"));

    // The city's root reaches its district below it, not the other city.
    let root = Reach::of(&Scope::Jurisdiction("JUR-C".into()), &org);
    assert!(root.department("DEP-D-1") && root.department("DEP-X-1"));
    assert!(!root.department("DEP-Y-1") && !root.jurisdiction("JUR-Y"));

    let department = Reach::of(&Scope::Department("DEP-X-1".into()), &org);
    assert!(department.department("DEP-X-1") && !department.department("DEP-X-2"));
    assert!(!department.jurisdiction("JUR-X"), "no totals over others");
    assert!(department.jurisdiction_listed("JUR-X"));
    assert!(!department.jurisdiction_listed("JUR-C"));

    let gone = Reach::of(&Scope::Department("DEP-GONE".into()), &org);
    assert_eq!(gone, Reach::Nothing);
    assert!(!gone.department("DEP-GONE"));
}

#[test]
fn an_inspector_issues_in_its_own_bureaus_name_only() {
    let org = org();
    let city = Reach::of(&Scope::City, &org);
    assert!(city.may_issue_as(&org, "JUR-C"));
    assert!(
        !city.may_issue_as(&org, "JUR-X"),
        "never in a county's name"
    );
    let county = Reach::of(&Scope::Jurisdiction("JUR-X".into()), &org);
    assert!(county.may_issue_as(&org, "JUR-X"));
    assert!(
        !county.may_issue_as(&org, "JUR-C"),
        "never in the city's name"
    );
    let department = Reach::of(&Scope::Department("DEP-X-1".into()), &org);
    assert!(!department.may_issue_as(&org, "JUR-X"));
}
