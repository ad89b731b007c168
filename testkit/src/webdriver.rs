//! A small W3C WebDriver client for the browser test: chromedriver over plain HTTP/1.1 on
//! loopback, one connection per command, blocking (std only). It has the dozen commands the
//! test uses; ending the session (on drop, even after a failed assertion) closes the browser.

use base64::Engine as _;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key W3C WebDriver names an element reference by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub mod keys {
    pub const ENTER: &str = "\u{E007}";
    pub const TAB: &str = "\u{E004}";
    pub const ARROW_UP: &str = "\u{E013}";
    pub const ARROW_DOWN: &str = "\u{E015}";
    pub const BACKSPACE: &str = "\u{E003}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const PAGE_UP: &str = "\u{E00E}";
    pub const PAGE_DOWN: &str = "\u{E00F}";
}

/// chromium and chromedriver: `MARQUEE_CHROMIUM` / `MARQUEE_CHROMEDRIVER`, else found on PATH
/// (Debian's packages put them in /usr/bin).
pub fn browser() -> Result<(PathBuf, PathBuf), String> {
    let find = |var: &str, names: &[&str]| -> Option<PathBuf> {
        if let Some(p) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            return Some(PathBuf::from(p)).filter(|p| p.is_file());
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
            .find(|p| p.is_file())
    };
    let chromium = find("MARQUEE_CHROMIUM", &["chromium", "chromium-browser", "google-chrome"])
        .ok_or("chromium is not installed (apt-get install chromium chromium-driver)")?;
    let driver = find("MARQUEE_CHROMEDRIVER", &["chromedriver"])
        .ok_or("chromedriver is not installed (apt-get install chromium-driver)")?;
    Ok((chromium, driver))
}

pub struct Session {
    addr: SocketAddr,
    id: String,
    driver: Child,
}

pub type Element = String;

impl Session {
    /// Starts chromedriver on a free loopback port and a headless Chromium session.
    pub fn start(chromium: &Path, chromedriver: &Path, width: u32, height: u32) -> Session {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // Its own process group, so that the browsers it starts go with it on drop even when
        // the session could not be ended.
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let started = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "chromedriver did not listen within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut session = Session { addr, id: String::new(), driver };
        let args = [
            "--headless=new".to_string(),
            // CI runs as root, where Chromium's sandbox cannot start.
            "--no-sandbox".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-gpu".into(),
            "--lang=en-US".into(),
            format!("--window-size={width},{height}"),
        ];
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
        } } });
        let created = session.call("POST", "/session", Some(capabilities)).expect("a browser session");
        session.id = created["sessionId"].as_str().expect("a session id").to_string();
        session
    }

    /// One WebDriver command; its `value`, or the error WebDriver named.
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(self.addr).map_err(|e| e.to_string())?;
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
        // chromedriver keeps the connection open whatever the request says: read the body's
        // Content-Length, not to the end.
        let mut response = Vec::new();
        let mut chunk = [0u8; 65536];
        let (head_end, length) = loop {
            let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("chromedriver closed the connection".into());
            }
            response.extend_from_slice(&chunk[..n]);
            if let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&response[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("content-length:").and_then(|v| v.trim().parse::<usize>().ok())
                    })
                    .ok_or("no Content-Length")?;
                break (end + 4, length);
            }
        };
        while response.len() < head_end + length {
            let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("chromedriver closed the connection mid-body".into());
            }
            response.extend_from_slice(&chunk[..n]);
        }
        let body = String::from_utf8_lossy(&response[head_end..head_end + length]);
        let value: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
        let value = value.get("value").cloned().unwrap_or(Value::Null);
        match value.get("error").and_then(Value::as_str) {
            Some(error) => Err(format!("{error}: {}", value["message"].as_str().unwrap_or_default())),
            None => Ok(value),
        }
    }

    fn at(&self, tail: &str) -> String {
        format!("/session/{}{tail}", self.id)
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", &self.at("/url"), Some(json!({ "url": url }))).unwrap();
    }

    /// The elements matching a CSS selector, in document order.
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let found =
            self.call("POST", &self.at("/elements"), Some(json!({ "using": "css selector", "value": css })));
        found
            .unwrap_or_default()
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e[ELEMENT].as_str().map(str::to_string))
            .collect()
    }

    pub fn text(&self, element: &Element) -> String {
        self.call("GET", &self.at(&format!("/element/{element}/text")), None)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn click(&self, element: &Element) {
        self.call("POST", &self.at(&format!("/element/{element}/click")), Some(json!({}))).unwrap();
    }

    pub fn type_into(&self, element: &Element, text: &str) {
        self.call("POST", &self.at(&format!("/element/{element}/value")), Some(json!({ "text": text })))
            .unwrap();
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.call("POST", &self.at("/execute/sync"), Some(json!({ "script": script, "args": args }))).unwrap()
    }

    /// The element that has the focus.
    pub fn active(&self) -> Element {
        let found = self.call("GET", &self.at("/element/active"), None).unwrap();
        found[ELEMENT].as_str().expect("an active element").to_string()
    }

    /// Resizes the browser window (the page's layout follows).
    pub fn set_window(&self, width: u32, height: u32) {
        self.call("POST", &self.at("/window/rect"), Some(json!({ "width": width, "height": height })))
            .unwrap();
    }

    /// The page as a PNG.
    pub fn screenshot(&self) -> Vec<u8> {
        let encoded = self.call("GET", &self.at("/screenshot"), None).unwrap();
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("a base64 PNG"))
            .expect("a base64 PNG")
    }

    /// Polls `probe` (every 25 ms) until it returns something, for at most `timeout`; panics
    /// naming `what` otherwise.
    pub fn wait<T>(&self, what: &str, timeout: Duration, mut probe: impl FnMut(&Session) -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            if let Some(found) = probe(self) {
                return found;
            }
            assert!(started.elapsed() < timeout, "waited {timeout:?} for {what}");
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits for the first element matching `css` whose text satisfies `accept`.
    pub fn wait_text(&self, css: &str, timeout: Duration, accept: impl Fn(&str) -> bool) -> Element {
        self.wait(&format!("{css} with the expected text"), timeout, |s| {
            s.find_all(css).into_iter().find(|e| accept(&s.text(e)))
        })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.id.is_empty() {
            let _ = self.call("DELETE", &self.at(""), None);
        }
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
