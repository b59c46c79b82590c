//! Debian's chromium, headless, driven over WebDriver (chromedriver) with
//! `fantoccini`: what Steward's browser tests and its cookie audit run
//! pages in. Each [`Browser`] has its own chromedriver on a free loopback
//! port and a fresh profile, both gone when it is dropped.
//!
//! The accessibility check runs axe-core (vendored in `assets/`, see its
//! README) inside the page through WebDriver, so pages served with a strict
//! Content-Security-Policy (no script at all) are checked as they are.
//!
//! Third-party cookies are accepted, as most visitors' browsers do (Chromium
//! blocks them by default), so [`cookies::all_cookies`] sees what a tracker
//! on another domain sets.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

pub use fantoccini;

/// Every cookie the browser holds, third-party ones included.
pub mod cookies;

/// What to install when the browser is missing.
pub const INSTALL_HINT: &str = "apt-get install -y chromium chromium-driver";

/// axe-core 4.14.1 (MPL-2.0), from the npm registry.
const AXE: &str = include_str!("../assets/axe.min.js");

/// What went wrong starting or driving the browser.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error(
        "{what} is not installed at {path} (set {variable} to another path); install it with `{INSTALL_HINT}`"
    )]
    Missing {
        what: &'static str,
        path: String,
        variable: &'static str,
    },
    #[error("chromedriver could not be started: {0}")]
    Start(String),
    #[error("the browser: {0}")]
    WebDriver(String),
    #[error("{path}: {error}")]
    File { path: String, error: std::io::Error },
}

impl From<fantoccini::error::CmdError> for BrowserError {
    fn from(error: fantoccini::error::CmdError) -> Self {
        BrowserError::WebDriver(error.to_string())
    }
}

/// The window the page is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewport {
    Desktop,
    /// 390 × 844 CSS pixels, a common phone.
    Phone,
}

impl Viewport {
    fn size(self) -> (u32, u32) {
        match self {
            Viewport::Desktop => (1280, 900),
            Viewport::Phone => (390, 844),
        }
    }
}

/// A headless chromium with its own chromedriver and profile.
pub struct Browser {
    client: Client,
    driver: Child,
    /// Where the driver listens, and the session it has open there until
    /// [`Browser::close`]; a browser dropped without closing ends it itself.
    driver_port: u16,
    session: Option<String>,
    profile: PathBuf,
}

fn present(path: &Path, what: &'static str, variable: &'static str) -> Result<(), BrowserError> {
    if path.is_file() {
        Ok(())
    } else {
        Err(BrowserError::Missing {
            what,
            path: path.display().to_string(),
            variable,
        })
    }
}

impl Browser {
    /// A desktop-sized browser (1280 × 900); see [`Browser::start_with`].
    pub async fn start() -> Result<Browser, BrowserError> {
        Self::start_with(Viewport::Desktop).await
    }

    /// Debian's chromium and chromedriver (`STEWARD_CHROMIUM` and
    /// `STEWARD_CHROMEDRIVER` name others; a chromedriver not in /usr/bin is
    /// looked for on the PATH), in a window of `viewport`.
    pub async fn start_with(viewport: Viewport) -> Result<Browser, BrowserError> {
        let driver = std::env::var_os("STEWARD_CHROMEDRIVER").map_or_else(
            || on_path("/usr/bin/chromedriver", "chromedriver"),
            PathBuf::from,
        );
        let chromium = std::env::var_os("STEWARD_CHROMIUM")
            .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
        Self::start_at(&driver, &chromium, viewport).await
    }

