//! Users and API tokens on both backends: created against the stored
//! organisation (a scope must exist and suit the role), signed in with
//! argon2id passwords, disabled and revoked, never deleted — and every
//! change audited, from the library and from `dukao user|token`.

use dukao::audit::{self, Filter};
use dukao::config::Config;
use dukao::ingest;
use dukao::model::TableName;
use dukao::org::Org;
use dukao::people::cli::{TokenCommand, UserCommand};
use dukao::people::{self, Actor, NewToken, NewUser, PeopleError, Scope};
use dukao::time::now_millis;
use dukao::vocab::{JurisdictionLevel, Role};

use crate::both_backends;
use crate::common::{TestStore, demo_csv};

const ADMIN: Actor<'static> = Actor { name: "管理员" };

/// The demo's organisation only (jurisdictions and departments).
async fn org(ts: &TestStore) -> Org {
    let files = [
        demo_csv().join("jurisdictions.csv"),
        demo_csv().join("departments.csv"),
    ];
    let sources = ingest::discover(&files).unwrap();
    let config = Config::default();
    let profiles = config.profiles().unwrap();
    ingest::import(
        &ts.store,
        sources,
        &ingest::ImportOptions::new("test", &profiles),
    )
    .await
    .expect("the demo organisation imports");
    Org::load(&ts.store, &profiles, &config.default_profile)
        .await
        .unwrap()
}

fn user(login: &str, role: Role, scope: Scope) -> NewUser {
    NewUser {
        login: login.into(),
        name: "王明".into(),
        role,
        scope,
        password: "correct horse battery".into(),
    }
}

fn invalid(result: Result<impl std::fmt::Debug, PeopleError>) -> String {
    match result {
        Err(PeopleError::Invalid(message)) => message,
        other => panic!("expected an invalid-value error, got {other:?}"),
    }
}

async fn actions(ts: &TestStore) -> Vec<(String, String, String)> {
    let mut entries: Vec<_> = audit::list(&ts.store, &Filter::newest(100))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action != "data.import")
        .map(|e| (e.actor, e.action, e.subject))
        .collect();
    entries.reverse();
    entries
}

async fn users(ts: &TestStore) {
    let store = &ts.store;
    let org = org(ts).await;
    let district = org
        .jurisdictions
        .values()
        .find(|j| !j.is_root())
        .unwrap()
        .id
        .clone();
    let department = org.departments.keys().next().unwrap().clone();

    let leader = people::add_user(store, &org, &user("wang", Role::Leader, Scope::City), ADMIN)
        .await
        .unwrap();
    assert_eq!((leader.role, &leader.scope), (Role::Leader, &Scope::City));
    let scope = Scope::Jurisdiction(district.clone());
    people::add_user(store, &org, &user("li", Role::Inspector, scope), ADMIN)
        .await
        .unwrap();
    let scope = Scope::Department(department.clone());
    people::add_user(store, &org, &user("zhao", Role::Department, scope), ADMIN)
        .await
        .unwrap();

    // What is refused, and why.
    let e = invalid(
        people::add_user(
            store,
            &org,
            &user("x", Role::Department, Scope::City),
            ADMIN,
        )
        .await,
    );
    assert!(e.contains("department") && e.contains("city"), "{e}");
    let scope = Scope::Jurisdiction("JUR-NOWHERE".into());
    let e = invalid(people::add_user(store, &org, &user("x", Role::Leader, scope), ADMIN).await);
    assert!(e.contains("JUR-NOWHERE"), "{e}");
    let e = invalid(
        people::add_user(store, &org, &user("x", Role::Platform, Scope::City), ADMIN).await,
    );
    assert!(e.contains("token"), "{e}");
    let e = invalid(
        people::add_user(store, &org, &user("x y", Role::Leader, Scope::City), ADMIN).await,
    );
    assert!(e.contains("login"), "{e}");
    let mut short = user("x", Role::Leader, Scope::City);
    short.password = "short".into();
    let e = invalid(people::add_user(store, &org, &short, ADMIN).await);
    assert!(e.contains("10"), "{e}");
    match people::add_user(store, &org, &user("wang", Role::Leader, Scope::City), ADMIN).await {
        Err(PeopleError::Exists { name, .. }) => assert_eq!(name, "wang"),
        other => panic!("a taken login was accepted: {other:?}"),
    }

    let logins: Vec<_> = people::list_users(store)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.login, u.scope.to_string()))
        .collect();
    assert_eq!(
        logins,
        [
            ("li".to_string(), format!("jurisdiction:{district}")),
            ("wang".to_string(), "city".to_string()),
            ("zhao".to_string(), format!("department:{department}")),
        ]
    );

    // Signing in: the right password only, and not once disabled.
    let ok = people::authenticate(store, "wang", "correct horse battery").await;
    assert_eq!(ok.unwrap().map(|u| u.login).as_deref(), Some("wang"));
    assert!(
        people::authenticate(store, "wang", "wrong horse battery")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        people::authenticate(store, "nobody", "correct horse battery")
            .await
            .unwrap()
            .is_none()
    );
    people::set_password(store, "wang", "a new long password", ADMIN)
        .await
        .unwrap();
    assert!(
        people::authenticate(store, "wang", "correct horse battery")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        people::authenticate(store, "wang", "a new long password")
            .await
            .unwrap()
            .is_some()
    );
    let disabled = people::disable_user(store, "wang", ADMIN).await.unwrap();
    assert!(disabled.disabled_at.is_some());
    assert!(
        people::authenticate(store, "wang", "a new long password")
            .await
            .unwrap()
            .is_none()
    );
    invalid(people::disable_user(store, "wang", ADMIN).await);

    assert_eq!(
        actions(ts).await,
        [
            ("管理员", "user.add", "user:wang"),
            ("管理员", "user.add", "user:li"),
            ("管理员", "user.add", "user:zhao"),
            ("管理员", "user.password", "user:wang"),
            ("管理员", "user.disable", "user:wang"),
        ]
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
}
both_backends!(users_, users);

