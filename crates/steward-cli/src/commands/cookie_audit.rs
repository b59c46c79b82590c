//! What `steward cookies scan` finds: the cookies seen in three visits
//! compared with the policy's `[[cookie]]` declarations. Pure: no browser,
//! no clock (the caller passes when the cookies were read).

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use steward_domain::common::lang::Lang;
use steward_domain::policy::{Cookie, CookieCategory, CookieLifetime};

/// How much longer than declared a cookie may live: servers round, clocks
/// differ, and a cookie set "for a year" at 23:59 is not a finding.
const TOLERANCE: SignedDuration = SignedDuration::from_hours(24);

/// The three visits, each in a fresh browser profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visit {
    /// Loaded and waited, no interaction.
    Before,
    /// Accept-all clicked, then the page loaded again.
    Accepted,
    /// Refuse-all clicked, then the page loaded again.
    Refused,
}

impl Visit {
    pub fn describe(self) -> &'static str {
        match self {
            Visit::Before => "before consent",
            Visit::Accepted => "after accepting all",
            Visit::Refused => "after refusing all",
        }
    }
}

/// A cookie the browser held at the end of a visit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeenCookie {
    pub name: String,
    pub domain: String,
    pub path: String,
    /// `None`: a session cookie.
    pub expires: Option<Timestamp>,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: Option<String>,
}

/// What is wrong with a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// No declaration matches its name.
    Undeclared,
    /// It lives longer than every matching declaration allows.
    LongerThanDeclared,
    /// A cookie that is not strictly necessary, set before any consent.
    BeforeConsent,
    /// A cookie that is not strictly necessary, kept after refusal.
    AfterRefusal,
}

/// A declaration as a finding shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declared {
    pub name: String,
    /// `necessary`, `preferences`, `statistics` or `marketing`.
    pub category: &'static str,
    /// `session`, a period such as `1 year`, or `None` when the policy does
    /// not say.
    pub lifetime: Option<String>,
    /// The condition of this variant, in English where the policy has it.
    pub when: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub cookie: String,
    pub domain: String,
    pub visit: Visit,
    pub problem: Problem,
    /// What is wrong, in a sentence.
    pub detail: String,
    /// The declarations it was compared with (empty when undeclared).
    pub declared: Vec<Declared>,
}

/// Whether a declared name (`_ga`, `comment_author_*`, `*`) covers a cookie name.
pub fn name_matches(declared: &str, name: &str) -> bool {
    match declared.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => declared == name,
    }
}

fn category_word(category: CookieCategory) -> &'static str {
    match category {
        CookieCategory::Necessary => "necessary",
        CookieCategory::Preferences => "preferences",
        CookieCategory::Statistics => "statistics",
        CookieCategory::Marketing => "marketing",
    }
}

fn declared(cookie: &Cookie) -> Declared {
    Declared {
        name: cookie.name.clone(),
        category: category_word(cookie.category),
        lifetime: cookie.lifetime.map(|l| match l {
            CookieLifetime::Session => "session".to_owned(),
            CookieLifetime::Persistent(period) => period.to_string(),
        }),
        // The report is in English; a policy without English gives its own.
        when: cookie.when.as_ref().map(|w| w.get(Lang::En).to_owned()),
    }
}

/// Whether a declaration allows a cookie that expires at `expires`, read at `now`.
fn lifetime_allowed(declaration: &Cookie, expires: Option<Timestamp>, now: Timestamp) -> bool {
    let Some(expires) = expires else {
        // A session cookie is never longer than any declared lifetime.
        return true;
    };
    match declaration.lifetime {
        // The linter reports a missing lifetime; there is nothing to compare.
        None => true,
        Some(CookieLifetime::Session) => false,
        Some(CookieLifetime::Persistent(period)) => {
            latest_end(period, now).is_none_or(|latest| expires <= latest)
        }
    }
}

/// `now` + `period` + the tolerance, by calendar arithmetic in UTC; `None`
/// past the calendar's range (then anything is allowed).
fn latest_end(period: steward_domain::common::period::Period, now: Timestamp) -> Option<Timestamp> {
    let end = now
        .to_zoned(TimeZone::UTC)
        .checked_add(period.span()?)
        .ok()?
        .timestamp();
    end.checked_add(TOLERANCE).ok()
}

