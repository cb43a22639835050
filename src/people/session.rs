//! Signing in and out. A person signs in with login and password and gets a
//! session: a random secret for the cookie (stored only as its SHA-256) and
//! a CSRF token that every state-changing request made with the cookie must
//! echo. A session ends on logout, after [`SessionPolicy::idle`] without a
//! request, after [`SessionPolicy::max_age`] in any case, and when its user
//! is disabled or gets a new password.
//!
//! Failed sign-ins are counted per login in the store, so that every
//! replica sees them: after [`SessionPolicy::max_failures`] within
//! [`SessionPolicy::failure_window`], the login is refused until the oldest
//! of them leaves the window — with the right password too, so guessing
//! gains nothing. Sign-ins, failures and sign-outs are audited with the
//! source address.
//!
//! Every function takes the instant `now`, so that tests inject the clock.

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{PeopleError, USER_COLUMNS, User, password, user_of};
use crate::audit::{self, Change};
use crate::digest::hex;
use crate::store::Store;
use crate::vocab::AuditAction;

/// How long sessions live and how many failed sign-ins are tolerated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session this old ends, used or not.
    pub max_age: Duration,
    /// Failed sign-ins of one login tolerated within the window.
    pub max_failures: u32,
    /// The window failures are counted in.
    pub failure_window: Duration,
}

impl Default for SessionPolicy {
    /// 30 minutes idle, 12 hours at most; 5 failures in 15 minutes.
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::from_secs(30 * 60),
            max_age: Duration::from_secs(12 * 3600),
            max_failures: 5,
            failure_window: Duration::from_secs(15 * 60),
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Row id.
    pub id: i64,
    /// Whose it is.
    pub user: User,
    /// The token state-changing requests must echo (`X-CSRF-Token` or the
    /// form field `csrf`).
    pub csrf: String,
    /// When it started (milliseconds).
    pub created_at: i64,
}

/// How a sign-in ended.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the session and the secret for its cookie (never stored).
    Started {
        /// The session.
        session: Session,
        /// The cookie's value.
        secret: String,
    },
    /// Unknown login, wrong password or disabled user: the caller must not
    /// say which.
    Refused,
    /// Too many failures for this login: try again after this long.
    Throttled {
        /// Milliseconds until an attempt is taken again.
        retry_after_ms: i64,
    },
}

/// Why a session ended, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EndReason {
    Logout,
    Idle,
    MaxAge,
    UserDisabled,
    PasswordChanged,
}

impl EndReason {
    fn as_str(self) -> &'static str {
        match self {
            EndReason::Logout => "logout",
            EndReason::Idle => "idle",
            EndReason::MaxAge => "max_age",
            EndReason::UserDisabled => "user_disabled",
            EndReason::PasswordChanged => "password_changed",
        }
    }
}

fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Signs a person in, or refuses, or throttles; audited either way.
pub async fn sign_in(
    store: &Store,
    policy: &SessionPolicy,
    login: &str,
    password: &str,
    source: &str,
    now: i64,
) -> Result<SignIn, PeopleError> {
    let window_start = now - millis(policy.failure_window);
    let recent: Vec<i64> =
        sqlx::query("SELECT at FROM login_failures WHERE login = $1 AND at > $2 ORDER BY at")
            .bind(login)
            .bind(window_start)
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|r| r.try_get("at"))
            .collect::<Result<_, _>>()?;
    let throttled = recent.len() >= policy.max_failures as usize;
    let user = if throttled {
        password::burn(password);
        None
    } else {
        super::authenticate(store, login, password).await?
    };
    let mut tx = store.begin().await?;
    let Some(user) = user else {
        sqlx::query("INSERT INTO login_failures (login, source, at) VALUES ($1, $2, $3)")
            .bind(login)
            .bind(source)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let reason = if throttled { "throttled" } else { "refused" };
        let change = Change {
            actor: login,
            action: AuditAction::LoginFailed,
            subject: format!("user:{login}"),
            details: serde_json::json!({ "source": source, "reason": reason }),
        };
        audit::append(&mut tx, &change).await?;
        tx.commit().await?;
        return Ok(match recent.first() {
            Some(oldest) if throttled => SignIn::Throttled {
                retry_after_ms: (oldest + millis(policy.failure_window) - now).max(1),
            },
            Some(_) | None => SignIn::Refused,
        });
    };
    let secret = password::token_secret()?;
    let csrf = password::token_secret()?;
    sqlx::query("DELETE FROM login_failures WHERE login = $1")
        .bind(login)
        .execute(&mut *tx)
        .await?;
    let id: i64 = sqlx::query(
        "INSERT INTO sessions (secret_sha256, user_id, csrf, source, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(digest(&secret))
    .bind(user.id)
    .bind(&csrf)
    .bind(source)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let change = Change {
        actor: &user.name,
        action: AuditAction::Login,
        subject: format!("user:{}", user.login),
        details: serde_json::json!({
            "role": user.role.as_str(),
            "source": source,
            "session": id,
        }),
    };
    audit::append(&mut tx, &change).await?;
    tx.commit().await?;
    Ok(SignIn::Started {
        session: Session {
            id,
            user,
            csrf,
            created_at: now,
        },
        secret,
    })
}

