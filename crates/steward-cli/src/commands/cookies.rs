//! `steward cookies scan`: load a page in headless chromium three times
//! (no interaction, accept all, refuse all) and compare the cookies it sets
//! with the policy's `[[cookie]]` declarations. The comparison is in
//! [`super::cookie_audit`]; this is the browser and the output.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use jiff::Timestamp;
use serde_json::json;
use steward_browser::Browser;
use steward_browser::cookies::{Source, StoredCookie};
use steward_browser::fantoccini::Locator;
use steward_server::clock::{Clock, SystemClock};

use super::cookie_audit::{self, Finding, SeenCookie, Visit};

#[derive(Subcommand)]
pub enum CookiesCommand {
    /// Check that a page sets only the cookies the policy declares, for no
    /// longer than declared, and none but necessary ones without consent.
    #[command(
        long_about = concat!(
            "Loads URL in headless chromium (/usr/bin/chromium through /usr/bin/chromedriver; ",
            "STEWARD_CHROMIUM and STEWARD_CHROMEDRIVER name others) three times, each in a fresh profile:\n",
            "  before:    loaded, no interaction\n",
            "  accepted:  the accept-all control clicked, then the page loaded again\n",
            "  refused:   the refuse-all control clicked, then the page loaded again\n",
            "and compares every cookie the browser then holds, third-party ones included, with the ",
            "policy's [[cookie]] declarations. A declared name may end in `*` (a prefix) or be `*` ",
            "alone; a cookie is fine if any declaration of its name allows it.\n\n",
            "Findings:\n",
            "  undeclared:            no declaration matches its name\n",
            "  longer_than_declared:  persistent though declared `session`, or expiring later than\n",
            "                         the visit + the declared lifetime + 1 day\n",
            "  before_consent:        not `necessary`, yet set in the visit without interaction\n",
            "  after_refusal:         not `necessary`, yet set after refusing all\n\n",
            "docs/cookie-scan.md has the details and a CI job.",
        ),
        after_help = "Examples:\n  steward cookies scan https://www.example.se/ --policy policies/calectro.toml\n  steward cookies scan https://shop.example.se/ --policy policy.toml \\\n      --accept '#onetrust-accept-btn-handler' --refuse '#onetrust-reject-all-handler' --json\n\nThe default selectors are the attributes of Steward's own cookie banner: \
[data-steward-consent=\"accept-all\"] and [data-steward-consent=\"refuse-all\"].\n\n\
Exit status: 0 no findings, 1 findings (listed on stdout), 2 could not scan (the policy has \
errors, the browser is missing, the page or a selector is not found)."
    )]
    Scan(ScanArgs),
}

#[derive(Args)]
pub struct ScanArgs {
    /// The page to scan, e.g. https://www.example.se/.
    pub url: String,
    /// The policy file whose [[cookie]] declarations the cookies are compared with.
    #[arg(long)]
    pub policy: PathBuf,
    /// CSS selector of the control that accepts all cookies.
    #[arg(long, value_name = "SELECTOR", default_value = DEFAULT_ACCEPT)]
    pub accept: String,
    /// CSS selector of the control that refuses all cookies.
    #[arg(long, value_name = "SELECTOR", default_value = DEFAULT_REFUSE)]
    pub refuse: String,
    /// How long to wait after each load and each click for scripts to set
    /// their cookies, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub wait_ms: u64,
    /// Print a JSON object (url, visits, findings) instead of text.
    #[arg(long)]
    pub json: bool,
}

const DEFAULT_ACCEPT: &str = "[data-steward-consent=\"accept-all\"]";
const DEFAULT_REFUSE: &str = "[data-steward-consent=\"refuse-all\"]";

pub async fn run(command: CookiesCommand) -> anyhow::Result<ExitCode> {
    match command {
        CookiesCommand::Scan(args) => scan(args).await,
    }
}

/// The cookies of one visit, when they were read, and whether third-party
/// cookies could be read.
struct Visited {
    visit: Visit,
    at: Timestamp,
    cookies: Vec<SeenCookie>,
    source: Source,
}

async fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let policy = super::policy::load(&args.policy)?;
    let wait = Duration::from_millis(args.wait_ms);
    let mut visited = Vec::new();
    for (visit, click) in [
        (Visit::Before, None),
        (Visit::Accepted, Some(args.accept.as_str())),
        (Visit::Refused, Some(args.refuse.as_str())),
    ] {
        visited.push(
            visit_once(&args.url, visit, click, wait)
                .await
                .with_context(|| format!("{}: the visit {}", args.url, visit.describe()))?,
        );
    }
    if visited.iter().any(|v| v.source == Source::DocumentOnly) {
        eprintln!(
            "warning: the browser's whole cookie store could not be read; only the page's own cookies were seen, third-party cookies are missed"
        );
    }
    let visits: Vec<(Visit, Timestamp, &[SeenCookie])> = visited
        .iter()
        .map(|v| (v.visit, v.at, v.cookies.as_slice()))
        .collect();
    let findings = cookie_audit::audit(&policy.cookies, &visits);
    let text = if args.json {
        json_report(&args.url, &visited, &findings)?
    } else {
        text_report(&args.url, &visited, &findings)
    };
    print(&text)?;
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn visit_once(
    url: &str,
    visit: Visit,
    click: Option<&str>,
    wait: Duration,
) -> anyhow::Result<Visited> {
    let browser = Browser::start().await?;
    let result = browse(&browser, url, click, wait).await;
    // Expiries are compared from when the cookies were read.
    let at = SystemClock.now();
    let closed = browser.close().await;
    let (cookies, source) = result?;
    closed?;
    Ok(Visited {
        visit,
        at,
        cookies,
        source,
    })
}