/// Every finding of the three visits' cookies against the declarations.
/// An undeclared cookie, and one living too long, is reported once, at the
/// first visit it is seen in.
pub fn audit(
    declarations: &[Cookie],
    visits: &[(Visit, Timestamp, &[SeenCookie])],
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    let reported = |findings: &[Finding], seen: &SeenCookie, problem: Problem| {
        findings
            .iter()
            .any(|f| f.cookie == seen.name && f.domain == seen.domain && f.problem == problem)
    };
    for &(visit, now, cookies) in visits {
        for seen in cookies {
            let matching: Vec<&Cookie> = declarations
                .iter()
                .filter(|d| name_matches(&d.name, &seen.name))
                .collect();
            let finding = |problem, detail: String, compared: &[&Cookie]| Finding {
                cookie: seen.name.clone(),
                domain: seen.domain.clone(),
                visit,
                problem,
                detail,
                declared: compared.iter().map(|d| declared(d)).collect(),
            };
            if matching.is_empty() {
                if !reported(&findings, seen, Problem::Undeclared) {
                    findings.push(finding(
                        Problem::Undeclared,
                        "no [[cookie]] in the policy declares this name".to_owned(),
                        &[],
                    ));
                }
                continue;
            }
            let allowed: Vec<&Cookie> = matching
                .iter()
                .copied()
                .filter(|d| lifetime_allowed(d, seen.expires, now))
                .collect();
            if allowed.is_empty() && !reported(&findings, seen, Problem::LongerThanDeclared) {
                let detail = match seen.expires {
                    Some(at) => {
                        // Rounded: it was read a moment after it was set.
                        let days = (at.as_second() - now.as_second() + 43_200).div_euclid(86_400);
                        format!(
                            "it expires {} ({days} day{} after the visit), longer than declared",
                            at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                            if days == 1 { "" } else { "s" }
                        )
                    }
                    None => "a session cookie longer than declared".to_owned(),
                };
                findings.push(finding(Problem::LongerThanDeclared, detail, &matching));
            }
            // The category is judged by the declarations its lifetime fits
            // (all of them when none does: that is reported above).
            let candidates = if allowed.is_empty() {
                &matching
            } else {
                &allowed
            };
            let necessary = candidates
                .iter()
                .any(|d| d.category == CookieCategory::Necessary);
            if necessary {
                continue;
            }
            let categories = candidates
                .iter()
                .map(|d| category_word(d.category))
                .collect::<Vec<_>>()
                .join(" or ");
            match visit {
                Visit::Before => findings.push(finding(
                    Problem::BeforeConsent,
                    format!("a {categories} cookie, set before any consent"),
                    candidates,
                )),
                Visit::Refused => findings.push(finding(
                    Problem::AfterRefusal,
                    format!("a {categories} cookie, still set after refusing all"),
                    candidates,
                )),
                Visit::Accepted => {}
            }
        }
    }
    findings.sort_by(|a, b| {
        (a.visit, &a.cookie, &a.domain, a.problem).cmp(&(b.visit, &b.cookie, &b.domain, b.problem))
    });
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_domain::common::period::Period;
    use steward_domain::policy::Text;

    fn declare(name: &str, category: CookieCategory, lifetime: &str) -> Cookie {
        Cookie {
            name: name.to_owned(),
            span: Default::default(),
            category,
            lifetime: Some(if lifetime == "session" {
                CookieLifetime::Session
            } else {
                CookieLifetime::Persistent(Period::parse(lifetime).unwrap())
            }),
            when: None,
            purpose: None,
            provider: None,
            description: Text::neutral("test"),
            assumed: Vec::new(),
        }
    }

    fn now() -> Timestamp {
        "2026-01-31T12:00:00Z".parse().unwrap()
    }

    fn seen(name: &str, days: Option<i64>) -> SeenCookie {
        SeenCookie {
            name: name.to_owned(),
            domain: "example.com".to_owned(),
            path: "/".to_owned(),
            expires: days.map(|d| now() + SignedDuration::from_hours(24 * d)),
            secure: false,
            http_only: false,
            same_site: None,
        }
    }

    fn problems(findings: &[Finding]) -> Vec<(&str, Visit, Problem)> {
        findings
            .iter()
            .map(|f| (f.cookie.as_str(), f.visit, f.problem))
            .collect()
    }

    #[test]
    fn names_match_exactly_by_prefix_or_all() {
        assert!(name_matches("_ga", "_ga"));
        assert!(!name_matches("_ga", "_gat"));
        assert!(name_matches("comment_author_*", "comment_author_ab12"));
        assert!(!name_matches("comment_author_*", "comment_autho"));
        assert!(name_matches("*", "anything"));
    }

    #[test]
    fn an_undeclared_cookie_is_reported_once_at_its_first_visit() {
        let declarations = [declare("sid", CookieCategory::Necessary, "session")];
        let cookies = [seen("sid", None), seen("tracker", Some(10))];
        let findings = audit(
            &declarations,
            &[
                (Visit::Before, now(), &cookies),
                (Visit::Accepted, now(), &cookies),
                (Visit::Refused, now(), &cookies),
            ],
        );
        assert_eq!(
            problems(&findings),
            [("tracker", Visit::Before, Problem::Undeclared)]
        );
        assert!(findings[0].declared.is_empty());
        assert_eq!(findings[0].domain, "example.com");
    }

    #[test]
    fn a_persistent_cookie_declared_only_as_session_lives_too_long() {
        let declarations = [declare("sid", CookieCategory::Necessary, "session")];
        let findings = audit(
            &declarations,
            &[(Visit::Accepted, now(), &[seen("sid", Some(1))])],
        );
        assert_eq!(
            problems(&findings),
            [("sid", Visit::Accepted, Problem::LongerThanDeclared)]
        );
        assert_eq!(findings[0].declared[0].lifetime.as_deref(), Some("session"));
        assert_eq!(
            findings[0].detail,
            "it expires 2026-02-01T12:00:00Z (1 day after the visit), longer than declared"
        );
    }

    #[test]
    fn expiry_is_compared_with_the_period_in_calendar_units_plus_a_day() {
        let declarations = [declare("pref", CookieCategory::Necessary, "1 month")];
        // 31 January + 1 month is 28 February: 28 days, 29 with the tolerance.
        for (days, long) in [(28, false), (29, false), (30, true)] {
            let findings = audit(
                &declarations,
                &[(Visit::Accepted, now(), &[seen("pref", Some(days))])],
            );
            assert_eq!(!findings.is_empty(), long, "{days} days");
        }
        // A session cookie is within any declared lifetime.
        assert!(
            audit(
                &declarations,
                &[(Visit::Accepted, now(), &[seen("pref", None)])]
            )
            .is_empty()
        );
    }

    #[test]
    fn any_matching_declaration_may_allow_a_cookie() {
        // As WordPress: two days, or two weeks "if you select Remember Me".
        let mut remember = declare(
            "wordpress_logged_in_*",
            CookieCategory::Necessary,
            "2 weeks",
        );
        remember.when = Some(Text::neutral("if you select Remember Me"));
        let declarations = [
            declare("wordpress_logged_in_*", CookieCategory::Necessary, "2 days"),
            remember,
        ];
        let ten_days = [seen("wordpress_logged_in_abc", Some(10))];
        assert!(audit(&declarations, &[(Visit::Before, now(), &ten_days)]).is_empty());
        let month = [seen("wordpress_logged_in_abc", Some(30))];
        let findings = audit(&declarations, &[(Visit::Before, now(), &month)]);
        assert_eq!(
            problems(&findings),
            [(
                "wordpress_logged_in_abc",
                Visit::Before,
                Problem::LongerThanDeclared
            )]
        );
        assert_eq!(findings[0].declared.len(), 2, "both are shown");
        assert_eq!(
            findings[0].declared[1].when.as_deref(),
            Some("if you select Remember Me")
        );
    }

    #[test]
    fn non_necessary_cookies_before_consent_and_after_refusal_are_findings() {
        let declarations = [
            declare("sid", CookieCategory::Necessary, "session"),
            declare("_ga", CookieCategory::Statistics, "13 months"),
            declare("ads_*", CookieCategory::Marketing, "30 days"),
        ];
        let before = [seen("sid", None), seen("ads_id", Some(30))];
        let accepted = [seen("sid", None), seen("_ga", Some(390))];
        let refused = [seen("sid", None), seen("_ga", Some(390))];
        let findings = audit(
            &declarations,
            &[
                (Visit::Before, now(), &before),
                (Visit::Accepted, now(), &accepted),
                (Visit::Refused, now(), &refused),
            ],
        );
        assert_eq!(
            problems(&findings),
            [
                ("ads_id", Visit::Before, Problem::BeforeConsent),
                ("_ga", Visit::Refused, Problem::AfterRefusal),
            ]
        );
        assert_eq!(findings[0].declared[0].category, "marketing");
        assert!(findings[1].detail.contains("statistics"));
    }

    #[test]
    fn a_name_declared_both_necessary_and_not_is_judged_by_the_fitting_lifetime() {
        let declarations = [
            declare("pref", CookieCategory::Necessary, "session"),
            declare("pref", CookieCategory::Preferences, "1 year"),
        ];
        // As a session cookie it may be the necessary one.
        assert!(
            audit(
                &declarations,
                &[(Visit::Before, now(), &[seen("pref", None)])]
            )
            .is_empty()
        );
        // Kept for a year it can only be the preference.
        let findings = audit(
            &declarations,
            &[(Visit::Before, now(), &[seen("pref", Some(300))])],
        );
        assert_eq!(
            problems(&findings),
            [("pref", Visit::Before, Problem::BeforeConsent)]
        );
        assert_eq!(findings[0].declared.len(), 1);
    }

    #[test]
    fn the_wildcard_declares_every_name() {
        let declarations = [declare("*", CookieCategory::Necessary, "1 day")];
        assert!(
            audit(
                &declarations,
                &[(Visit::Before, now(), &[seen("whatever", Some(1))])]
            )
            .is_empty()
        );
    }
}
