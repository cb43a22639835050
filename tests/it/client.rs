//! Driving the real router as someone: a program with an API token, a
//! person with a session cookie, or nobody. The clock is a manual one, so
//! that a test moves time instead of sleeping.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use dukao::config::Config;
use dukao::http::AppState;
use dukao::model::TableName;
use dukao::org::Org;
use dukao::people::{self, Actor, NewToken, NewUser, Scope};
use dukao::store::Store;
use dukao::time::Clock;
use dukao::vocab::Role;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::TestStore;

/// Where the clock of every test service starts: 2026-02-01 09:00 in
/// Beijing, early in the year after the demo's last full year, so that a
/// test reads the same whatever day it runs.
pub const START: i64 = 1_769_907_600_000;

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery";

/// Who a request is sent as.
#[derive(Debug, Clone)]
pub enum As {
    /// No credentials.
    Nobody,
    /// `Authorization: Bearer …`.
    Token(String),
    /// A session cookie and its CSRF token.
    Session {
        /// The cookie's value.
        secret: String,
        /// The CSRF token.
        csrf: String,
    },
    /// A session cookie without echoing its CSRF token.
    SessionWithoutCsrf(String),
}

/// An answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Answer {
    /// The body as JSON (`null` if it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes).unwrap_or(serde_json::Value::Null)
    }

    /// The body as text, for messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// The service over a test store.
pub struct Client {
    pub router: Router,
    pub store: Store,
    pub clock: Clock,
    config: Config,
    /// The service's state (its background recomputations).
    pub state: AppState,
}

impl Client {
    /// The service with the default configuration.
    pub fn new(ts: &TestStore) -> Client {
        Client::with_config(ts, Config::default())
    }

    /// The service with a configuration of the test's.
    pub fn with_config(ts: &TestStore, config: Config) -> Client {
        let clock = Clock::manual(START);
        let state = AppState::with_clock(ts.store.clone(), config.clone(), clock.clone());
        Client {
            router: dukao::web::router(state.clone()),
            store: ts.store.clone(),
            clock,
            config,
            state,
        }
    }

    async fn org(&self) -> Org {
        Org::load(
            &self.store,
            &self.config.profiles().unwrap(),
            &self.config.default_profile,
        )
        .await
        .unwrap()
    }

    /// A new API token's secret.
    pub async fn token(&self, role: Role, scope: Scope, tables: &[TableName]) -> As {
        let n = people::list_tokens(&self.store).await.unwrap().len();
        let token = NewToken {
            name: format!("{role}-{n}"),
            role,
            scope,
            tables: tables.to_vec(),
            expires_at: None,
        };
        let (_, secret) = people::add_token(&self.store, &self.org().await, &token, TEST)
            .await
            .unwrap();
        As::Token(secret)
    }

    /// Creates a user with [`PASSWORD`].
    pub async fn user(&self, login: &str, name: &str, role: Role, scope: Scope) {
        let user = NewUser {
            login: login.into(),
            name: name.into(),
            role,
            scope,
            password: PASSWORD.into(),
        };
        people::add_user(&self.store, &self.org().await, &user, TEST)
            .await
            .unwrap();
    }

    /// Signs in over HTTP; panics unless it succeeds.
    pub async fn sign_in(&self, login: &str, password: &str) -> As {
        let answer = self.sign_in_answer(login, password).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let cookie = answer.headers["set-cookie"].to_str().unwrap().to_string();
        let secret = cookie
            .split(';')
            .next()
            .and_then(|kv| kv.strip_prefix("dukao_session="))
            .unwrap()
            .to_string();
        let csrf = answer.json()["csrf"].as_str().unwrap().to_string();
        As::Session { secret, csrf }
    }

    /// The answer to a sign-in.
    pub async fn sign_in_answer(&self, login: &str, password: &str) -> Answer {
        let body = serde_json::json!({ "login": login, "password": password });
        self.send(Method::POST, "/api/v1/session", &As::Nobody, Some(body))
            .await
    }

    /// Sends a request with a JSON body (or none).
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        who: &As,
        json: Option<serde_json::Value>,
    ) -> Answer {
        let body = json.map_or_else(Body::empty, |j| Body::from(j.to_string()));
        self.raw(method, uri, who, "application/json", body).await
    }

    /// Sends a request with any body and content type.
    pub async fn raw(
        &self,
        method: Method,
        uri: &str,
        who: &As,
        content_type: &str,
        body: Body,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", content_type);
        match who {
            As::Nobody => {}
            As::Token(secret) => {
                request = request.header("authorization", format!("Bearer {secret}"));
            }
            As::Session { secret, csrf } => {
                request = request
                    .header("cookie", format!("dukao_session={secret}"))
                    .header("x-csrf-token", csrf.as_str());
            }
            As::SessionWithoutCsrf(secret) => {
                request = request.header("cookie", format!("dukao_session={secret}"));
            }
        }
        self.request(request.body(body).unwrap()).await
    }

    /// Sends a prepared request.
    pub async fn request(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Answer {
            status,
            headers,
            bytes,
        }
    }

    /// GET as someone: status and JSON.
    /// A GET; a result still being computed (202) is asked again once the
    /// service's background computations have settled.
    pub async fn get(&self, who: &As, uri: &str) -> (StatusCode, serde_json::Value) {
        let answer = self.send(Method::GET, uri, who, None).await;
        if answer.status == StatusCode::ACCEPTED {
            self.state.results.settled().await;
            let again = self.send(Method::GET, uri, who, None).await;
            return (again.status, again.json());
        }
        (answer.status, answer.json())
    }

    /// A GET answered as it comes (202 included).
    pub async fn get_once(&self, who: &As, uri: &str) -> Answer {
        self.send(Method::GET, uri, who, None).await
    }
}

const TEST: Actor<'static> = Actor {
    name: "测试管理员"
};
