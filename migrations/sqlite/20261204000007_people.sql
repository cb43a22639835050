-- People and programs (src/people): the users who sign in, each with one
-- role and one scope, and the API tokens programs present. Passwords are
-- argon2id PHC strings; tokens are stored as the SHA-256 of their secret,
-- which is shown once, at creation. Nothing here is ever deleted: a user is
-- disabled, a token revoked, and the audit trail records who did it.
-- Instants are milliseconds since the Unix epoch (UTC).

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id TEXT,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    password_set_at BIGINT NOT NULL,
    disabled_at BIGINT
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id TEXT,
    tables TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT
);

-- A signed-in person's session: the cookie carries a random secret, stored
-- here only as its SHA-256. A session ends when its user logs out, after
-- it has been idle too long or grown too old, or when its user is
-- disabled; ended sessions stay, with the reason, for the record.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    secret_sha256 TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ended_at BIGINT,
    end_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins, for throttling: after too many for a login in a window,
-- further attempts are refused until the window has passed. Kept in the
-- store so that every replica counts the same failures.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL,
    source TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_login_at ON login_failures (login, at);
