use super::password::{self, constant_time_eq, generate_password, token_secret};
use super::*;
use crate::metrics::testutil::org;

#[test]
fn a_password_hash_verifies_only_its_password() {
    let hash = password::hash("correct horse battery").unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(password::verify("correct horse battery", &hash).unwrap());
    assert!(!password::verify("correct horse batterY", &hash).unwrap());
    // Each hash has its own salt.
    assert_ne!(hash, password::hash("correct horse battery").unwrap());
    assert!(matches!(
        password::hash("123456789"),
        Err(PeopleError::Invalid(_))
    ));
    // Ten characters, counted as characters, not bytes.
    assert!(password::hash("督考督考督考督考督考").is_ok());
    assert!(matches!(
        password::verify("x", "not a PHC string"),
        Err(PeopleError::Hash(_))
    ));
}

#[test]
fn generated_secrets_have_their_form() {
    let p = generate_password().unwrap();
    assert_eq!(p.chars().count(), 16);
    assert!(
        p.chars()
            .all(|c| c.is_ascii_alphanumeric() && !"0O1lI".contains(c))
    );
    assert_ne!(p, generate_password().unwrap());
    let t = token_secret().unwrap();
    assert!(t.starts_with("dk_") && t.len() == 67, "{t}");
    assert!(t[3..].chars().all(|c| c.is_ascii_hexdigit()));
    assert!(constant_time_eq(b"abc", b"abc"));
    assert!(!constant_time_eq(b"abc", b"abd"));
    assert!(!constant_time_eq(b"abc", b"abcd"));
}

#[test]
fn a_scope_must_exist_and_suit_the_role() {
    let org = org();
    let city = Scope::City;
    let district = Scope::Jurisdiction("JUR-D".into());
    let department = Scope::Department("DEP-D-1".into());
    for role in [Role::Leader, Role::Inspector, Role::Admin] {
        assert_eq!(city.check(&org, role), Ok(()));
        assert_eq!(district.check(&org, role), Ok(()));
        let e = department.check(&org, role).unwrap_err();
        assert!(e.contains("not department"), "{e}");
    }
    assert_eq!(department.check(&org, Role::Department), Ok(()));
    assert!(city.check(&org, Role::Department).is_err());
    assert_eq!(city.check(&org, Role::Platform), Ok(()));
    assert!(district.check(&org, Role::Platform).is_err());
    let e = Scope::Jurisdiction("JUR-Z".into())
        .check(&org, Role::Leader)
        .unwrap_err();
    assert!(e.contains("JUR-Z"), "{e}");
    let e = Scope::Department("DEP-Z".into())
        .check(&org, Role::Department)
        .unwrap_err();
    assert!(e.contains("DEP-Z"), "{e}");
    // Every role takes at least one kind of scope.
    for role in Role::ALL {
        assert!(!Scope::allowed_for(role).is_empty(), "{role}");
    }
}

#[test]
fn a_scope_is_stored_as_kind_and_id() {
    for scope in [
        Scope::City,
        Scope::Jurisdiction("JUR-D".into()),
        Scope::Department("DEP-D-1".into()),
    ] {
        let (kind, id) = scope.parts();
        assert_eq!(Scope::from_parts(kind, id.map(String::from)), Ok(scope));
    }
    assert!(Scope::from_parts(ScopeKind::City, Some("JUR-C".into())).is_err());
    assert!(Scope::from_parts(ScopeKind::Department, None).is_err());
    assert!(Scope::from_parts(ScopeKind::Jurisdiction, Some(String::new())).is_err());
    let e = "county:JUR-X".parse::<Scope>().unwrap_err();
    assert!(e.contains("jurisdiction:ID"), "{e}");
}
