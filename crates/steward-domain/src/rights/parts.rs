//! The parts of a request: one per place it must reach. The vault always;
//! each system of the policy that holds data the right concerns (done by its
//! connector, or by a person where Steward cannot reach it); and for
//! rectification, erasure and restriction each recipient that is not a
//! processor, who must be told (Art. 19).

use std::str::FromStr;

use crate::common::names::{UnknownName, names};
use crate::policy::{Policy, Purpose, Recipient, RecipientRole, System, is_within};
use crate::rights::request::RequestKind;

/// Where a part does its work.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PartTarget {
    /// Steward's own vault.
    Vault,
    /// A system the policy declares, by its id.
    System(String),
    /// A recipient the policy declares, by its id: told by letter.
    Recipient(String),
}

impl PartTarget {
    /// How people read it: `vault`, the system's id, `recipient:<id>`.
    pub fn label(&self) -> String {
        match self {
            PartTarget::Vault => "vault".into(),
            PartTarget::System(id) => id.clone(),
            PartTarget::Recipient(id) => format!("recipient:{id}"),
        }
    }

    /// How it is stored: `vault`, `system:<id>`, `recipient:<id>`, so no
    /// system id can be taken for the vault.
    pub fn stored(&self) -> String {
        match self {
            PartTarget::Vault => "vault".into(),
            PartTarget::System(id) => format!("system:{id}"),
            PartTarget::Recipient(id) => format!("recipient:{id}"),
        }
    }
}

impl FromStr for PartTarget {
    type Err = UnknownName;

    /// Reads the stored form.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "vault" {
            return Ok(PartTarget::Vault);
        }
        let unknown = || UnknownName {
            what: "part target",
            value: text.to_owned(),
            expected: "vault, system:<id>, recipient:<id>".into(),
        };
        match text.split_once(':') {
            Some(("system", id)) if !id.is_empty() => Ok(PartTarget::System(id.to_owned())),
            Some(("recipient", id)) if !id.is_empty() => Ok(PartTarget::Recipient(id.to_owned())),
            _ => Err(unknown()),
        }
    }
}

/// What a part does where it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartAction {
    /// Gather what is held (access and portability).
    Access,
    Erase,
    Rectify,
    Restrict,
    LiftRestriction,
    Object,
    WithdrawConsent,
    Unsubscribe,
    /// Tell a recipient (Art. 19).
    Notify,
}

names!(PartAction, "part action", {
    Access => "access",
    Erase => "erase",
    Rectify => "rectify",
    Restrict => "restrict",
    LiftRestriction => "lift_restriction",
    Object => "object",
    WithdrawConsent => "withdraw_consent",
    Unsubscribe => "unsubscribe",
    Notify => "notify",
});

impl PartAction {
    /// What the vault and each system are asked to do for a request.
    pub fn for_request(kind: RequestKind) -> Self {
        match kind {
            RequestKind::Access | RequestKind::Portability => PartAction::Access,
            RequestKind::Erasure => PartAction::Erase,
            RequestKind::Rectification => PartAction::Rectify,
            RequestKind::Restriction => PartAction::Restrict,
            RequestKind::LiftRestriction => PartAction::LiftRestriction,
            RequestKind::Objection => PartAction::Object,
            RequestKind::ConsentWithdrawal => PartAction::WithdrawConsent,
            RequestKind::Unsubscribe => PartAction::Unsubscribe,
        }
    }
}

/// Where a part stands: waiting (to be claimed, or for a person), being
/// carried out, done, or failed for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartState {
    Pending,
    Running,
    Done,
    Failed,
}

names!(PartState, "part state", {
    Pending => "pending",
    Running => "running",
    Done => "done",
    Failed => "failed",
});

impl PartState {
    /// Whether the part has ended, well or not.
    pub fn has_ended(self) -> bool {
        matches!(self, PartState::Done | PartState::Failed)
    }
}

