//! People and programs: the users who sign in — leaders, inspectors,
//! departments, administrators — and the API tokens the data-sharing
//! platform's programs present. Each has one [`Role`] and one [`Scope`]:
//! the whole city, one county/district/zone subtree, or one department.
//!
//! Owns `users` and `api_tokens`. Every change (a user added, disabled, a
//! password set; a token added, revoked) appends an audit entry in the
//! transaction of the change.
//!
//! - **Passwords** are hashed with argon2id ([`password`]); the hash is a
//!   PHC string carrying its own salt and parameters. A password is at least
//!   [`MIN_PASSWORD_CHARS`] characters.
//! - **Tokens** are 32 random bytes, shown once as `dk_` + 64 hex digits and
//!   stored only as their SHA-256; a presented token is hashed and looked up,
//!   then compared in constant time. Each has a name, a role, a scope, the
//!   tables it may push (platform tokens) and an optional expiry.
//! - **Scope** is checked against the organisation when it is given: a
//!   jurisdiction or department that does not exist is an error, and a role
//!   takes only the scopes that make sense for it ([`Scope::allowed_for`]).
//!
//! [`cli`] is `dukao user …` and `dukao token …`.

pub mod api;
pub mod cli;
mod password;
mod scope;
pub mod session;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

pub use password::{MIN_PASSWORD_CHARS, constant_time_eq, generate_password, token_secret};
pub use scope::Scope;

use crate::audit::{self, Change};
use crate::digest::hex;
use crate::model::TableName;
use crate::org::Org;
use crate::store::Store;
use crate::time::{format_millis, now_millis};
use crate::vocab::{AuditAction, ParseNameError, Role, ScopeKind};

/// Why a user or token could not be created, changed or found.
#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// The audit trail could not be written: nothing was changed.
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    /// A login or token name is taken.
    #[error("{what} {name:?} exists already")]
    Exists {
        /// `user` or `token`.
        what: &'static str,
        /// The login or name.
        name: String,
    },
    /// No such user or token.
    #[error("no {what} {name:?}")]
    NotFound {
        /// `user` or `token`.
        what: &'static str,
        /// The login or name.
        name: String,
    },
    /// A value that cannot be accepted (a short password, a role without
    /// scope, an unknown table), naming what is wrong.
    #[error("{0}")]
    Invalid(String),
    /// A stored value is not in its vocabulary.
    #[error("{table} {key}: {source}")]
    Stored {
        /// The table.
        table: &'static str,
        /// The row.
        key: String,
        /// What is wrong.
        source: ParseNameError,
    },
    /// The password hash could not be computed or read.
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// A user, as listed (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// What they sign in with.
    pub login: String,
    /// Their name, as the audit trail and documents record it (王明).
    pub name: String,
    /// Their role.
    pub role: Role,
    /// How far their rights reach.
    pub scope: Scope,
    /// When the user was created (RFC 3339).
    pub created_at: String,
    /// When they were disabled, if they were.
    pub disabled_at: Option<String>,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// What they sign in with: letters, digits, `.`, `_`, `-`.
    pub login: String,
    /// Their name.
    pub name: String,
    /// Their role; not [`Role::Platform`] (programs get tokens).
    pub role: Role,
    /// Their scope.
    pub scope: Scope,
    /// Their password.
    pub password: String,
}

/// An API token, as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    /// Row id.
    pub id: i64,
    /// Its name (who uses it: `platform-export`).
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its scope.
    pub scope: Scope,
    /// The tables it may push (platform tokens); empty for the others.
    pub tables: Vec<TableName>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it stops working, if it does.
    pub expires_at: Option<String>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// A token to create.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its scope.
    pub scope: Scope,
    /// The tables a platform token may push (at least one); empty for the
    /// other roles.
    pub tables: Vec<TableName>,
    /// When it stops working (milliseconds), if it does.
    pub expires_at: Option<i64>,
}

