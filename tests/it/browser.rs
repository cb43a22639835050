//! End to end in a real browser (headless Chromium through WebDriver): the
//! service listens on loopback and people use it as they would — a leader
//! drills from a failing cell of 总览 to its records and their CSV; a
//! county leader cannot reach another county's department; an inspector
//! opens a case from the department's page, previews and issues the
//! notice; the department signs in, sees it and responds with a file; the
//! inspector accepts and the case closes.
//!
//! Set `DUKAO_SCREENSHOTS=folder` to keep screenshots of every page at
//! 1366×768 and at a phone's width.

use dukao::people::Scope;
use dukao::vocab::Role;

use crate::both_backends;
use crate::client::{Client, PASSWORD};
use crate::common::TestStore;
use crate::webdriver::Browser;

/// Serves the client's router on a free loopback port; its base URL.
async fn serve(client: &Client) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = client.router.clone();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{address}")
}

/// Signs the browser in as `login` through the sign-in page.
async fn sign_in(b: &Browser, base: &str, login: &str) {
    b.goto(&format!("{base}/login")).await;
    b.clear_cookies().await;
    b.goto(&format!("{base}/login")).await;
    b.type_in(&b.find("#login").await, login).await;
    b.type_in(&b.find("#password").await, PASSWORD).await;
    b.click(&b.find("form[action=\"/login\"] button").await)
        .await;
    b.find("form.signout").await;
    let start = b.source().await;
    assert!(start.contains("您好"), "{login} is signed in: {start}");
}

/// Signs the browser in as `login` with the keyboard only: the login
/// field, Tab to the password, Enter submits; then Tab from the page's
/// start reaches the header's links in order, and Enter follows one.
async fn sign_in_by_keyboard(b: &Browser, base: &str, login: &str) {
    use crate::webdriver::{ENTER, TAB};
    b.goto(&format!("{base}/login")).await;
    b.clear_cookies().await;
    b.goto(&format!("{base}/login")).await;
    let field = b.find("#login").await;
    b.press(&field, &format!("{login}{TAB}")).await;
    let focused = b.active().await;
    assert_eq!(
        b.property(&focused, "id").await,
        "password",
        "Tab goes to the password"
    );
    b.press(&focused, &format!("{PASSWORD}{ENTER}")).await;
    b.find("form.signout").await;
    assert!(
        b.source().await.contains("您好"),
        "{login} is signed in by keyboard"
    );
    // From the start page, Tab walks the header's links in order: 首页,
    // then 总览, which Enter follows.
    let mut focused = b.find("header.bar a").await;
    let mut walked = vec![b.text(&focused).await];
    while walked.len() < 6 && walked.last().map(String::as_str) != Some("总览") {
        b.press(&focused, TAB).await;
        focused = b.active().await;
        walked.push(b.text(&focused).await);
    }
    assert_eq!(walked, ["首页", "总览"]);
    b.press(&focused, ENTER).await;
    assert!(
        b.url().await.contains("/overview"),
        "Enter follows the link"
    );
}

