//! The demo's people: one user per role, so that a newcomer can sign in as
//! each and see what that role sees. The logins and scopes follow from the
//! deterministic organisation; the passwords are random, printed once.

use std::io::Write;

use crate::org::Org;
use crate::people::{self, Actor, NewUser, PeopleError, Scope, User};
use crate::store::Store;
use crate::vocab::{JurisdictionLevel, Role};

/// A demo user and the password generated for them.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// The user created.
    pub user: User,
    /// Their password, shown once.
    pub password: String,
}

/// The demo users, before creation: login, name, role and scope. The
/// county inspector works for the first county (by id; a district or zone
/// when there is none), the department user for the first department of the
/// city itself that is not the bureau.
pub fn plan(org: &Org) -> Vec<(&'static str, &'static str, Role, Scope)> {
    let mut plan = vec![
        ("leader", "周局长", Role::Leader, Scope::City),
        ("inspector", "陈督查", Role::Inspector, Scope::City),
        ("admin", "系统管理员", Role::Admin, Scope::City),
    ];
    let below = || org.jurisdictions.values().filter(|j| !j.is_root());
    let county = below()
        .find(|j| j.level == JurisdictionLevel::County)
        .or_else(|| below().next());
    if let Some(county) = county {
        plan.push((
            "county-inspector",
            "林督查",
            Role::Inspector,
            Scope::Jurisdiction(county.id.clone()),
        ));
    }
    let department = org.departments.values().find(|d| {
        !d.is_authority
            && org
                .jurisdictions
                .get(&d.jurisdiction_id)
                .is_some_and(|j| j.is_root())
    });
    if let Some(department) = department {
        plan.push((
            "department",
            "部门联络员",
            Role::Department,
            Scope::Department(department.id.clone()),
        ));
    }
    plan
}

/// Creates the demo users (audited as the `demo`'s own changes).
pub async fn create(store: &Store, org: &Org) -> Result<Vec<DemoUser>, PeopleError> {
    let mut created = Vec::new();
    for (login, name, role, scope) in plan(org) {
        let password = people::generate_password()?;
        let new = NewUser {
            login: login.to_string(),
            name: name.to_string(),
            role,
            scope,
            password: password.clone(),
        };
        let user = people::add_user(store, org, &new, Actor { name: "demo" }).await?;
        created.push(DemoUser { user, password });
    }
    Ok(created)
}

/// Writes the users and their passwords to `log`, with what each may do.
pub fn describe(users: &[DemoUser], org: &Org, log: &mut dyn Write) -> std::io::Result<()> {
    writeln!(log, "demo users (passwords shown once):")?;
    for u in users {
        let reach = u.user.scope.words(org);
        writeln!(
            log,
            "  {:<18} {:<18} {}（{}）",
            u.user.login,
            u.password,
            u.user.role.chinese(),
            reach
        )?;
    }
    Ok(())
}