async fn browse(
    browser: &Browser,
    url: &str,
    click: Option<&str>,
    wait: Duration,
) -> anyhow::Result<(Vec<SeenCookie>, Source)> {
    load(browser, url).await?;
    tokio::time::sleep(wait).await;
    if let Some(selector) = click {
        let control = browser
            .client()
            .wait()
            .at_most(Duration::from_secs(2))
            .for_element(Locator::Css(selector))
            .await;
        let Ok(control) = control else {
            bail!(
                "no element matches the selector `{selector}` on {url} (name the banner's control with --accept or --refuse)"
            );
        };
        control
            .click()
            .await
            .with_context(|| format!("cannot click `{selector}` on {url}"))?;
        tokio::time::sleep(wait).await;
        load(browser, url).await?;
        tokio::time::sleep(wait).await;
    }
    let jar = steward_browser::cookies::all_cookies(browser.client()).await?;
    let mut cookies: Vec<SeenCookie> = jar.cookies.into_iter().map(seen).collect();
    cookies.sort_by(|a, b| (&a.name, &a.domain, &a.path).cmp(&(&b.name, &b.domain, &b.path)));
    Ok((cookies, jar.source))
}

/// Loads `url`; chromium shows its own error page when the site does not
/// answer, which is no page to scan.
async fn load(browser: &Browser, url: &str) -> anyhow::Result<()> {
    browser
        .goto(url)
        .await
        .with_context(|| format!("cannot load {url}"))?;
    let shown = browser
        .client()
        .execute("return location.href", Vec::new())
        .await
        .with_context(|| format!("cannot read the address of {url}"))?;
    if shown
        .as_str()
        .is_some_and(|s| s.starts_with("chrome-error:"))
    {
        bail!("cannot load {url}: the browser shows an error page");
    }
    Ok(())
}

fn print(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        // The reader went away (`| head`): stop quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => Ok(result?),
    }
}

fn seen(cookie: StoredCookie) -> SeenCookie {
    SeenCookie {
        expires: cookie
            .expires
            .and_then(|at| Timestamp::from_second(at).ok()),
        name: cookie.name,
        domain: cookie.domain,
        path: cookie.path,
        secure: cookie.secure,
        http_only: cookie.http_only,
        same_site: cookie.same_site,
    }
}

fn visit_of(visited: &[Visited], visit: Visit) -> &[SeenCookie] {
    visited
        .iter()
        .find(|v| v.visit == visit)
        .map_or(&[], |v| v.cookies.as_slice())
}

fn json_report(url: &str, visited: &[Visited], findings: &[Finding]) -> anyhow::Result<String> {
    let value = json!({
        "url": url,
        "visits": {
            "before": visit_of(visited, Visit::Before),
            "accepted": visit_of(visited, Visit::Accepted),
            "refused": visit_of(visited, Visit::Refused),
        },
        "findings": findings,
    });
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

fn text_report(url: &str, visited: &[Visited], findings: &[Finding]) -> String {
    let mut out = format!("{url}\n");
    for v in visited {
        let names: Vec<String> = v
            .cookies
            .iter()
            .map(|c| format!("{} ({})", c.name, c.domain))
            .collect();
        out += &format!(
            "  {}: {} cookie{}{}{}\n",
            v.visit.describe(),
            v.cookies.len(),
            if v.cookies.len() == 1 { "" } else { "s" },
            if names.is_empty() { "" } else { ": " },
            names.join(", ")
        );
    }
    out.push('\n');
    for f in findings {
        out += &format!(
            "{} ({}), {}: {}: {}\n",
            f.cookie,
            f.domain,
            f.visit.describe(),
            problem_word(f),
            f.detail
        );
        if f.declared.is_empty() {
            out += "  declared: nothing\n";
        }
        for d in &f.declared {
            out += &format!(
                "  declared: `{}` {}, {}{}\n",
                d.name,
                d.category,
                d.lifetime.as_deref().unwrap_or("no lifetime given"),
                d.when
                    .as_ref()
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default()
            );
        }
    }
    match findings.len() {
        0 => {
            out += "no findings: every cookie is declared, within its lifetime, and only necessary ones are set without consent\n"
        }
        1 => out += "1 finding\n",
        n => out += &format!("{n} findings\n"),
    }
    out
}

fn problem_word(finding: &Finding) -> &'static str {
    match finding.problem {
        cookie_audit::Problem::Undeclared => "undeclared",
        cookie_audit::Problem::LongerThanDeclared => "longer than declared",
        cookie_audit::Problem::BeforeConsent => "set without consent",
        cookie_audit::Problem::AfterRefusal => "kept after refusal",
    }
}