async fn tokens(ts: &TestStore) {
    let store = &ts.store;
    let org = org(ts).await;
    let token = |name: &str, role: Role, tables: Vec<TableName>| NewToken {
        name: name.into(),
        role,
        scope: Scope::City,
        tables,
        expires_at: None,
    };
    let e =
        invalid(people::add_token(store, &org, &token("p", Role::Platform, vec![]), ADMIN).await);
    assert!(e.contains("--tables"), "{e}");
    let e = invalid(
        people::add_token(
            store,
            &org,
            &token("p", Role::Leader, vec![TableName::Grants]),
            ADMIN,
        )
        .await,
    );
    assert!(e.contains("--tables"), "{e}");
    let mut county = token("p", Role::Platform, vec![TableName::Grants]);
    county.scope = Scope::Jurisdiction(org.jurisdictions.keys().next().unwrap().clone());
    let e = invalid(people::add_token(store, &org, &county, ADMIN).await);
    assert!(e.contains("platform") && e.contains("city"), "{e}");

    let tables = vec![TableName::ShareRequests, TableName::Grants];
    let (platform, secret) = people::add_token(
        store,
        &org,
        &token("platform-export", Role::Platform, tables),
        ADMIN,
    )
    .await
    .unwrap();
    assert!(secret.starts_with("dk_") && secret.len() == 67, "{secret}");
    // Stored in one order whatever the order given.
    assert_eq!(
        platform.tables,
        [TableName::Grants, TableName::ShareRequests]
    );
    let now = now_millis();
    let found = people::token_for_secret(store, &secret, now).await.unwrap();
    assert_eq!(found.map(|t| t.name).as_deref(), Some("platform-export"));
    // Change the last character to a different one (a fixed replacement would
    // equal the secret whenever the secret already ends in it).
    let last = if secret.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &secret[..secret.len() - 1]);
    assert_ne!(wrong, secret);
    assert!(
        people::token_for_secret(store, &wrong, now)
            .await
            .unwrap()
            .is_none()
    );

    // A token that expires stops working at its expiry, not before.
    let mut expiring = token("report-bot", Role::Leader, vec![]);
    expiring.expires_at = Some(now + 60_000);
    let (_, bot) = people::add_token(store, &org, &expiring, ADMIN)
        .await
        .unwrap();
    assert!(
        people::token_for_secret(store, &bot, now)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        people::token_for_secret(store, &bot, now + 60_000)
            .await
            .unwrap()
            .is_none()
    );

    let revoked = people::revoke_token(store, "platform-export", ADMIN)
        .await
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(
        people::token_for_secret(store, &secret, now)
            .await
            .unwrap()
            .is_none()
    );
    invalid(people::revoke_token(store, "platform-export", ADMIN).await);

    // The secret is stored only as its digest.
    let stored: Vec<String> = sqlx::query_scalar("SELECT secret_sha256 FROM api_tokens")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|s| s.len() == 64 && !s.contains(&secret[3..]))
    );
    let listed: Vec<_> = people::list_tokens(store).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        actions(ts)
            .await
            .into_iter()
            .map(|(_, a, s)| (a, s))
            .collect::<Vec<_>>(),
        [
            ("token.add", "token:platform-export"),
            ("token.add", "token:report-bot"),
            ("token.revoke", "token:platform-export"),
        ]
        .map(|(a, s)| (a.to_string(), s.to_string()))
    );
    assert!(audit::verify(store).await.unwrap().intact());
}
both_backends!(tokens_, tokens);

