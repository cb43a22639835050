//! The organisation model: governing profiles, authorities, counties,
//! issuers, and what makes a model invalid.

use super::*;
use crate::metrics::testutil::org;

fn jurisdiction(id: &str, parent: Option<&str>, profile: Option<&str>) -> JurisdictionRecord {
    JurisdictionRecord {
        id: id.into(),
        name: id.to_lowercase(),
        level: JurisdictionLevel::City,
        parent_id: parent.map(String::from),
        profile: profile.map(String::from),
    }
}

#[test]
fn default_profile_applies_to_roots_without_one() {
    let org = Org::new(
        Profiles::builtin(),
        "kaifeng",
        vec![jurisdiction("J", None, None)],
        vec![DepartmentRecord {
            id: "D".into(),
            name: "d".into(),
            jurisdiction_id: "J".into(),
            credit_code: None,
            is_authority: false,
        }],
    )
    .unwrap();
    assert_eq!(org.profile_of(Profiles::builtin(), "D").id, "kaifeng");
    assert_eq!(org.reviewing_authority("D"), None);
}

#[test]
fn unknown_profiles_and_cycles_are_errors() {
    let build = |default: &str, j: Vec<JurisdictionRecord>| {
        Org::new(Profiles::builtin(), default, j, vec![])
    };
    assert!(matches!(
        build("nowhere", vec![]),
        Err(OrgError::UnknownProfile { .. })
    ));
    let err = build("jincheng", vec![jurisdiction("J", None, Some("atlantis"))]).unwrap_err();
    assert!(matches!(err, OrgError::UnknownProfile { .. }));
    assert!(
        err.to_string().contains("jincheng"),
        "names the profiles loaded: {err}"
    );
    assert!(matches!(
        build(
            "jincheng",
            vec![
                jurisdiction("A", Some("B"), None),
                jurisdiction("B", Some("A"), None)
            ]
        ),
        Err(OrgError::ParentCycle(_))
    ));
}

#[test]
fn counties_and_issuers() {
    let org = org();
    assert_eq!(org.county_of("JUR-X"), "JUR-X");
    assert_eq!(org.county_of("JUR-D"), "JUR-D");
    assert_eq!(org.county_of("JUR-C"), "JUR-C", "a root is its own");
    assert_eq!(org.root().unwrap().id, "JUR-C");
    // A county department: its county's bureau; the county bureau: the city's.
    assert_eq!(
        org.issuer_of("DEP-X-1").unwrap().department_id,
        "DEP-X-AUTH"
    );
    assert_eq!(
        org.issuer_of("DEP-X-AUTH").unwrap().department_id,
        "DEP-C-AUTH"
    );
    // A district without a bureau of its own: the city's.
    assert_eq!(
        org.issuer_of("DEP-D-1").unwrap().department_id,
        "DEP-C-AUTH"
    );
    // The city's own bureau has nobody above it.
    assert!(matches!(
        org.issuer_of("DEP-C-AUTH"),
        Err(OrgError::NoIssuer { .. })
    ));
}