/// Whose change it is, for the audit trail.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The name recorded (a user's name, or `cli`).
    pub name: &'a str,
}

fn check_login(login: &str) -> Result<(), PeopleError> {
    let ok = !login.is_empty()
        && login.len() <= 64
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(PeopleError::Invalid(format!(
            "login {login:?}: use 1 to 64 letters, digits, `.`, `_` or `-`"
        )))
    }
}

fn stored<T: std::str::FromStr<Err = ParseNameError>>(
    table: &'static str,
    key: &str,
    text: &str,
) -> Result<T, PeopleError> {
    text.parse().map_err(|source| PeopleError::Stored {
        table,
        key: key.to_string(),
        source,
    })
}

fn scope_of(table: &'static str, key: &str, r: &AnyRow) -> Result<Scope, PeopleError> {
    let kind: ScopeKind = stored(table, key, &r.try_get::<String, _>("scope_kind")?)?;
    Scope::from_parts(kind, r.try_get("scope_id")?).map_err(PeopleError::Invalid)
}

const USER_COLUMNS: &str = "id, login, name, role, scope_kind, scope_id, created_at, disabled_at";

fn user_of(r: &AnyRow) -> Result<User, PeopleError> {
    let login: String = r.try_get("login")?;
    Ok(User {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        role: stored("users", &login, &r.try_get::<String, _>("role")?)?,
        scope: scope_of("users", &login, r)?,
        created_at: format_millis(r.try_get("created_at")?),
        disabled_at: r
            .try_get::<Option<i64>, _>("disabled_at")?
            .map(format_millis),
        login,
    })
}

/// Creates a user, audited. The scope must exist in the organisation and
/// suit the role.
pub async fn add_user(
    store: &Store,
    org: &Org,
    user: &NewUser,
    actor: Actor<'_>,
) -> Result<User, PeopleError> {
    check_login(&user.login)?;
    if user.name.trim().is_empty() {
        return Err(PeopleError::Invalid("a user needs a name".into()));
    }
    if user.role == Role::Platform {
        return Err(PeopleError::Invalid(
            "role platform is for programs: create a token (`dukao token add`)".into(),
        ));
    }
    user.scope
        .check(org, user.role)
        .map_err(PeopleError::Invalid)?;
    let hash = password::hash(&user.password)?;
    let now = now_millis();
    let mut tx = store.begin().await?;
    let taken = sqlx::query("SELECT 1 FROM users WHERE login = $1")
        .bind(&user.login)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(PeopleError::Exists {
            what: "user",
            name: user.login.clone(),
        });
    }
    let (kind, id) = user.scope.parts();
    sqlx::query(
        "INSERT INTO users (login, name, role, scope_kind, scope_id, password_hash, created_at, \
         password_set_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(&user.login)
    .bind(&user.name)
    .bind(user.role.as_str())
    .bind(kind.as_str())
    .bind(id)
    .bind(&hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let change = Change {
        actor: actor.name,
        action: AuditAction::UserAdd,
        subject: format!("user:{}", user.login),
        details: serde_json::json!({
            "name": user.name,
            "role": user.role.as_str(),
            "scope": user.scope.to_string(),
        }),
    };
    audit::append(&mut tx, &change).await?;
    tx.commit().await?;
    find_user(store, &user.login).await
}

/// A user by login.
pub async fn find_user(store: &Store, login: &str) -> Result<User, PeopleError> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE login = $1"
    ))
    .bind(login)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| PeopleError::NotFound {
        what: "user",
        name: login.to_string(),
    })?;
    user_of(&row)
}

/// Every user, by login.
pub async fn list_users(store: &Store) -> Result<Vec<User>, PeopleError> {
    sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY login"))
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(user_of)
        .collect()
}

