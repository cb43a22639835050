//! The browser's way in: the sign-in page (double-submit CSRF), the start
//! page (escaped, cut to the role), signing out with the session's CSRF
//! token, and the security headers every page carries.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use dukao::people::Scope;
use dukao::vocab::Role;
use sqlx::Row;

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

/// 总览 and its drill-down, read from stored results: a leader drills from
/// a failing cell to exactly its records and their CSV; a county leader
/// reaches its own county only.
async fn the_overview_drills_down_to_the_records(ts: &TestStore) {
    let crate::access::DemoService {
        client,
        xinchuan,
        org,
        ..
    } = crate::access::demo_service(ts).await;
    client.user("lc", "李领导", Role::Leader, Scope::City).await;
    client
        .user(
            "lx",
            "县领导",
            Role::Leader,
            Scope::Jurisdiction(xinchuan.clone()),
        )
        .await;
    client.user("ac", "管理员", Role::Admin, Scope::City).await;
    let leader = client.sign_in("lc", PASSWORD).await;
    let uri = "/overview?year=2025&as_of=2025-12-31";

    // Not computed yet: the page says so and reloads itself.
    let waiting = client.get_once(&leader, uri).await;
    assert_eq!(waiting.status, StatusCode::OK);
    assert!(waiting.text().contains("正在计算"), "{}", waiting.text());
    assert!(waiting.text().contains("http-equiv=\"refresh\""));
    client.state.results.settled().await;

    let page = client.get_once(&leader, uri).await;
    let html = page.text();
    assert_eq!(page.status, StatusCode::OK, "{html}");
    assert!(html.contains("2025年政务数据共享总览"));
    assert!(
        html.contains("数据截至 2025年12月31日 23:59"),
        "the basis is stated"
    );
    assert!(html.contains("评估方案"), "the scheme is named");
    // (the previous year's figures were asked for too; once computed, the
    // change shows)
    client.state.results.settled().await;
    let page = client.get_once(&leader, uri).await;
    let html = page.text();
    assert!(html.contains("较上年"), "{html}");
    assert!(
        html.contains("个百分点"),
        "the change from 2024 is shown: {html}"
    );
    for word in ["主要监测指标", "部门 × 指标", "区县", "定时任务"] {
        assert!(html.contains(word), "{word}");
    }
    // The charts are images of the page's own, drawn for the viewer's
    // reach (the page loads nothing from elsewhere).
    let images: Vec<String> = html
        .split("<img src=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|src| src.replace("&amp;", "&"))
        .collect();
    assert!(
        images
            .iter()
            .all(|src| src.starts_with("/overview/chart.svg?year=2025")),
        "{images:?}"
    );
    let chart = images
        .iter()
        .find(|src| src.contains("chart=departments"))
        .expect("the departments' chart")
        .clone();
    let svg = client.get_once(&leader, &chart).await;
    assert_eq!(svg.status, StatusCode::OK, "{}", svg.text());
    assert_eq!(svg.headers["content-type"], "image/svg+xml");
    assert!(svg.text().starts_with("<svg"), "{}", svg.text());
    let unknown_chart = client
        .get_once(&leader, &chart.replace("departments", "weather"))
        .await;
    assert_eq!(unknown_chart.status, StatusCode::NOT_FOUND);
    // Each check's trend: a line per check in the headline (labelled with
    // the months' rates), a chart of all checks by month, and its figures
    // as a table.
    assert!(html.contains("各月趋势"), "{html}");
    let sparklines = html
        .matches("<span class=\"spark\" role=\"img\" aria-label=\"各月达标率：")
        .count();
    assert!(sparklines > 0, "{html}");
    assert!(html.contains("各月达标率数据"));
    let trend = images
        .iter()
        .find(|src| src.ends_with("chart=trend"))
        .expect("the trend chart");
    let trend_svg = client.get_once(&leader, trend).await;
    assert_eq!(trend_svg.status, StatusCode::OK, "{}", trend_svg.text());
    assert!(
        trend_svg.text().contains("达标率") && trend_svg.text().contains("共享审批"),
        "{}",
        trend_svg.text()
    );
    // The months are counted from the same items as the year: no month
    // holds more than the year, and the months hold most of it.
    let summary: serde_json::Value = serde_json::from_slice(
        &client
            .get_once(&leader, "/api/v1/metrics?year=2025&as_of=2025-12-31")
            .await
            .bytes,
    )
    .unwrap();
    let department_items = |array: &str, check: &str| -> i64 {
        summary[array]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["level"] == "department" && r["check"] == check)
            .map(|r| r["items"].as_i64().unwrap())
            .sum()
    };
    let (year, months) = (
        department_items("checks", "approvals"),
        department_items("months", "approvals"),
    );
    assert!(months > 0 && months <= year, "{months} of {year}");
    // The approvals' stages, each with its own rate and change.
    for stage in ["其中：共享申请符合性审查", "其中：共享申请答复"] {
        assert!(html.contains(stage), "{stage}: {html}");
    }
    // A failing cell says so in shape and word, and links to its records.
    let link = html
        .split("<td class=\"bad\"><a href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the demo has a failing cell")
        .replace("&amp;", "&");
    assert!(
        link.starts_with("/overview/records?year=2025&as_of=2025-12-31&unit="),
        "{link}"
    );
    let records = client.get_once(&leader, &link).await;
    let records_html = records.text();
    assert_eq!(records.status, StatusCode::OK, "{records_html}");
    assert!(records_html.contains("扣分记录"));
    let rows = records_html.matches("<tr><th scope=\"row\">").count();
    assert!(rows > 0, "{records_html}");
    // The CSV holds exactly those records.
    let csv = client
        .get_once(&leader, &format!("{link}&format=csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text();
    assert!(text.starts_with("\u{feff}记录编号,"), "{text}");
    assert_eq!(text.lines().count(), rows + 1, "{text}");
    // Sorted by a column's header: most days late first, said in the
    // caption and marked for screen readers; the CSV follows the order.
    let late = client.get_once(&leader, &format!("{link}&sort=late")).await;
    let late_html = late.text();
    assert_eq!(late.status, StatusCode::OK, "{late_html}");
    assert!(
        late_html.contains("按逾期工作日排序") && late_html.contains("aria-sort=\"descending\"")
    );
    let late_csv = client
        .get_once(&leader, &format!("{link}&sort=late&format=csv"))
        .await
        .text();
    let days: Vec<i64> = late_csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(6).unwrap_or("").parse().unwrap_or(-1))
        .collect();
    assert_eq!(days.len(), rows);
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "{days:?}");
    assert_eq!(
        client
            .get_once(&leader, &format!("{link}&sort=colour"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // A page past the last is not found.
    assert_eq!(
        client
            .get_once(&leader, &format!("{link}&page=9"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let unit = link
        .split("unit=")
        .nth(1)
        .and_then(|u| u.split('&').next())
        .unwrap()
        .to_string();

    // A department's own page: its indicators link to the same records.
    let own = client
        .get_once(
            &leader,
            &format!("/overview/unit?year=2025&as_of=2025-12-31&unit={unit}"),
        )
        .await;
    let own_html = own.text();
    assert_eq!(own.status, StatusCode::OK, "{own_html}");
    for word in ["得分", "指标", "扣分项", "整改案件", "文书"] {
        assert!(own_html.contains(word), "{word}");
    }
    assert!(own_html.contains(&link.replace('&', "&amp;")), "{own_html}");
    // Its own trend, drawn from its own rows.
    let own_trend =
        format!("/overview/chart.svg?year=2025&as_of=2025-12-31&chart=trend&unit={unit}");
    assert!(
        own_html.contains(&own_trend.replace('&', "&amp;")),
        "{own_html}"
    );
    let own_svg = client.get_once(&leader, &own_trend).await;
    assert_eq!(own_svg.status, StatusCode::OK, "{}", own_svg.text());
    assert_eq!(own_svg.headers["content-type"], "image/svg+xml");

    // 总览 and the department's page, printed: A4 PDFs by the documents'
    // engine, with the same basis line and the page's figures.
    let printed = client.get_once(&leader, &format!("{uri}&format=pdf")).await;
    assert_eq!(printed.status, StatusCode::OK, "{}", printed.text());
    assert_eq!(printed.headers["content-type"], "application/pdf");
    assert!(crate::pdf_inspect::all_a4(&printed.bytes));
    let text = crate::pdf_inspect::squeeze(&crate::pdf_inspect::text(&printed.bytes));
    for words in [
        "2025年政务数据共享总览",
        "数据截至2025年12月31日23:59",
        "主要监测指标",
        "其中：共享申请答复",
        "各监测项按月达标率",
        "部门得分分布",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    let unit_pdf = client
        .get_once(
            &leader,
            &format!("/overview/unit?year=2025&as_of=2025-12-31&unit={unit}&format=pdf"),
        )
        .await;
    assert_eq!(unit_pdf.status, StatusCode::OK, "{}", unit_pdf.text());
    let unit_text = crate::pdf_inspect::squeeze(&crate::pdf_inspect::text(&unit_pdf.bytes));
    for words in ["部门评估", "指标", "扣分项", "整改案件"] {
        assert!(unit_text.contains(words), "{words}: {unit_text}");
    }
    let unknown = client.get_once(&leader, &format!("{uri}&format=xls")).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    // 区县: the counties table links to each county's page — its score and
    // its departments' matrix — which prints too.
    let county_uri = format!("/overview/unit?year=2025&as_of=2025-12-31&unit={xinchuan}");
    assert!(html.contains(&county_uri.replace('&', "&amp;")), "{html}");
    let county_page = client.get_once(&leader, &county_uri).await;
    let county_html = county_page.text();
    assert_eq!(county_page.status, StatusCode::OK, "{county_html}");
    assert!(county_html.contains(&org.jurisdictions[&xinchuan].name));
    assert!(county_html.contains("参评部门") && county_html.contains("部门 × 指标"));
    assert!(county_html.contains("各月趋势"), "{county_html}");
    let county_trend = client
        .get_once(
            &leader,
            &format!("/overview/chart.svg?year=2025&as_of=2025-12-31&chart=trend&unit={xinchuan}"),
        )
        .await;
    assert_eq!(
        county_trend.status,
        StatusCode::OK,
        "{}",
        county_trend.text()
    );
    let county_pdf = client
        .get_once(&leader, &format!("{county_uri}&format=pdf"))
        .await;
    assert_eq!(county_pdf.status, StatusCode::OK);
    assert!(
        crate::pdf_inspect::squeeze(&crate::pdf_inspect::text(&county_pdf.bytes))
            .contains("区县评估")
    );

    // The county's leader: its own county's departments only; another's
    // records are not found.
    let county = client.sign_in("lx", PASSWORD).await;
    let theirs = client.get_once(&county, uri).await.text();
    assert!(theirs.contains("部门 × 指标"));
    assert!(
        theirs.matches("<tr><th scope=\"row\">").count()
            < html.matches("<tr><th scope=\"row\">").count()
    );
    assert!(!theirs.contains("定时任务"), "the jobs are the city's");
    // Its own county's page, and no other's.
    assert_eq!(
        client.get_once(&county, &county_uri).await.status,
        StatusCode::OK
    );
    let other = org
        .jurisdictions
        .values()
        .find(|j| !j.is_root() && j.id != xinchuan)
        .expect("the demo has another district or zone");
    let elsewhere = client
        .get_once(
            &county,
            &format!(
                "/overview/unit?year=2025&as_of=2025-12-31&unit={}",
                other.id
            ),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    let elsewhere_trend = client
        .get_once(
            &county,
            &format!(
                "/overview/chart.svg?year=2025&as_of=2025-12-31&chart=trend&unit={}",
                other.id
            ),
        )
        .await;
    assert_eq!(elsewhere_trend.status, StatusCode::NOT_FOUND);
    if org.departments[&unit].jurisdiction_id != xinchuan {
        let refused = client.get_once(&county, &link).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text());
    }
    // An admin has no evaluation to read; nobody is sent to sign in.
    let admin = client.sign_in("ac", PASSWORD).await;
    assert_eq!(
        client.get_once(&admin, uri).await.status,
        StatusCode::FORBIDDEN
    );
    let nobody = client.get_once(&As::Nobody, uri).await;
    assert_eq!(nobody.status, StatusCode::SEE_OTHER);
    assert_eq!(nobody.headers["location"], "/login");
}
both_backends!(overview_, the_overview_drills_down_to_the_records);

/// The case pages' forms: a form of another session is refused; a step
/// taken on an outdated page is refused with the case shown again and the
/// reason; a form the state does not allow is not offered; errors are
/// pages, not JSON.
async fn case_forms_are_checked(ts: &TestStore) {
    let crate::access::DemoService { client, .. } = crate::access::demo_service(ts).await;
    let (c, _) = crate::documents::city_departments_with_findings(&ts.store).await[0].clone();
    client
        .user("ic", "王督查", Role::Inspector, Scope::City)
        .await;
    client
        .user(
            "dc",
            "部门联络员",
            Role::Department,
            Scope::Department(c.clone()),
        )
        .await;
    let inspector = client.sign_in("ic", PASSWORD).await;
    let As::Session { secret, csrf } = &inspector else {
        unreachable!("a person signs in with a session")
    };
    let cookie = format!("dukao_session={secret}");

    // Opening from the form: 303 to the case, which offers the notice.
    let opened = client
        .request(form(
            "/cases",
            &cookie,
            &format!("csrf={csrf}&department_id={c}&year=2025"),
        ))
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.text());
    let location = opened.headers["location"].to_str().unwrap().to_string();
    assert!(location.ends_with("?done=opened"), "{location}");
    let id: i64 = location
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let shown = client.request(get(&location, &cookie)).await;
    let html = shown.text();
    assert_eq!(shown.status, StatusCode::OK, "{html}");
    assert!(html.contains(&format!("action=\"/cases/{id}/notice\"")));
    assert!(html.contains("notice-draft.pdf"));
    assert!(
        !html.contains("/verification\""),
        "nothing to verify before a response"
    );

    // Another session's token: refused, nothing changes.
    let forged = client
        .request(form(
            &format!("/cases/{id}/notice"),
            &cookie,
            "csrf=not-the-token&version=1",
        ))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.text().contains("表单已失效"));
    // An outdated page: 412, the case shown again with the reason.
    let stale = client
        .request(form(
            &format!("/cases/{id}/notice"),
            &cookie,
            &format!("csrf={csrf}&version=7"),
        ))
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let stale_html = stale.text();
    assert!(stale_html.contains("内容已被他人修改"), "{stale_html}");
    assert!(stale_html.contains(&format!("整改案件 第 {id} 号")));
    // The real one.
    let issued = client
        .request(form(
            &format!("/cases/{id}/notice"),
            &cookie,
            &format!("csrf={csrf}&version=1"),
        ))
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.text());
    let (_, case) = client.get(&inspector, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["state"], "notified");
    assert_eq!(case["version"], 2);
    // A second notice is not offered, and refused if sent (409, as a page).
    let again = client
        .request(form(
            &format!("/cases/{id}/notice"),
            &cookie,
            &format!("csrf={csrf}&version=2"),
        ))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.text().contains("无法办理"));
    assert!(
        !again
            .text()
            .contains(&format!("action=\"/cases/{id}/notice\""))
    );

    // The department answers with a file of the wrong type: refused (415)
    // before the response is recorded.
    let department = client.sign_in("dc", PASSWORD).await;
    let As::Session {
        secret: d_secret,
        csrf: d_csrf,
    } = &department
    else {
        unreachable!("a person signs in with a session")
    };
    let boundary = "b0undary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{d_csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n2\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n已整改\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.exe\"\r\n\
         Content-Type: application/octet-stream\r\n\r\nMZ\r\n--{boundary}--\r\n"
    );
    let refused = client
        .request(
            Request::builder()
                .method(Method::POST)
                .uri(format!("/cases/{id}/response"))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header("cookie", format!("dukao_session={d_secret}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        refused.text()
    );
    let (_, case) = client.get(&inspector, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["state"], "notified", "no response was recorded");

    // Errors of pages are pages: a case that does not exist.
    let missing = client.request(get("/cases/999999", &cookie)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.headers["content-type"], "text/html; charset=utf-8");
    assert!(missing.text().contains("未找到"));
}
both_backends!(case_forms, case_forms_are_checked);

/// Every `csrf` value a page carries (the sign-out form's and any other
/// form's).
fn csrf_values(html: &str) -> Vec<String> {
    html.split("name=\"csrf\" value=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .collect()
}

/// Pages are kept once rendered and answered from memory while nothing
/// they rest on changed: a change the store's markers do not see (written
/// here behind dukao's back) is not shown, the next marked change shows
/// everything; a kept page with a form carries each viewer's own CSRF
/// token; a county's viewer is never answered a city viewer's page.
async fn pages_are_kept_until_what_they_rest_on_changes(ts: &TestStore) {
    let crate::access::DemoService {
        client, xinchuan, ..
    } = crate::access::demo_service(ts).await;
    let (c, _) = crate::documents::city_departments_with_findings(&ts.store).await[0].clone();
    client
        .user("ia", "甲督查", Role::Inspector, Scope::City)
        .await;
    client
        .user("ib", "乙督查", Role::Inspector, Scope::City)
        .await;
    client.user("lc", "市领导", Role::Leader, Scope::City).await;
    client
        .user(
            "lx",
            "县领导",
            Role::Leader,
            Scope::Jurisdiction(xinchuan.clone()),
        )
        .await;
    let a = client.sign_in("ia", PASSWORD).await;
    let b = client.sign_in("ib", PASSWORD).await;
    let overview = "/overview?year=2025&as_of=2025-12-31";
    client.get_once(&a, overview).await;
    client.state.results.settled().await;
    client.get_once(&a, overview).await;
    client.state.results.settled().await;

    // One department's page, with its 立案督办 form, for two inspectors:
    // the same page, each with their own token in every form.
    let unit = format!("/overview/unit?year=2025&as_of=2025-12-31&unit={c}");
    let first = client.get_once(&a, &unit).await.text();
    let second = client.get_once(&b, &unit).await.text();
    assert!(first.contains("立案督办"), "{first}");
    assert!(!second.contains("dukao-csrf-slot"), "{second}");
    for (html, who) in [(&first, &a), (&second, &b)] {
        let As::Session { csrf, .. } = who else {
            unreachable!("a person signs in with a session")
        };
        let tokens = csrf_values(html);
        assert_eq!(tokens.len(), 2, "the sign-out form and 立案督办: {html}");
        assert!(tokens.iter().all(|t| t == csrf), "{tokens:?} vs {csrf}");
    }

    // The cases list, kept; a case opened through dukao shows at once.
    let opened = client
        .send(
            Method::POST,
            "/api/v1/cases",
            &a,
            Some(serde_json::json!({"department_id": c, "year": 2025})),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text());
    let id = opened.json()["id"].as_i64().unwrap();
    let list = client.get_once(&a, "/cases").await.text();
    assert!(list.contains(&format!("第 {id} 号")), "{list}");
    assert!(list.contains("已立案"), "{list}");
    // Behind dukao's back (no data version, no audit entry): the kept
    // page does not see it…
    sqlx::query("UPDATE cases SET state = 'dismissed' WHERE id = $1")
        .bind(id)
        .execute(ts.store.pool())
        .await
        .unwrap();
    let kept = client.get_once(&a, "/cases").await.text();
    assert_eq!(kept, list, "answered from memory");
    // …and the next change dukao marks shows everything.
    let mut tx = ts.store.begin().await.unwrap();
    dukao::results::version::bump(&mut tx, "test", 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let renewed = client.get_once(&a, "/cases").await.text();
    assert!(renewed.contains("已撤销"), "{renewed}");

    // 公文, kept too: a notice issued through its case shows at once.
    let none = client.get_once(&a, "/documents").await.text();
    assert!(none.contains("共 0 份"), "{none}");
    let manual = client
        .send(
            Method::POST,
            "/api/v1/cases",
            &a,
            Some(
                serde_json::json!({"department_id": c, "year": 2026, "findings": [],
                "manual": [{"category": "other", "evidence": "现场检查记录"}]}),
            ),
        )
        .await;
    assert_eq!(manual.status, StatusCode::CREATED, "{}", manual.text());
    let second_case = manual.json()["id"].as_i64().unwrap();
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/cases/{second_case}/notice"))
        .header("content-type", "application/json")
        .header("if-match", format!("\"case-{second_case}-v1\""));
    let request = crate::cases::authenticate(request, &a)
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let issued = client.request(request).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.text());
    let shown = client.get_once(&a, "/documents").await.text();
    assert!(
        shown.contains("共 1 份") && shown.contains("整改通知书"),
        "{shown}"
    );

    // 总览 for the city and for a county: two pages, neither the other's.
    let leader = client.sign_in("lc", PASSWORD).await;
    let county = client.sign_in("lx", PASSWORD).await;
    // The lists filter by county: the city's case is not 新川县's; a county
    // out of reach, or none such, is not found.
    let all = client.get_once(&leader, "/cases").await.text();
    assert!(all.contains(&format!("第 {id} 号")), "{all}");
    assert!(all.contains("<select id=\"county\""), "{all}");
    let in_county = client
        .get_once(&leader, &format!("/cases?county={xinchuan}"))
        .await;
    assert_eq!(in_county.status, StatusCode::OK);
    assert!(!in_county.text().contains(&format!("第 {id} 号")));
    let documents = client
        .get_once(&leader, &format!("/documents?county={xinchuan}"))
        .await;
    assert_eq!(documents.status, StatusCode::OK);
    let work = client
        .get_once(&leader, &format!("/work?county={xinchuan}"))
        .await;
    assert_eq!(work.status, StatusCode::OK, "{}", work.text());
    assert!(work.text().contains("<select id=\"county\""));
    for (who, uri) in [
        (&leader, "/cases?county=NO-SUCH".to_string()),
        (&leader, "/documents?county=NO-SUCH".to_string()),
        (&leader, "/work?county=NO-SUCH".to_string()),
        (&leader, "/documents?department=NO-SUCH".to_string()),
    ] {
        assert_eq!(
            client.get_once(who, &uri).await.status,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
    // …and by the category of the findings a case holds (in the store
    // query). A filter form's blank fields are no filter.
    // (Detected findings, and the inspections' the case took.)
    let held: Vec<String> = sqlx::query(
        "SELECT f.category FROM detected_findings f \
         JOIN case_findings cf ON cf.finding_key = f.key WHERE cf.case_id = $1 \
         UNION SELECT i.category FROM findings i \
         JOIN case_findings cf ON cf.finding_key = 'inspection:' || i.id WHERE cf.case_id = $1",
    )
    .bind(id)
    .fetch_all(ts.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get(0).unwrap())
    .collect();
    let category = held.first().expect("the case holds detected findings");
    let of_category = client
        .get_once(&leader, &format!("/cases?category={category}"))
        .await
        .text();
    assert!(
        of_category.contains(&format!("第 {id} 号")),
        "{of_category}"
    );
    let other = dukao::vocab::CategoryCode::ALL
        .into_iter()
        .find(|c| !held.iter().any(|h| h == c.as_str()))
        .expect("a category the case does not hold");
    let not_of = client
        .get_once(&leader, &format!("/cases?category={}", other.as_str()))
        .await
        .text();
    assert!(!not_of.contains(&format!("第 {id} 号")), "{not_of}");
    let blank = client
        .get_once(
            &leader,
            "/cases?year=&state=&county=&category=&department=&sort=newest",
        )
        .await;
    assert_eq!(blank.status, StatusCode::OK, "{}", blank.text());
    assert!(blank.text().contains(&format!("第 {id} 号")));
    for uri in [
        "/documents?q=&kind=&county=&department=&year=".to_string(),
        format!("/documents?department={c}"),
    ] {
        let answer = client.get_once(&leader, &uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text());
    }
    assert_eq!(
        client
            .get_once(&county, &format!("/documents?department={c}"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "a department outside the county's reach"
    );
    let city_root: String = sqlx::query("SELECT id FROM jurisdictions WHERE parent_id IS NULL")
        .fetch_one(ts.store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(
        client
            .get_once(&county, &format!("/cases?county={city_root}"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "a county leader does not reach the city"
    );
    let city_page = client.get_once(&leader, overview).await.text();
    let county_page = client.get_once(&county, overview).await.text();
    assert!(city_page.contains("定时任务"));
    assert!(!county_page.contains("定时任务"), "the jobs are the city's");
    // The cases of the year as they stand today, each in its viewer's
    // reach: the city's dismissed case is not the county's.
    assert!(
        city_page.contains("<th scope=\"row\">已撤销</th><td>1</td>"),
        "{city_page}"
    );
    assert!(county_page.contains("<th scope=\"row\">已撤销</th><td>0</td>"));
    assert_ne!(
        city_page.matches("<tr><th scope=\"row\">").count(),
        county_page.matches("<tr><th scope=\"row\">").count()
    );
    // Sorted by score: the matrix says so and marks the column.
    let sorted = client
        .get_once(&leader, &format!("{overview}&sort=score"))
        .await
        .text();
    assert!(sorted.contains("按得分从高到低排列"), "{sorted}");
    assert!(sorted.contains("aria-sort=\"descending\""));
    let scores: Vec<f64> = sorted
        .split("<table class=\"matrix\">")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap()
        .split("</th><td>")
        .skip(1)
        .filter_map(|cell| cell.split('<').next()?.parse().ok())
        .collect();
    assert!(scores.len() > 2, "{sorted}");
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    let refused = client
        .get_once(&leader, &format!("{overview}&sort=colour"))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
}
both_backends!(kept_pages, pages_are_kept_until_what_they_rest_on_changes);
