//! The browser's way in: the sign-in page (double-submit CSRF), the start
//! page (escaped, cut to the role), signing out with the session's CSRF
//! token, and the security headers every page carries.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use dukao::people::Scope;
use dukao::vocab::Role;

use crate::both_backends;
use crate::client::{Answer, As, Client, PASSWORD};
use crate::common::TestStore;

fn form(uri: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    let mut request = Request::builder().method(Method::GET).uri(uri);
    if !cookie.is_empty() {
        request = request.header("cookie", cookie);
    }
    request.body(Body::empty()).unwrap()
}

/// The value of a `Set-Cookie` named `name` in an answer.
fn set_cookie(answer: &Answer, name: &str) -> Option<String> {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// The hidden `csrf` field of a page's form.
fn csrf_field(answer: &Answer) -> String {
    let text = answer.text();
    let at = text.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    text[at..at + text[at..].find('"').unwrap()].to_string()
}

async fn signing_in_and_out(ts: &TestStore) {
    let client = Client::new(ts);
    client
        .user("wang", "王<b>明</b>", Role::Leader, Scope::City)
        .await;

    // The page and its headers.
    let page = client.request(get("/login", "")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let text = page.text();
    assert!(
        text.contains("<label for=\"login\">登录名</label>"),
        "{text}"
    );
    assert!(text.contains("<label for=\"password\">密码</label>"));
    assert!(!text.contains("<script"), "no script at all");
    let token = set_cookie(&page, "dukao_signin").expect("the double-submit cookie");
    assert_eq!(csrf_field(&page), token);
    let css = client.request(get("/static/dukao.css", "")).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");

    // Without the matching token the form is refused; a wrong password
    // shows the form again without saying which was wrong.
    let cookie = format!("dukao_signin={token}");
    let body = |csrf: &str, password: &str| format!("login=wang&password={password}&csrf={csrf}");
    let forged = client
        .request(form("/login", "", &body(&token, PASSWORD)))
        .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "no cookie, no sign-in"
    );
    let forged = client
        .request(form("/login", &cookie, &body("other", PASSWORD)))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = client
        .request(form("/login", &cookie, &body(&token, "not+the+password")))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.text().contains("登录名或密码错误"),
        "{}",
        wrong.text()
    );
    assert!(wrong.text().contains("value=\"wang\""), "the login is kept");

    // Signing in: a session cookie and the start page.
    let signed = client
        .request(form(
            "/login",
            &cookie,
            &body(&token, &PASSWORD.replace(' ', "+")),
        ))
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());
    assert_eq!(signed.headers["location"], "/");
    let session = set_cookie(&signed, "dukao_session").expect("a session cookie");
    let session_cookie = format!("dukao_session={session}");
    let start = client.request(get("/", &session_cookie)).await;
    assert_eq!(start.status, StatusCode::OK);
    let text = start.text();
    assert!(
        text.contains("王&lt;b&gt;明&lt;/b&gt;"),
        "names are escaped: {text}"
    );
    assert!(!text.contains("<b>明"), "{text}");
    assert!(text.contains("全市") && text.contains("领导"), "{text}");
    assert!(
        text.contains("冻结年度评估"),
        "a city leader freezes: {text}"
    );
    assert!(
        !text.contains("签发文书"),
        "a leader does not issue: {text}"
    );
    // The same session works for the API (GET needs no CSRF header).
    let (status, me) = client
        .get(&As::SessionWithoutCsrf(session.clone()), "/api/v1/session")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["login"], "wang");

    // Signing out needs the session's token, and ends the session.
    let refused = client
        .request(form("/logout", &session_cookie, "csrf=forged"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let csrf = csrf_field(&start);
    let out = client
        .request(form("/logout", &session_cookie, &format!("csrf={csrf}")))
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.headers["location"], "/login");
    let after = client.request(get("/", &session_cookie)).await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "signed out server-side"
    );
    assert_eq!(after.headers["location"], "/login");
}
both_backends!(signing_in_and_out_in_a_browser, signing_in_and_out);