/// Every form field of a page has its label: a `<label for>` naming its
/// id, or a `<label>` around it (hidden fields and buttons aside).
fn assert_labelled(name: &str, html: &str) {
    for tag in ["<input", "<select", "<textarea"] {
        for (at, _) in html.match_indices(tag) {
            let end = at + html[at..].find('>').unwrap();
            let element = &html[at..end];
            if element.contains("type=\"hidden\"") || element.contains("type=\"submit\"") {
                continue;
            }
            let id = element
                .split("id=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next());
            let labelled = match id {
                Some(id) => html.contains(&format!("<label for=\"{id}\"")),
                None => {
                    let before = &html[..at];
                    before.rfind("<label").unwrap_or(0) > before.rfind("</label>").unwrap_or(0)
                }
            };
            assert!(labelled, "{name}: a field without its label: {element}>");
        }
    }
}

/// Looks at the page shown: its screenshots kept (1366×768 and a phone,
/// when asked for), and every field labelled.
async fn look(b: &Browser, name: &str) {
    assert_labelled(name, &b.source().await);
    b.keep_screenshots(name).await;
}

/// A GET with the browser's session cookie, through the service directly
/// (what a download link fetches).
async fn fetch_as(client: &Client, b: &Browser, url: &str) -> crate::client::Answer {
    let cookie = b.cookie("dukao_session").await.expect("signed in");
    let path = url
        .find("://")
        .and_then(|at| url[at + 3..].find('/').map(|p| &url[at + 3 + p..]))
        .unwrap_or(url);
    client
        .request(
            axum::http::Request::builder()
                .uri(path)
                .header("cookie", format!("dukao_session={cookie}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
}

async fn people_use_it_in_a_browser(ts: &TestStore) {
    let crate::access::DemoService {
        client,
        xinchuan,
        org,
        ..
    } = crate::access::demo_service(ts).await;
    let (c, c_name) = crate::documents::city_departments_with_findings(&ts.store).await[0].clone();
    client.user("lc", "李领导", Role::Leader, Scope::City).await;
    client
        .user(
            "lx",
            "县领导",
            Role::Leader,
            Scope::Jurisdiction(xinchuan.clone()),
        )
        .await;
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
    let base = serve(&client).await;
    let b = Browser::start(1366, 768).await;

    // The leader: 总览 (computed in the background on first sight), then
    // from a failing cell to its records and their CSV.
    sign_in(&b, &base, "lc").await;
    look(&b, "start-leader").await;
    let overview = format!("{base}/overview?year=2025&as_of=2025-12-31");
    b.goto(&overview).await;
    assert!(b.source().await.contains("正在计算"));
    client.state.results.settled().await;
    b.goto(&overview).await;
    client.state.results.settled().await;
    b.goto(&overview).await;
    let html = b.source().await;
    assert!(html.contains("2025年政务数据共享总览"), "{html}");
    assert!(html.contains("数据截至 2025年12月31日 23:59"));
    look(&b, "overview").await;
    let red = b.find("td.bad a").await;
    let cell = b.text(&red).await;
    assert!(cell.contains("■") && cell.contains("未达标"), "{cell}");
    b.click(&red).await;
    let csv_link = b.find("a[href*=\"format=csv\"]").await;
    assert!(b.url().await.contains("/overview/records?"));
    let records = b.source().await;
    assert!(records.contains("扣分记录"), "{records}");
    let rows = b.find_all("tbody tr").await.len();
    assert!(rows > 0);
    look(&b, "records").await;
    let csv_link = b.property(&csv_link, "href").await;
    let csv = fetch_as(&client, &b, &csv_link).await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(
        csv.text().lines().count(),
        rows + 1,
        "exactly those records"
    );

    // The county's leader (signing in with the keyboard only) reaches
    // neither a city department's page nor its row of the matrix.
    sign_in_by_keyboard(&b, &base, "lx").await;
    b.goto(&format!(
        "{base}/overview/unit?year=2025&as_of=2025-12-31&unit={c}"
    ))
    .await;
    let refused = b.source().await;
    assert!(refused.contains("未找到"), "{refused}");
    assert!(!refused.contains(&c_name));
    look(&b, "not-found").await;
    b.goto(&overview).await;
    let county = b.source().await;
    assert!(county.contains("部门 × 指标"), "{county}");
    assert!(
        !county.contains(&c_name),
        "no city department in a county's view"
    );
    let own_county = &org.jurisdictions[&xinchuan].name;
    assert!(county.contains(own_county.as_str()));

    // The inspector opens a case from the department's page, previews the
    // notice and issues it.
    sign_in(&b, &base, "ic").await;
    b.goto(&format!(
        "{base}/overview/unit?year=2025&as_of=2025-12-31&unit={c}"
    ))
    .await;
    look(&b, "department").await;
    b.click(&b.find("form[action=\"/cases\"] button").await)
        .await;
    b.find("#done-opened").await;
    let case_url = b.url().await;
    assert!(
        case_url.contains("/cases/") && case_url.contains("done=opened"),
        "{case_url}"
    );
    let id: i64 = case_url
        .split("/cases/")
        .nth(1)
        .and_then(|rest| rest.split('?').next())
        .unwrap()
        .parse()
        .unwrap();
    let opened = b.source().await;
    assert!(
        opened.contains("案件已立案") && opened.contains("已立案"),
        "{opened}"
    );
    look(&b, "case-opened").await;
    let preview = b
        .property(&b.find("a[href$=\"notice-draft.pdf\"]").await, "href")
        .await;
    let pdf = fetch_as(&client, &b, &preview).await;
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF"));
    b.click(&b.find("form[action$=\"/notice\"] button").await)
        .await;
    b.find("#done-notice").await;
    let notified = b.source().await;
    assert!(notified.contains("整改通知书已签发"), "{notified}");
    assert!(notified.contains("整改中"));
    assert!(notified.contains("已下发，查看 PDF"));
    assert!(notified.contains("还剩"), "the working days left are shown");

    // The department signs in, finds the case on its start page, and
    // reports its rectification with a file.
    sign_in(&b, &base, "dc").await;
    let start = b.source().await;
    assert!(start.contains(&format!("第 {id} 号")), "{start}");
    look(&b, "start-department").await;
    b.click(&b.find(&format!("a[href=\"/cases/{id}\"]")).await)
        .await;
    b.find("#text").await;
    let files = tempfile::tempdir().unwrap();
    let report = files.path().join("整改报告.pdf");
    std::fs::write(&report, b"%PDF-1.4\n% rectification report\n").unwrap();
    look(&b, "case-department").await;
    b.type_in(&b.find("#text").await, "已更新数据目录并补办逾期审批。")
        .await;
    b.type_in(&b.find("#attachments").await, report.to_str().unwrap())
        .await;
    b.click(&b.find("form[enctype=\"multipart/form-data\"] button").await)
        .await;
    b.find("#done-response").await;
    let responded = b.source().await;
    assert!(responded.contains("整改情况已报送"), "{responded}");
    assert!(responded.contains("待核验"));
    assert!(responded.contains("整改报告.pdf"), "the file is listed");

    // The inspector finds it waiting on 督办 and accepts it.
    sign_in(&b, &base, "ic").await;
    b.goto(&format!("{base}/work")).await;
    let work = b.source().await;
    assert!(work.contains("待核验的整改报告（1）"), "{work}");
    look(&b, "work").await;
    b.goto(&format!("{base}/cases/{id}")).await;
    b.click(&b.find("input[name=\"outcome\"][value=\"accept\"]").await)
        .await;
    b.click(&b.find("form[action$=\"/verification\"] button").await)
        .await;
    b.find("#done-verification").await;
    let closed = b.source().await;
    assert!(closed.contains("核验结果已记录"), "{closed}");
    assert!(closed.contains("已办结"));
    assert!(!closed.contains("<h2>办理</h2>"), "nothing more to do");
    look(&b, "case-closed").await;

    // The notice is in 公文, downloadable.
    b.goto(&format!("{base}/documents?kind=notice")).await;
    let documents = b.source().await;
    assert!(documents.contains("整改通知书"), "{documents}");
    look(&b, "documents").await;
    let pdf_link = b.property(&b.find("a[href$=\"/pdf\"]").await, "href").await;
    let issued = fetch_as(&client, &b, &pdf_link).await;
    assert_eq!(issued.status, 200);
    assert!(issued.bytes.starts_with(b"%PDF"));
}
both_backends!(browser, people_use_it_in_a_browser);
