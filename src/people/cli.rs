//! `dukao user …` and `dukao token …`: the administrator's commands for
//! the people who sign in and the programs that push data. Every change is
//! audited with the actor `cli`; a password or token secret that dukao
//! generates is printed once and never again.

use std::io::{BufRead, Write};

use crate::config::Config;
use crate::model::TableName;
use crate::org::Org;
use crate::store::Store;
use crate::vocab::Role;

use super::{Actor, NewToken, NewUser, Scope, Token, User};

/// The audit trail's name for changes made on the command line.
const CLI: Actor<'static> = Actor { name: "cli" };

/// `dukao user …`.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum UserCommand {
    /// Create a user. Without --password-stdin a random password is
    /// generated and printed once.
    Add {
        /// What they sign in with (letters, digits, `.`, `_`, `-`).
        login: String,
        /// Their name (王明), as the audit trail records it.
        #[arg(long)]
        name: String,
        /// leader, inspector, department or admin.
        #[arg(long)]
        role: Role,
        /// city, jurisdiction:ID or department:ID.
        #[arg(long)]
        scope: Scope,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the users.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: they can no longer sign in. Nothing is deleted.
    Disable {
        /// The login.
        login: String,
    },
    /// Set a user's password anew (generated and printed once unless
    /// --password-stdin).
    Passwd {
        /// The login.
        login: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// `dukao token …`.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum TokenCommand {
    /// Create an API token; its secret is printed once.
    Add {
        /// Who uses it (platform-export).
        name: String,
        /// platform (pushes tables), or a person's role for scripts.
        #[arg(long)]
        role: Role,
        /// city, jurisdiction:ID or department:ID.
        #[arg(long, default_value = "city")]
        scope: Scope,
        /// The tables a platform token may push, comma separated.
        #[arg(long, value_delimiter = ',', value_parser = parse_table)]
        tables: Vec<TableName>,
        /// The last day it works (YYYY-MM-DD, Asia/Shanghai); without it
        /// the token works until revoked.
        #[arg(long)]
        expires: Option<chrono::NaiveDate>,
    },
    /// List the tokens (never their secrets).
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token.
    Revoke {
        /// The name.
        name: String,
    },
}

fn parse_table(text: &str) -> Result<TableName, String> {
    TableName::parse(text).ok_or_else(|| {
        let names: Vec<&str> = TableName::ALL.iter().map(|t| t.as_str()).collect();
        format!(
            "unknown table {text:?}; expected one of {}",
            names.join(", ")
        )
    })
}

async fn org(config: &Config, store: &Store) -> anyhow::Result<Org> {
    Ok(Org::load(store, &config.profiles()?, &config.default_profile).await?)
}

fn password_from(stdin: bool, input: &mut dyn BufRead) -> anyhow::Result<(String, bool)> {
    if !stdin {
        return Ok((super::generate_password()?, true));
    }
    let mut line = String::new();
    input.read_line(&mut line)?;
    Ok((line.trim_end_matches(['\r', '\n']).to_string(), false))
}

fn user_line(u: &User) -> String {
    let state = match &u.disabled_at {
        Some(at) => format!("停用于 {at}"),
        None => "启用".to_string(),
    };
    format!(
        "{:<16} {:<8} {:<6} {:<24} {}",
        u.login,
        u.name,
        u.role.chinese(),
        u.scope,
        state
    )
}

fn token_line(t: &Token) -> String {
    let tables: Vec<&str> = t.tables.iter().map(|t| t.as_str()).collect();
    let state = match (&t.revoked_at, &t.expires_at) {
        (Some(at), _) => format!("已吊销 {at}"),
        (None, Some(until)) => format!("有效至 {until}"),
        (None, None) => "有效".to_string(),
    };
    format!(
        "{:<20} {:<6} {:<24} {:<40} {}",
        t.name,
        t.role.chinese(),
        t.scope,
        tables.join(","),
        state
    )
}

/// Runs `dukao user …`.
pub async fn run_user(
    config: &Config,
    store: &Store,
    command: &UserCommand,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            login,
            name,
            role,
            scope,
            password_stdin,
        } => {
            let org = org(config, store).await?;
            let (password, generated) = password_from(*password_stdin, input)?;
            let new = NewUser {
                login: login.clone(),
                name: name.clone(),
                role: *role,
                scope: scope.clone(),
                password: password.clone(),
            };
            let user = super::add_user(store, &org, &new, CLI).await?;
            writeln!(out, "created {}", user_line(&user))?;
            if generated {
                writeln!(out, "password (shown once): {password}")?;
            }
        }
        UserCommand::List { json } => {
            let users = super::list_users(store).await?;
            if *json {
                serde_json::to_writer_pretty(&mut *out, &users)?;
                writeln!(out)?;
            } else {
                for u in &users {
                    writeln!(out, "{}", user_line(u))?;
                }
            }
        }
        UserCommand::Disable { login } => {
            let user = super::disable_user(store, login, CLI).await?;
            writeln!(out, "disabled {}", user_line(&user))?;
        }
        UserCommand::Passwd {
            login,
            password_stdin,
        } => {
            let (password, generated) = password_from(*password_stdin, input)?;
            super::set_password(store, login, &password, CLI).await?;
            writeln!(out, "password of {login} set")?;
            if generated {
                writeln!(out, "password (shown once): {password}")?;
            }
        }
    }
    Ok(())
}

/// Runs `dukao token …`.
pub async fn run_token(
    config: &Config,
    store: &Store,
    command: &TokenCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match command {
        TokenCommand::Add {
            name,
            role,
            scope,
            tables,
            expires,
        } => {
            let org = org(config, store).await?;
            let expires_at = expires
                .map(|day| {
                    let next = day.succ_opt().unwrap_or(day);
                    crate::time::local_to_millis(next.and_time(chrono::NaiveTime::MIN))
                })
                .transpose()?;
            let new = NewToken {
                name: name.clone(),
                role: *role,
                scope: scope.clone(),
                tables: tables.clone(),
                expires_at,
            };
            let (token, secret) = super::add_token(store, &org, &new, CLI).await?;
            writeln!(out, "created {}", token_line(&token))?;
            writeln!(out, "secret (shown once): {secret}")?;
        }
        TokenCommand::List { json } => {
            let tokens = super::list_tokens(store).await?;
            if *json {
                serde_json::to_writer_pretty(&mut *out, &tokens)?;
                writeln!(out)?;
            } else {
                for t in &tokens {
                    writeln!(out, "{}", token_line(t))?;
                }
            }
        }
        TokenCommand::Revoke { name } => {
            let token = super::revoke_token(store, name, CLI).await?;
            writeln!(out, "revoked {}", token_line(&token))?;
        }
    }
    Ok(())
}
