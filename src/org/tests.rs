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
        org.issuer_of(Profiles::builtin(), "DEP-X-1")
            .unwrap()
            .department_id,
        "DEP-X-AUTH"
    );
    assert_eq!(
        org.issuer_of(Profiles::builtin(), "DEP-X-AUTH")
            .unwrap()
            .department_id,
        "DEP-C-AUTH"
    );
    // A district without a bureau of its own: the city's.
    assert_eq!(
        org.issuer_of(Profiles::builtin(), "DEP-D-1")
            .unwrap()
            .department_id,
        "DEP-C-AUTH"
    );
    // The city's own bureau has nobody above it.
    assert!(matches!(
        org.issuer_of(Profiles::builtin(), "DEP-C-AUTH"),
        Err(OrgError::NoIssuer { .. })
    ));
}

/// YK Art.37 and KF Art.28 give the power to order correction to the city's
/// bureau: a county under them does not issue in its own name, the city's
/// bureau does, to the county department; JC Art.43's 同级数据管理部门, PDS
/// and the county's own XX measures leave it to the county's bureau.
#[test]
fn the_regulation_decides_whose_bureau_issues() {
    let p = Profiles::builtin();
    for (city_profile, county_profile, issuer) in [
        ("yingkou", None, "CITY-AUTH"),
        ("kaifeng", None, "CITY-AUTH"),
        ("jincheng", None, "COUNTY-AUTH"),
        ("pingdingshan", None, "COUNTY-AUTH"),
        ("yingkou", Some("xinxian"), "COUNTY-AUTH"),
    ] {
        let mut county = jurisdiction("COUNTY", Some("CITY"), county_profile);
        county.level = JurisdictionLevel::County;
        let d = |id: &str, j: &str, auth: bool| DepartmentRecord {
            id: id.into(),
            name: id.to_lowercase(),
            jurisdiction_id: j.into(),
            credit_code: None,
            is_authority: auth,
        };
        let org = Org::new(
            p,
            "jincheng",
            vec![jurisdiction("CITY", None, Some(city_profile)), county],
            vec![
                d("CITY-AUTH", "CITY", true),
                d("COUNTY-AUTH", "COUNTY", true),
                d("COUNTY-1", "COUNTY", false),
            ],
        )
        .unwrap();
        let got = org.issuer_of(p, "COUNTY-1").unwrap();
        assert_eq!(
            got.department_id, issuer,
            "{city_profile}/{county_profile:?}"
        );
        // Whoever issues, the county bureau itself answers to the city's.
        assert_eq!(
            org.issuer_of(p, "COUNTY-AUTH").unwrap().department_id,
            "CITY-AUTH"
        );
    }
}