async fn commands(ts: &TestStore) {
    let store = &ts.store;
    let org = org(ts).await;
    let department = org.departments.keys().next().unwrap().clone();
    let config = Config::default();
    let run = |command: UserCommand, input: &'static str| {
        let config = config.clone();
        async move {
            let mut out = Vec::new();
            people::cli::run_user(&config, store, &command, &mut input.as_bytes(), &mut out)
                .await
                .map(|()| String::from_utf8(out).unwrap())
        }
    };
    let printed = run(
        UserCommand::Add {
            login: "zhao".into(),
            name: "赵六".into(),
            role: Role::Department,
            scope: Scope::Department(department.clone()),
            password_stdin: false,
        },
        "",
    )
    .await
    .unwrap();
    let generated = printed
        .lines()
        .find_map(|l| l.strip_prefix("password (shown once): "))
        .expect("a generated password is shown")
        .to_string();
    assert_eq!(generated.len(), 16, "{printed}");
    assert!(
        people::authenticate(store, "zhao", &generated)
            .await
            .unwrap()
            .is_some()
    );

    run(
        UserCommand::Passwd {
            login: "zhao".into(),
            password_stdin: true,
        },
        "from standard input\n",
    )
    .await
    .unwrap();
    assert!(
        people::authenticate(store, "zhao", "from standard input")
            .await
            .unwrap()
            .is_some()
    );
    let listing = run(UserCommand::List { json: false }, "").await.unwrap();
    assert!(
        listing.contains("赵六") && listing.contains("部门用户"),
        "{listing}"
    );
    let error = run(
        UserCommand::Add {
            login: "qian".into(),
            name: "钱七".into(),
            role: Role::Inspector,
            scope: Scope::Department(department),
            password_stdin: false,
        },
        "",
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(error.contains("inspector"), "{error}");

    let mut out = Vec::new();
    let add = TokenCommand::Add {
        name: "platform".into(),
        role: Role::Platform,
        scope: Scope::City,
        tables: vec![TableName::AccessLog],
        expires: Some(chrono::NaiveDate::from_ymd_opt(2099, 12, 31).unwrap()),
    };
    people::cli::run_token(&config, store, &add, &mut out)
        .await
        .unwrap();
    let printed = String::from_utf8(out).unwrap();
    assert!(
        printed.contains("有效至 2100-01-01T00:00:00+08:00"),
        "{printed}"
    );
    let subjects: Vec<_> = actions(ts)
        .await
        .into_iter()
        .map(|(actor, _, s)| (actor, s))
        .collect();
    assert_eq!(
        subjects,
        [
            ("cli", "user:zhao"),
            ("cli", "user:zhao"),
            ("cli", "token:platform")
        ]
        .map(|(a, s)| (a.to_string(), s.to_string()))
    );
}
both_backends!(commands_, commands);

#[test]
fn scopes_are_written_and_read_back() {
    for text in [
        "city",
        "jurisdiction:JUR-141202",
        "department:DEP-141200-002",
    ] {
        let scope: Scope = text.parse().unwrap();
        assert_eq!(scope.to_string(), text);
    }
    for bad in ["county:X", "jurisdiction", "department:", "city:JUR-1"] {
        assert!(bad.parse::<Scope>().is_err(), "{bad} was accepted");
    }
}

async fn demo_users(ts: &TestStore) {
    let org = org(ts).await;
    let created = dukao::demo::people::create(&ts.store, &org).await.unwrap();
    let roles: Vec<_> = created
        .iter()
        .map(|u| (u.user.login.as_str(), u.user.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("leader", Role::Leader),
            ("inspector", Role::Inspector),
            ("admin", Role::Admin),
            ("county-inspector", Role::Inspector),
            ("department", Role::Department),
        ]
    );
    for u in &created {
        let signed_in = people::authenticate(&ts.store, &u.user.login, &u.password).await;
        assert_eq!(
            signed_in.unwrap().as_ref(),
            Some(&u.user),
            "{}",
            u.user.login
        );
    }
    let county = &created[3].user.scope;
    assert!(
        matches!(county, Scope::Jurisdiction(id) if org.jurisdictions[id].level == JurisdictionLevel::County),
        "{county}"
    );
    let mut out = Vec::new();
    dukao::demo::people::describe(&created, &org, &mut out).unwrap();
    let printed = String::from_utf8(out).unwrap();
    assert!(
        created.iter().all(|u| printed.contains(&u.password)) && printed.contains("督查人员"),
        "{printed}"
    );
}
both_backends!(demo_users_, demo_users);