/// A part as planned: where, what, and whether a person must do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPart {
    pub target: PartTarget,
    pub action: PartAction,
    /// No connector can do it: it waits for a person to do it and say so.
    pub manual: bool,
}

/// What a request asks, as planning its parts needs it.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub kind: RequestKind,
    /// Rectification: the category corrected.
    pub category: Option<&'a str>,
    /// Objection, consent withdrawal: the purpose.
    pub purpose: Option<&'a str>,
    /// The subject's data in the vault, as (category, purposes it was
    /// collected for): which standing recipients had any of it.
    pub held: &'a [(&'a str, &'a [String])],
    /// Recipients the disclosure log shows received some of the subject's
    /// data.
    pub disclosed: &'a [&'a str],
}

/// The parts of a request. `automatic` says whether a system's connector
/// can do an action itself.
pub fn plan(
    policy: &Policy,
    asked: &Asked<'_>,
    automatic: &dyn Fn(&str, PartAction, Option<&str>) -> bool,
) -> Vec<PlannedPart> {
    let Asked {
        kind,
        category,
        purpose,
        ..
    } = *asked;
    let action = PartAction::for_request(kind);
    let mut parts = vec![PlannedPart {
        target: PartTarget::Vault,
        action,
        manual: false,
    }];
    for system in &policy.systems {
        let holds_category =
            category.is_some_and(|c| system.categories.iter().any(|held| is_within(c, held)));
        let by_connector = automatic(&system.id, action, category);
        let needed = match kind {
            RequestKind::Access
            | RequestKind::Portability
            | RequestKind::Erasure
            | RequestKind::Restriction
            | RequestKind::LiftRestriction => true,
            RequestKind::Rectification => by_connector || holds_category,
            // Every system holding data the purpose uses must stop using it
            // for that purpose: by its connector, or by a person told to.
            RequestKind::Objection | RequestKind::ConsentWithdrawal | RequestKind::Unsubscribe => {
                by_connector || serves(policy, system, kind, purpose)
            }
        };
        if needed {
            parts.push(PlannedPart {
                target: PartTarget::System(system.id.clone()),
                action,
                manual: !by_connector,
            });
        }
    }
    if kind.recipients_are_told() {
        for recipient in &policy.recipients {
            // Art. 19 concerns recipients the data was disclosed to: by the
            // log, or as a standing disclosure of what is held. One that
            // never received any of the subject's data hears nothing (and
            // learns nothing of them).
            let disclosed = asked.disclosed.contains(&recipient.id.as_str())
                || (recipient.standing && received(recipient, asked.held));
            if recipient.role != RecipientRole::Processor && disclosed {
                parts.push(PlannedPart {
                    target: PartTarget::Recipient(recipient.id.clone()),
                    action: PartAction::Notify,
                    manual: false,
                });
            }
        }
    }
    parts
}

/// Whether `recipient` receives, by the policy, any of the data held: a
/// category it receives (all its purposes' when it names none), collected
/// for a purpose it receives it for. For a standing disclosure, whether it
/// has some of the subject's data.
pub fn received(recipient: &Recipient, held: &[(&str, &[String])]) -> bool {
    held.iter().any(|(category, purposes)| {
        purposes.iter().any(|p| recipient.purposes.contains(p))
            && (recipient.categories.is_empty()
                || recipient.categories.iter().any(|c| is_within(category, c)))
    })
}