/// Disables a user, audited; they can no longer sign in and their sessions
/// end. Disabling a disabled user is an error, never a silent no-op.
pub async fn disable_user(
    store: &Store,
    login: &str,
    actor: Actor<'_>,
) -> Result<User, PeopleError> {
    let user = find_user(store, login).await?;
    if user.disabled_at.is_some() {
        return Err(PeopleError::Invalid(format!(
            "user {login:?} was disabled already"
        )));
    }
    let now = now_millis();
    let mut tx = store.begin().await?;
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE login = $2 AND disabled_at IS NULL")
        .bind(now)
        .bind(login)
        .execute(&mut *tx)
        .await?;
    session::end_all(&mut tx, user.id, true, now).await?;
    let change = Change {
        actor: actor.name,
        action: AuditAction::UserDisable,
        subject: format!("user:{login}"),
        details: serde_json::json!({}),
    };
    audit::append(&mut tx, &change).await?;
    tx.commit().await?;
    find_user(store, login).await
}

/// Sets a user's password anew, audited; their sessions end.
pub async fn set_password(
    store: &Store,
    login: &str,
    password: &str,
    actor: Actor<'_>,
) -> Result<(), PeopleError> {
    let user = find_user(store, login).await?;
    let hash = password::hash(password)?;
    let now = now_millis();
    let mut tx = store.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1, password_set_at = $2 WHERE login = $3")
        .bind(&hash)
        .bind(now)
        .bind(login)
        .execute(&mut *tx)
        .await?;
    session::end_all(&mut tx, user.id, false, now).await?;
    let change = Change {
        actor: actor.name,
        action: AuditAction::UserPassword,
        subject: format!("user:{login}"),
        details: serde_json::json!({}),
    };
    audit::append(&mut tx, &change).await?;
    tx.commit().await?;
    Ok(())
}

/// The user a login and password identify: `None` for an unknown login, a
/// wrong password or a disabled user alike (the caller must not tell which).
pub async fn authenticate(
    store: &Store,
    login: &str,
    password: &str,
) -> Result<Option<User>, PeopleError> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS}, password_hash FROM users WHERE login = $1"
    ))
    .bind(login)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else {
        // The same work as a real check, so timing does not tell.
        password::burn(password);
        return Ok(None);
    };
    let hash: String = row.try_get("password_hash")?;
    let user = user_of(&row)?;
    Ok((password::verify(password, &hash)? && user.disabled_at.is_none()).then_some(user))
}

const TOKEN_COLUMNS: &str =
    "id, name, role, scope_kind, scope_id, tables, created_at, expires_at, revoked_at";

fn token_of(r: &AnyRow) -> Result<Token, PeopleError> {
    let name: String = r.try_get("name")?;
    let tables: String = r.try_get("tables")?;
    let tables = tables
        .split(',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            TableName::parse(t).ok_or_else(|| {
                PeopleError::Invalid(format!("api_tokens {name}: unknown table {t:?}"))
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Token {
        id: r.try_get("id")?,
        role: stored("api_tokens", &name, &r.try_get::<String, _>("role")?)?,
        scope: scope_of("api_tokens", &name, r)?,
        tables,
        created_at: format_millis(r.try_get("created_at")?),
        expires_at: r
            .try_get::<Option<i64>, _>("expires_at")?
            .map(format_millis),
        revoked_at: r
            .try_get::<Option<i64>, _>("revoked_at")?
            .map(format_millis),
        name,
    })
}

