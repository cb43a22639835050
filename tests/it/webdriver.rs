//! A small WebDriver client for the browser tests: Debian's `chromedriver`
//! driving headless `chromium`, spoken to over HTTP/1.1 on loopback (the
//! handful of W3C WebDriver commands the tests use; no crate needed).
//!
//! The driver is started as a child process on a free port and killed when
//! the [`Browser`] is dropped. Where the machine lacks Chromium or its
//! driver, [`Browser::start`] installs Debian's packages when it may (root
//! with `apt-get`, once per test run) and otherwise fails, naming the
//! command: a browser test never passes without a browser.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;

use serde_json::{Value, json};
use std::process::{Child, Command};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The W3C element reference key.
/// WebDriver's Tab key.
pub const TAB: &str = "\u{E004}";
/// WebDriver's Enter key.
pub const ENTER: &str = "\u{E007}";

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Chromium's and the driver's paths (Debian's packages).
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

static INSTALL: Mutex<()> = Mutex::new(());

/// Makes sure Chromium and its driver are installed: installs Debian's
/// `chromium` and `chromium-driver` when missing and this process may
/// (root, `apt-get` present); panics naming the command otherwise.
fn ensure_installed() {
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return;
    }
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let apt = Path::new("/usr/bin/apt-get").exists();
    assert!(
        root && apt,
        "the browser tests need Debian's Chromium and ChromeDriver: \
         `sudo apt-get install -y chromium chromium-driver` (.ci/run installs them)"
    );
    eprintln!("browser tests: installing chromium and chromium-driver with apt-get");
    let update = std::process::Command::new("apt-get")
        .args(["update", "-qq"])
        .status()
        .expect("apt-get update runs");
    assert!(update.success(), "apt-get update failed");
    let install = std::process::Command::new("apt-get")
        .args([
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .expect("apt-get install runs");
    assert!(
        install.success() && Path::new(CHROMEDRIVER).exists(),
        "installing chromium and chromium-driver failed"
    );
}

/// A free port on loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A headless Chromium under its driver, one WebDriver session.
pub struct Browser {
    port: u16,
    session: String,
    driver: Child,
}

/// One element on the page.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Browser {
    /// Starts the driver and a headless Chromium with a window of
    /// `width`×`height`.
    pub async fn start(width: u32, height: u32) -> Browser {
        ensure_installed();
        let port = free_port();
        let mut driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        // The driver says when it listens; no waiting on a clock. Its
        // output is read on a thread of its own, to the end.
        let stdout = driver.stdout.take().expect("the driver's output");
        let (ready, started) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            // Its last line has no newline: look for the words in the bytes.
            use std::io::Read as _;
            let mut ready = Some(ready);
            let mut seen = Vec::new();
            let mut stdout = stdout;
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                if ready.is_some() {
                    seen.extend_from_slice(&chunk[..n]);
                    if String::from_utf8_lossy(&seen).contains("started successfully") {
                        let _ = ready.take().map(|r| r.send(()));
                    }
                }
            }
        });
        started
            .await
            .expect("chromedriver exited before it started");
        let mut browser = Browser {
            port,
            session: String::new(),
            driver: driver,
        };
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--lang=zh-CN",
                         format!("--window-size={width},{height}")],
            },
        }}});
        let created = browser
            .command("POST", "/session", Some(capabilities))
            .await;
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        // Finding an element waits up to 10 s for it to appear: after a
        // click that submits a form, the next page's element is looked for
        // instead of reading a page that may still be the old one.
        browser
            .command(
                "POST",
                &browser.at("/timeouts"),
                Some(json!({"implicit": 10_000})),
            )
            .await;
        browser
    }

    /// Sends one command; its `value`. A WebDriver error panics with its
    /// message.
    async fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("the driver listens");
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        // The driver may keep the connection open: read the head, then
        // exactly the body it announces.
        let mut raw = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        let split = loop {
            if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(
                n > 0,
                "{method} {path}: the driver closed without an answer"
            );
            raw.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
        let mut content = raw[split + 4..].to_vec();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        let chunked = head.contains("transfer-encoding: chunked");
        loop {
            let complete = match length {
                Some(n) => content.len() >= n,
                None if chunked => content.ends_with(b"0\r\n\r\n"),
                None => false,
            };
            if complete {
                break;
            }
            let n = stream.read(&mut chunk).await.unwrap();
            if n == 0 {
                break;
            }
            content.extend_from_slice(&chunk[..n]);
        }
        if chunked {
            content = dechunk(&content);
        }
        let answer: Value = serde_json::from_slice(&content)
            .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {head}"));
        let value = answer["value"].clone();
        if let Some(error) = value.get("error").and_then(Value::as_str) {
            panic!(
                "WebDriver {method} {path}: {error}: {}",
                value["message"].as_str().unwrap_or("")
            );
        }
        value
    }

    fn at(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Opens a URL and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.command("POST", &self.at("/url"), Some(json!({ "url": url })))
            .await;
    }

    /// The address of the page shown.
    pub async fn url(&self) -> String {
        self.command("GET", &self.at("/url"), None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The page's HTML as the browser holds it.
    pub async fn source(&self) -> String {
        self.command("GET", &self.at("/source"), None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The first element a CSS selector finds (panics if none).
    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .command(
                "POST",
                &self.at("/element"),
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        Element(
            found[ELEMENT]
                .as_str()
                .unwrap_or_else(|| panic!("{css}: {found}"))
                .to_string(),
        )
    }

    /// Every element a CSS selector finds.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.command(
            "POST",
            &self.at("/elements"),
            Some(json!({"using": "css selector", "value": css})),
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|e| Element(e[ELEMENT].as_str().unwrap().to_string()))
        .collect()
    }

    /// Clicks an element (following a link or submitting a form waits for
    /// the next page).
    pub async fn click(&self, e: &Element) {
        self.command(
            "POST",
            &self.at(&format!("/element/{}/click", e.0)),
            Some(json!({})),
        )
        .await;
    }

    /// Types into a field (a file input takes a path).
    pub async fn type_in(&self, e: &Element, text: &str) {
        self.command(
            "POST",
            &self.at(&format!("/element/{}/value", e.0)),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// The element that has the keyboard focus.
    pub async fn active(&self) -> Element {
        let found = self.command("GET", &self.at("/element/active"), None).await;
        Element(
            found[ELEMENT]
                .as_str()
                .unwrap_or_else(|| panic!("no focused element: {found}"))
                .to_string(),
        )
    }

    /// Keys pressed while `e` has the focus: text, and WebDriver's
    /// special keys ([`TAB`], [`ENTER`]).
    pub async fn press(&self, e: &Element, keys: &str) {
        self.type_in(e, keys).await;
    }

    /// An element's visible text.
    pub async fn text(&self, e: &Element) -> String {
        self.command("GET", &self.at(&format!("/element/{}/text", e.0)), None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// An element's attribute (`href` resolved as the browser does).
    pub async fn property(&self, e: &Element, name: &str) -> String {
        self.command(
            "GET",
            &self.at(&format!("/element/{}/property/{name}", e.0)),
            None,
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    /// The value of a cookie (HttpOnly ones too: the driver sees them).
    pub async fn cookie(&self, name: &str) -> Option<String> {
        self.command("GET", &self.at("/cookie"), None)
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .and_then(|c| c["value"].as_str().map(str::to_string))
    }

    /// Forgets every cookie (signs the browser out without a request).
    pub async fn clear_cookies(&self) {
        self.command("DELETE", &self.at("/cookie"), None).await;
    }

    /// Resizes the window (CSS pixels).
    pub async fn resize(&self, width: u32, height: u32) {
        self.command(
            "POST",
            &self.at("/window/rect"),
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        let b64 = self.command("GET", &self.at("/screenshot"), None).await;
        base64_decode(b64.as_str().unwrap())
    }

    /// Saves screenshots of the page shown, at an office screen's width and
    /// a phone's, when `DUKAO_SCREENSHOTS` names a folder (for people to
    /// look at; the tests assert on the page's content, not its pixels).
    pub async fn keep_screenshots(&self, name: &str) {
        let Some(dir) = std::env::var_os("DUKAO_SCREENSHOTS").map(PathBuf::from) else {
            return;
        };
        std::fs::create_dir_all(&dir).unwrap();
        for (label, width, height) in [("1366", 1366, 768), ("phone", 390, 844)] {
            self.resize(width, height).await;
            let png = self.screenshot().await;
            std::fs::write(dir.join(format!("{name}-{label}.png")), png).unwrap();
        }
        self.resize(1366, 768).await;
    }
}

impl Drop for Browser {
    /// Ends the session (the driver closes its browser), then stops the
    /// driver.
    fn drop(&mut self) {
        use std::io::{Read as _, Write as _};
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(10)));
            let _ = write!(
                s,
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            let _ = s.read_to_end(&mut Vec::new());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The body of a chunked HTTP answer.
fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&data[..end])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = end + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
}

/// Standard base64 (the screenshots).
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let Some(v) = value(c) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn base64_and_chunks_decode() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("5Lit"), "中".as_bytes());
    assert_eq!(dechunk(b"5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n"), b"hello!");
}