/// How old a session's last renewal may grow before a request renews it.
const TOUCH_EVERY_MS: i64 = 60_000;

/// The live session a cookie's secret names, its idle clock restarted; a
/// session found idle, too old or of a disabled user is ended and `None`.
/// The same query reads the integer scalar subqueries `also` (other
/// owners' markers, e.g. the pages' [`crate::pages::kept::Marks`]), whose
/// values come back in their order: a signed-in page costs one round trip
/// to the store, not one per owner.
pub async fn resume(
    store: &Store,
    policy: &SessionPolicy,
    secret: &str,
    now: i64,
    also: &[String],
) -> Result<Option<(Session, Vec<i64>)>, PeopleError> {
    let columns = USER_COLUMNS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let also_columns: String = also
        .iter()
        .enumerate()
        .map(|(i, q)| format!(", {q} AS also_{i}"))
        .collect();
    let row = sqlx::query(&format!(
        "SELECT {columns}, s.id AS session_id, s.csrf, s.created_at AS session_created_at, \
         s.last_seen_at{also_columns} FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.secret_sha256 = $1 AND s.ended_at IS NULL"
    ))
    .bind(digest(secret))
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("session_id")?;
    let created_at: i64 = row.try_get("session_created_at")?;
    let last_seen: i64 = row.try_get("last_seen_at")?;
    let user = user_of(&row)?;
    let ended = if user.disabled_at.is_some() {
        Some(EndReason::UserDisabled)
    } else if now - last_seen >= millis(policy.idle) {
        Some(EndReason::Idle)
    } else if now - created_at >= millis(policy.max_age) {
        Some(EndReason::MaxAge)
    } else {
        None
    };
    if let Some(reason) = ended {
        sqlx::query("UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id = $3")
            .bind(now)
            .bind(reason.as_str())
            .bind(id)
            .execute(store.pool())
            .await?;
        return Ok(None);
    }
    // The idle clock is kept to the minute: a request renews it only when
    // the last renewal is a minute old, so a person reading pages does not
    // write to the store on every request (a session idle for the policy's
    // time, less at most a minute, ends).
    if now - last_seen >= TOUCH_EVERY_MS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1")
            .bind(now)
            .bind(id)
            .execute(store.pool())
            .await?;
    }
    let read = (0..also.len())
        .map(|i| row.try_get::<i64, _>(format!("also_{i}").as_str()))
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(Some((
        Session {
            id,
            user,
            csrf: row.try_get("csrf")?,
            created_at,
        },
        read,
    )))
}

/// Who signs out: the session and its user.
#[derive(Debug, Clone, Copy)]
pub struct SignOut<'a> {
    /// The session's row id.
    pub session_id: i64,
    /// The user's login.
    pub login: &'a str,
    /// The user's name.
    pub name: &'a str,
}

/// Ends a session on its user's request, audited.
pub async fn sign_out(
    store: &Store,
    session: SignOut<'_>,
    source: &str,
    now: i64,
) -> Result<(), PeopleError> {
    let mut tx = store.begin().await?;
    sqlx::query(
        "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(EndReason::Logout.as_str())
    .bind(session.session_id)
    .execute(&mut *tx)
    .await?;
    let change = Change {
        actor: session.name,
        action: AuditAction::Logout,
        subject: format!("user:{}", session.login),
        details: serde_json::json!({ "source": source, "session": session.session_id }),
    };
    audit::append(&mut tx, &change).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every live session of a user (disabled, or a new password), in the
/// transaction of that change.
pub(super) async fn end_all(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    disabled: bool,
    now: i64,
) -> Result<(), PeopleError> {
    let reason = if disabled {
        EndReason::UserDisabled
    } else {
        EndReason::PasswordChanged
    };
    sqlx::query(
        "UPDATE sessions SET ended_at = $1, end_reason = $2 \
         WHERE user_id = $3 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(reason.as_str())
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