fn secret_digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Creates a token, audited; returns it with its secret, which is shown
/// this once and stored only as its SHA-256.
pub async fn add_token(
    store: &Store,
    org: &Org,
    token: &NewToken,
    actor: Actor<'_>,
) -> Result<(Token, String), PeopleError> {
    check_login(&token.name)?;
    token
        .scope
        .check(org, token.role)
        .map_err(PeopleError::Invalid)?;
    match (token.role, token.tables.is_empty()) {
        (Role::Platform, true) => {
            return Err(PeopleError::Invalid(
                "a platform token needs the tables it may push (--tables)".into(),
            ));
        }
        (Role::Leader | Role::Inspector | Role::Department | Role::Admin, false) => {
            return Err(PeopleError::Invalid(format!(
                "only platform tokens push tables; a {} token takes no --tables",
                token.role
            )));
        }
        (Role::Platform, false)
        | (Role::Leader | Role::Inspector | Role::Department | Role::Admin, true) => {}
    }
    let secret = password::token_secret()?;
    let tables: BTreeSet<&str> = token.tables.iter().map(|t| t.as_str()).collect();
    let mut tx = store.begin().await?;
    let taken = sqlx::query("SELECT 1 FROM api_tokens WHERE name = $1")
        .bind(&token.name)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(PeopleError::Exists {
            what: "token",
            name: token.name.clone(),
        });
    }
    let (kind, id) = token.scope.parts();
    sqlx::query(
        "INSERT INTO api_tokens (name, role, scope_kind, scope_id, tables, secret_sha256, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&token.name)
    .bind(token.role.as_str())
    .bind(kind.as_str())
    .bind(id)
    .bind(tables.iter().copied().collect::<Vec<_>>().join(","))
    .bind(secret_digest(&secret))
    .bind(now_millis())
    .bind(token.expires_at)
    .execute(&mut *tx)
    .await?;
    let change = Change {
        actor: actor.name,
        action: AuditAction::TokenAdd,
        subject: format!("token:{}", token.name),
        details: serde_json::json!({
            "role": token.role.as_str(),
            "scope": token.scope.to_string(),
            "tables": tables,
            "expires_at": token.expires_at.map(format_millis),
        }),
    };
    audit::append(&mut tx, &change).await?;
    tx.commit().await?;
    Ok((find_token(store, &token.name).await?, secret))
}

async fn find_token(store: &Store, name: &str) -> Result<Token, PeopleError> {
    let row = sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE name = $1"
    ))
    .bind(name)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| PeopleError::NotFound {
        what: "token",
        name: name.to_string(),
    })?;
    token_of(&row)
}

/// Every token, by name.
pub async fn list_tokens(store: &Store) -> Result<Vec<Token>, PeopleError> {
    sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY name"
    ))
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(token_of)
    .collect()
}

/// Revokes a token, audited; revoking a revoked token is an error.
pub async fn revoke_token(
    store: &Store,
    name: &str,
    actor: Actor<'_>,
) -> Result<Token, PeopleError> {
    let token = find_token(store, name).await?;
    if token.revoked_at.is_some() {
        return Err(PeopleError::Invalid(format!(
            "token {name:?} was revoked already"
        )));
    }
    let mut tx = store.begin().await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL")
        .bind(now_millis())
        .bind(name)
        .execute(&mut *tx)
        .await?;
    let change = Change {
        actor: actor.name,
        action: AuditAction::TokenRevoke,
        subject: format!("token:{name}"),
        details: serde_json::json!({}),
    };
    audit::append(&mut tx, &change).await?;
    tx.commit().await?;
    find_token(store, name).await
}

/// The live token a presented secret is, if any: found by its SHA-256,
/// compared in constant time, neither revoked nor expired at `now`.
pub async fn token_for_secret(
    store: &Store,
    secret: &str,
    now: i64,
) -> Result<Option<Token>, PeopleError> {
    let digest = secret_digest(secret);
    let row = sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS}, secret_sha256 FROM api_tokens WHERE secret_sha256 = $1"
    ))
    .bind(&digest)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let stored: String = row.try_get("secret_sha256")?;
    if !password::constant_time_eq(stored.as_bytes(), digest.as_bytes()) {
        return Ok(None);
    }
    let expires: Option<i64> = row.try_get("expires_at")?;
    let revoked: Option<i64> = row.try_get("revoked_at")?;
    if revoked.is_some() || expires.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    token_of(&row).map(Some)
}