/// Whether `system` holds data of a purpose the request concerns: the one
/// named, or for an unsubscription (or an objection to direct marketing as a
/// whole) every direct-marketing purpose.
fn serves(policy: &Policy, system: &System, kind: RequestKind, purpose: Option<&str>) -> bool {
    let concerned = |p: &Purpose| match (kind, purpose) {
        (RequestKind::Unsubscribe, _) | (_, Some("direct_marketing")) => p.direct_marketing,
        (_, Some(id)) => p.id == id,
        (_, None) => false,
    };
    policy.purposes.iter().filter(|p| concerned(p)).any(|p| {
        p.categories.iter().any(|used| {
            system
                .categories
                .iter()
                .any(|held| is_within(held, used) || is_within(used, held))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_stored_apart_from_what_a_system_could_be_called() {
        for target in [
            PartTarget::Vault,
            PartTarget::System("vault".into()),
            PartTarget::Recipient("partner".into()),
        ] {
            assert_eq!(target.stored().parse::<PartTarget>(), Ok(target.clone()));
        }
        assert_eq!(PartTarget::System("crm".into()).label(), "crm");
        assert!("crm".parse::<PartTarget>().is_err());
        assert!("system:".parse::<PartTarget>().is_err());
    }

    const POLICY: &str = r#"
[policy]
id = "t"
version = "1.0"
effective = 2025-01-01
languages = ["en"]
[controller]
name = "T AB"
address = "Stockholm"
email = "p@t.se"
[[subject_type]]
id = "customer"
name = { en = "Customers" }
[[category]]
id = "contact"
name = { en = "Contact details" }
[[category]]
id = "contact.email"
name = { en = "E-mail address" }
[[category]]
id = "order"
name = { en = "Orders" }
[[purpose]]
id = "orders"
name = { en = "Orders" }
description = { en = "Delivering orders." }
legal_basis = "contract"
subjects = ["customer"]
categories = ["contact", "order"]
[[purpose]]
id = "shop_news"
name = { en = "News" }
description = { en = "News from the shop." }
legal_basis = "legitimate_interests"
legitimate_interest = { en = "To tell customers about new products." }
direct_marketing = true
subjects = ["customer"]
categories = ["contact.email"]
[[recipient]]
id = "carrier"
name = "Carrier AB"
role = "independent_controller"
country = "SE"
standing = true
purposes = ["orders"]
categories = ["contact"]
[[recipient]]
id = "auditor"
name = "Auditor AB"
role = "independent_controller"
country = "SE"
purposes = ["orders"]
[[recipient]]
id = "hosting"
name = "Hosting AB"
role = "processor"
country = "SE"
purposes = ["orders"]
categories = ["contact", "order"]
[[retention]]
id = "orders"
categories = ["contact", "order"]
purposes = ["orders"]
period = "1 year"
after = "contract_end"
[[system]]
id = "crm"
name = "CRM"
categories = ["contact"]
[[system]]
id = "shop"
name = "Shop"
categories = ["order"]
"#;

    #[test]
    fn erasure_reaches_every_system_and_tells_recipients_but_not_processors() {
        let report = crate::check(POLICY);
        let policy = report.policy.expect("valid policy");
        let crm_erases = |system: &str, action: PartAction, _: Option<&str>| {
            system == "crm" && action == PartAction::Erase
        };
        let orders = vec!["orders".to_owned()];
        let held = [("contact.email", orders.as_slice())];
        let parts = plan(
            &policy,
            &Asked {
                kind: RequestKind::Erasure,
                category: None,
                purpose: None,
                held: &held,
                disclosed: &[],
            },
            &crm_erases,
        );
        let seen: Vec<(String, &str, bool)> = parts
            .iter()
            .map(|p| (p.target.stored(), p.action.as_str(), p.manual))
            .collect();
        assert_eq!(
            seen,
            [
                ("vault".to_owned(), "erase", false),
                ("system:crm".to_owned(), "erase", false),
                ("system:shop".to_owned(), "erase", true),
                ("recipient:carrier".to_owned(), "notify", false),
            ]
        );
    }

    #[test]
    fn rectification_reaches_only_systems_that_hold_the_category_or_can_correct_it() {
        let policy = crate::check(POLICY).policy.expect("valid policy");
        let nothing_automatic = |_: &str, _: PartAction, _: Option<&str>| false;
        let orders = vec!["orders".to_owned()];
        let held = [("contact.email", orders.as_slice())];
        let parts = plan(
            &policy,
            &Asked {
                kind: RequestKind::Rectification,
                category: Some("contact.email"),
                purpose: None,
                held: &held,
                disclosed: &[],
            },
            &nothing_automatic,
        );
        let targets: Vec<String> = parts.iter().map(|p| p.target.stored()).collect();
        assert_eq!(targets, ["vault", "system:crm", "recipient:carrier"]);
    }

    #[test]
    fn only_recipients_that_received_some_of_the_subjects_data_are_told() {
        let policy = crate::check(POLICY).policy.expect("valid policy");
        let nothing_automatic = |_: &str, _: PartAction, _: Option<&str>| false;
        let told = |held: &[(&str, &[String])]| {
            plan(
                &policy,
                &Asked {
                    kind: RequestKind::Erasure,
                    category: None,
                    purpose: None,
                    held,
                    disclosed: &[],
                },
                &nothing_automatic,
            )
            .iter()
            .filter(|p| matches!(p.target, PartTarget::Recipient(_)))
            .count()
        };
        let orders = vec!["orders".to_owned()];
        let news = vec!["shop_news".to_owned()];
        // The carrier gets contact details for orders.
        assert_eq!(told(&[("contact.email", orders.as_slice())]), 1);
        // Not an order's own data, nor contact details kept for the news.
        // (The carrier names its categories; one that names none receives
        // whatever its purposes use.)
        assert_eq!(told(&[("order", orders.as_slice())]), 0);
        assert_eq!(told(&[("contact.email", news.as_slice())]), 0);
        // Nothing held (no subject found): no one is written to.
        assert_eq!(told(&[]), 0);
    }

    #[test]
    fn a_recipient_without_a_standing_disclosure_is_told_only_what_the_log_shows() {
        let policy = crate::check(POLICY).policy.expect("valid policy");
        let nothing_automatic = |_: &str, _: PartAction, _: Option<&str>| false;
        let orders = vec!["orders".to_owned()];
        let held = [("order", orders.as_slice())];
        let told = |disclosed: &[&str]| -> Vec<String> {
            plan(
                &policy,
                &Asked {
                    kind: RequestKind::Erasure,
                    category: None,
                    purpose: None,
                    held: &held,
                    disclosed,
                },
                &nothing_automatic,
            )
            .iter()
            .filter(|p| matches!(p.target, PartTarget::Recipient(_)))
            .map(|p| p.target.stored())
            .collect()
        };
        // The auditor could receive order data under the policy, but only a
        // recorded disclosure says it did.
        assert!(told(&[]).is_empty());
        assert_eq!(told(&["auditor"]), ["recipient:auditor"]);
    }

    #[test]
    fn an_objection_reaches_every_system_holding_the_purposes_data() {
        let policy = crate::check(POLICY).policy.expect("valid policy");
        let nothing_automatic = |_: &str, _: PartAction, _: Option<&str>| false;
        let targets = |kind, purpose| {
            plan(
                &policy,
                &Asked {
                    kind,
                    category: None,
                    purpose,
                    held: &[],
                    disclosed: &[],
                },
                &nothing_automatic,
            )
            .iter()
            .map(|p| (p.target.stored(), p.manual))
            .collect::<Vec<_>>()
        };
        let crm = vec![("vault".to_owned(), false), ("system:crm".to_owned(), true)];
        // The newsletter uses e-mail addresses, which only the CRM holds.
        assert_eq!(targets(RequestKind::Objection, Some("shop_news")), crm);
        assert_eq!(
            targets(RequestKind::Objection, Some("direct_marketing")),
            crm
        );
        assert_eq!(targets(RequestKind::Unsubscribe, None), crm);
        // Orders use contact details and orders: both systems.
        assert_eq!(
            targets(RequestKind::ConsentWithdrawal, Some("orders")).len(),
            3
        );
    }
}