    /// The browser at these paths.
    pub async fn start_at(
        driver_path: &Path,
        chromium: &Path,
        viewport: Viewport,
    ) -> Result<Browser, BrowserError> {
        present(driver_path, "chromedriver", "STEWARD_CHROMEDRIVER")?;
        present(chromium, "chromium", "STEWARD_CHROMIUM")?;
        let port = free_port()?;
        let mut driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| BrowserError::Start(format!("{}: {e}", driver_path.display())))?;
        let profile =
            std::env::temp_dir().join(format!("steward-browser-{}-{port}", std::process::id()));
        // A fresh profile: one left by a process that crashed is not reused.
        let _ = std::fs::remove_dir_all(&profile);
        let (width, height) = viewport.size();
        let mut options = json!({
            "binary": chromium.display().to_string(),
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                format!("--user-data-dir={}", profile.display()),
                format!("--window-size={width},{height}"),
            ],
            // Chromium blocks third-party cookies by default; most visitors'
            // browsers accept them, and the cookie audit must see what a
            // tracker on another domain sets.
            "prefs": { "profile.cookie_controls_mode": 0 },
        });
        if viewport == Viewport::Phone {
            // A window is never narrower than 500 px, so the phone is
            // emulated: touch, and a layout viewport that honours
            // `<meta name="viewport">`.
            options["mobileEmulation"] = json!({
                "deviceMetrics": {
                    "width": width,
                    "height": height,
                    "pixelRatio": 1,
                    "touch": true,
                    "mobile": true,
                },
            });
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut last = String::new();
        // chromedriver takes a moment to listen.
        for _ in 0..100 {
            match ClientBuilder::new(connector.clone())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    let session = client.session_id().await?;
                    return Ok(Browser {
                        client,
                        driver,
                        driver_port: port,
                        session,
                        profile,
                    });
                }
                Err(error) => last = error.to_string(),
            }
            if let Ok(Some(status)) = driver.try_wait() {
                return Err(BrowserError::Start(format!(
                    "{} exited with {status} before it answered",
                    driver_path.display()
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(BrowserError::Start(format!(
            "no session after 10 s at {url}: {last}"
        )))
    }

    /// The browser's fresh profile, removed when it is dropped.
    pub fn profile(&self) -> &Path {
        &self.profile
    }

    /// The WebDriver session, for what this crate does not wrap.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Loads `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) -> Result<(), BrowserError> {
        Ok(self.client.goto(url).await?)
    }

    /// The visible text of the page (waiting for it while a page loads).
    pub async fn text(&self) -> Result<String, BrowserError> {
        let body = self.client.wait().for_element(Locator::Css("body")).await?;
        Ok(body.text().await?)
    }

    /// Waits up to ten seconds for the page to show `needle` (after a click
    /// that submits a form, the old page may still be there for a moment).
    pub async fn wait_for_text(&self, needle: &str) -> Result<String, BrowserError> {
        let mut text = String::new();
        for _ in 0..100 {
            // A page in the middle of loading has no body to read yet.
            text = self.text().await.unwrap_or_default();
            if text.contains(needle) {
                return Ok(text);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(BrowserError::WebDriver(format!(
            "the page did not show `{needle}` within 10 s; it shows:\n{text}"
        )))
    }

    /// Waits (up to the driver's timeout) for an element.
    pub async fn wait_for(&self, css: &str) -> Result<fantoccini::elements::Element, BrowserError> {
        Ok(self.client.wait().for_element(Locator::Css(css)).await?)
    }

    /// Saves what the window shows as a PNG.
    pub async fn screenshot(&self, path: &Path) -> Result<(), BrowserError> {
        let png = self.client.screenshot().await?;
        let file = |error| BrowserError::File {
            path: path.display().to_string(),
            error,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(file)?;
        }
        std::fs::write(path, png).map_err(file)
    }

    /// Every WCAG 2.1 A and AA violation axe-core finds on the page.
    pub async fn accessibility(&self) -> Result<Vec<Violation>, BrowserError> {
        self.client.execute(AXE, Vec::new()).await?;
        let result = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
                  .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")) }))))
                  .catch(e => done({ error: String(e) }));"#,
                Vec::new(),
            )
            .await?;
        if let Some(error) = result.get("error") {
            return Err(BrowserError::WebDriver(format!("axe-core: {error}")));
        }
        let Some(list) = result.as_array() else {
            return Err(BrowserError::WebDriver(format!(
                "axe-core answered no list of violations: {result}"
            )));
        };
        Ok(list.iter().map(Violation::from_json).collect())
    }

    /// The serious and critical violations, each on a line (empty: none).
    pub async fn serious_violations(&self) -> Result<String, BrowserError> {
        Ok(self
            .accessibility()
            .await?
            .iter()
            .filter(|v| v.is_serious())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"))
    }

    /// Ends the session; the driver and the profile go with the value.
    pub async fn close(mut self) -> Result<(), BrowserError> {
        let closed = self.client.clone().close().await;
        self.session = None;
        let _ = self.driver.kill().await;
        Ok(closed?)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Killing chromedriver would leave chromium running (a failed test
        // drops its browser unclosed), so the session is ended first, with
        // a plain blocking request: no runtime is at hand in a drop.
        if let Some(session) = self.session.take() {
            end_session(self.driver_port, &session);
        }
        // The driver is killed with its handle (`kill_on_drop`).
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// `DELETE /session/{id}`: chromedriver quits chromium, then answers.
fn end_session(port: u16, session: &str) {
    use std::io::{Read, Write};
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&address, Duration::from_secs(1))
    else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let _ = stream.read_to_end(&mut Vec::new());
    }
}

/// `usual` if it is there, else the first `name` on the PATH, else `usual`
/// (so that the error names where it was expected).
fn on_path(usual: &str, name: &str) -> PathBuf {
    let usual = PathBuf::from(usual);
    if usual.is_file() {
        return usual;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or(usual)
}

fn free_port() -> Result<u16, BrowserError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| BrowserError::Start(format!("no free port: {e}")))
}

/// One rule axe-core found broken, and where.
#[derive(Debug, Clone)]
pub struct Violation {
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

impl Violation {
    fn from_json(value: &Value) -> Self {
        let text = |key: &str| value[key].as_str().unwrap_or_default().to_owned();
        Violation {
            id: text("id"),
            impact: text("impact"),
            help: text("help"),
            targets: value["targets"]
                .as_array()
                .map(|t| {
                    t.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {} at {}",
            self.id,
            self.impact,
            self.help,
            self.targets.join(", ")
        )
    }
}
