//! Each policy against the notice it encodes (`shared/seeds/`): the notice
//! Steward renders, in the notice's own language, contains every concrete
//! promise of the original, listed here by the original's sections, and no
//! absolute claim the original does not make.
//!
//! Each promise is tagged with what Steward does with it: `Enforced` (the
//! vault, the rights service, retention or the disclosure path keep it at
//! run time), `Declared` (rendered only: it is about the organisation's
//! websites, staff or systems, or Steward does not do it yet) and `Info`
//! (contact details, the authority: nothing to enforce). The closing note's
//! recount comes from these lists (`promise_counts`).

use steward_domain::common::lang::Lang;
use steward_domain::publish::notice;
use steward_domain::publish::texts::t;

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Enforced,
    Declared,
    Info,
}
use Kind::{Declared, Enforced, Info};

/// One promise: what Steward does with it, and the phrases (all of them)
/// that must appear in the rendered notice for it to be there.
type Promise = (Kind, &'static [&'static str]);

struct Original {
    policy: &'static str,
    lang: Lang,
    /// The original's sections, each with its promises.
    sections: &'static [(&'static str, &'static [Promise])],
    /// Values the original does not give: rendered, but marked.
    marked: &'static [&'static str],
    /// Catalogue sentences of absolute claims the original itself makes.
    claims: &'static [&'static str],
    /// Words of earlier encodings that changed the original's meaning.
    never: &'static [&'static str],
}

/// Absolute statements from the catalogue. Each may be rendered only where
/// the original makes it (`claims`): an absence in a policy is no promise.
const ABSOLUTE: &[&str] = &[
    "recipients.none",
    "transfers.none",
    "sources.none",
    "automated.no",
    "automated.no_profiling",
    // "It does not lead to decisions with legal ... effects on you."
    "automated.profiling",
    "consent.none",
];

/// The longest fixed part of a catalogue text (between `{placeholders}`):
/// what cannot appear unless the text was used.
fn fixed_part(text: &str) -> &str {
    text.split(['{', '}'])
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, part)| part.trim())
        .max_by_key(|part| part.len())
        .unwrap_or(text)
}

/// The notice as a reader sees it: Markdown's escapes removed.
fn rendered(name: &str, lang: Lang) -> String {
    let policy = load(&source_policy_text(name));
    notice::markdown(&policy, lang)
        .expect("the notice renders")
        .replace('\\', "")
}

fn check(original: &Original) {
    let text = rendered(original.policy, original.lang);
    let mut missing = Vec::new();
    for (section, promises) in original.sections {
        for (_, phrases) in *promises {
            for phrase in *phrases {
                if !text.contains(phrase) {
                    missing.push(format!("{section}: `{phrase}`"));
                }
            }
        }
    }
    let marker = t(original.lang, "assumed.marker");
    for value in original.marked {
        let marked = format!("{value} {marker}");
        if !text.contains(&marked) {
            missing.push(format!("marked as assumed: `{marked}`"));
        }
    }
    assert!(
        missing.is_empty(),
        "{}: the rendered notice lacks promises of the original:\n{}\n\n{text}",
        original.policy,
        missing.join("\n")
    );

    let mut invented = Vec::new();
    for key in ABSOLUTE {
        if original.claims.contains(key) {
            continue;
        }
        let sentence = fixed_part(t(original.lang, key));
        if text.contains(sentence) {
            invented.push(format!("{key}: `{sentence}`"));
        }
    }
    for words in original.never {
        if text.contains(words) {
            invented.push(format!("`{words}`"));
        }
    }
    assert!(
        invented.is_empty(),
        "{}: the rendered notice says what the original does not:\n{}",
        original.policy,
        invented.join("\n")
    );
}

const CADCRAFT: Original = Original {
    policy: "cadcraft",
    lang: Lang::En,
    sections: &[
        ("Privacy", &[(Info, &["Privacy notice of Cadcraft"])]),
        (
            "What kind of data do we collect?",
            &[
                (Enforced, &["Identity details: Name"]),
                (Enforced, &["Contact details: Address"]),
                (Enforced, &["Contact details: E-mail address"]),
                (Enforced, &["Contact details: Telephone number"]),
                (Enforced, &["Personal identity number"]),
                (Enforced, &["Services you have"]),
                (Enforced, &["Use of our services"]),
                (Enforced, &["Orders – The orders you place with us"]),
                (Enforced, &["User ID"]),
                (Enforced, &["Password"]),
                (Enforced, &["Information from your contacts with us"]),
            ],
        ),
        (
            "How do we collect data?",
            &[
                (Enforced, &["directly from you"]),
                (Enforced, &["created when you use our services"]),
                (
                    Enforced,
                    &["Personal registers (a publicly accessible source)"],
                ),
                (
                    Enforced,
                    &["Records used for credit assessment: Credit information"],
                ),
                (
                    Enforced,
                    &["cookies on our web pages collect on and from your browser"],
                ),
            ],
        ),
        (
            "What we use data for",
            &[
                (
                    Enforced,
                    &[
                        "identify you as a customer",
                        "handle and deliver your orders and services",
                    ],
                ),
                (Enforced, &["identify you as its representative"]),
            ],
        ),
        (
            "Other communication",
            &[
                (Enforced, &["information about our products and services"]),
                (Enforced, &["questions about our products and services"]),
                (
                    Enforced,
                    &[
                        "the call may be recorded",
                        "documented and analysed",
                        "train Cadcraft staff",
                    ],
                ),
            ],
        ),
        (
            "Development of services",
            &[
                (
                    Enforced,
                    &["develop and manage our operations, services and processes"],
                ),
                (Enforced, &["Statistics on the use of our services"]),
            ],
        ),
        (
            "How long we save data",
            &[
                (Enforced, &["We keep personal data no longer than needed"]),
                (Enforced, &["Bokföringslagen (1999:1078) 7 kap. 2 §"]),
            ],
        ),
        (
            "How we protect data",
            &[
                (
                    Declared,
                    &["protection of persons, information and IT infrastructure"],
                ),
                (
                    Declared,
                    &["prevent and detect that your data is spread to third parties or lost"],
                ),
                (
                    Enforced,
                    &["Only those who need your data for their duties are given access"],
                ),
                (
                    Enforced,
                    &["encrypted with generally recognised and secure encryption methods"],
                ),
                (Declared, &["combat spam and viruses"]),
            ],
        ),
        (
            "Right of access",
            &[
                (Enforced, &["Access (Art. 15)"]),
                (Enforced, &["without undue delay"]),
            ],
        ),
        (
            "Right to rectification",
            &[(
                Enforced,
                &["Rectification (Art. 16)", "incomplete data completed"],
            )],
        ),
        (
            "Right to erasure",
            &[
                (Enforced, &["when it is no longer needed"]),
                (Enforced, &["when you withdraw the consent it rests on"]),
                (Enforced, &["You may always object to direct marketing"]),
                (
                    Enforced,
                    &["when you object and we have no overriding grounds"],
                ),
                (Enforced, &["when it was processed unlawfully"]),
                (Enforced, &["when the law requires it"]),
            ],
        ),
    ],
    // The notice gives no contact details at all: the placeholder is marked,
    // never presented as Cadcraft's address; no legal basis, no period.
    marked: &[
        "E-mail: to-be-confirmed@cadcraft.invalid",
        "Address: Sweden",
        "contact us at to-be-confirmed@cadcraft.invalid",
        "performance of a contract with you, or steps at your request before entering into one (Art. 6(1)(b))",
        "90 days after the data was collected; then deleted",
    ],
    claims: &[],
    never: &[
        "contact details on Cadcraft's web pages",
        "With your consent",
    ],
};

const ELVETA: Original = Original {
    policy: "elveta",
    lang: Lang::Sv,
    sections: &[
        (
            "INTEGRITETSPOLICY",
            &[
                (Info, &["Picofrost AB är personuppgiftsansvarig"]),
                (
                    Info,
                    &["www.picofrost.com", "www.elveta.se", "Elvetas molnlösning"],
                ),
            ],
        ),
        (
            "Personuppgifter som vi samlar in och behandlar",
            &[
                (Enforced, &["Direktkunder"]),
                (
                    Enforced,
                    &["Partnerkunder", "personuppgifter lagras normalt inte"],
                ),
                (
                    Enforced,
                    &["De flesta personuppgifter samlar vi in direkt från dig"],
                ),
            ],
        ),
        (
            "Hur vi använder personuppgifter",
            &[
                (
                    Enforced,
                    &["### Leverans av tjänst/avtal", "(artikel 6.1 b)"],
                ),
                (
                    Enforced,
                    &[
                        "### Hantering av kundrelationer",
                        "kundtjänst, hantering av klagomål och felsökning",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "anonymiserade data",
                        "energianvändning, boende, utrustning och grov platsinformation",
                    ],
                ),
                (
                    Enforced,
                    &["Personlig information analyseras inte om det inte krävs för att uppfylla"],
                ),
                (
                    Enforced,
                    &[
                        "### Anpassad användarupplevelse",
                        "vårt berättigade intresse (artikel 6.1 f)",
                    ],
                ),
                (
                    Enforced,
                    &["### Försäljning och marknadsföring", "e-post från oss"],
                ),
                (Enforced, &["### Systemövervakning och felsökning"]),
                (
                    Enforced,
                    &["### Säkerhet, avslöjande av bedrägeri och kriminell verksamhet"],
                ),
                (
                    Enforced,
                    &[
                        "### Följa rättsliga åtaganden",
                        "rättslig förpliktelse (artikel 6.1 c): Bokföringslagen",
                    ],
                ),
            ],
        ),
        (
            "Dina rättigheter",
            &[
                (
                    Info,
                    &["Kontakta oss på info@picofrost.com för att utöva dina rättigheter"],
                ),
                (Enforced, &["Tillgång (artikel 15)"]),
                (Enforced, &["Rättelse (artikel 16)", "kompletterade"]),
                (Enforced, &["Radering (artikel 17)"]),
                (
                    Enforced,
                    &[
                        "sparas eftersom lagen kräver det",
                        "Bokföringslagen (1999:1078) 7 kap. 2 §",
                    ],
                ),
                (
                    Declared,
                    &["tjänster vi levererar kan komma att påverkas om personuppgifterna raderas"],
                ),
                // Run time: Steward's portability answer is still Art. 20's selection.
                (
                    Declared,
                    &[
                        "att få ut alla personuppgifter vi har om dig i ett strukturerat, allmänt använt och maskinläsbart format",
                    ],
                ),
            ],
        ),
        (
            "Du kan klaga på vår behandling av personuppgifter",
            &[
                (Info, &["får du gärna säga till oss först"]),
                (Info, &["Integritetsskyddsmyndigheten (IMY)"]),
            ],
        ),
        (
            "Cookies (Kakor)",
            &[
                (Declared, &["partner-API använder kakor"]),
                (Declared, &["ständiga kakor och sessionskakor"]),
                (Declared, &["tills webbläsaren stängs"]),
                (
                    Declared,
                    &["förblir giltig till det angivna utgångsdatumet"],
                ),
                (
                    Declared,
                    &["Kakor innehåller vanligtvis inte information som personligen identifierar"],
                ),
                (Enforced, &["Du har alltid möjlighet att neka kakor"]),
                (
                    Declared,
                    &["negativ inverkan på hemsidans och partner-API:ets användbarhet"],
                ),
                (Declared, &["inte att kunna använda alla funktioner"]),
            ],
        ),
        (
            "Kontakt",
            &[
                (Info, &["Organisationsnummer: 559387-0834"]),
                (Info, &["Täby, Sverige"]),
                (Info, &["+46 8 559 21 720"]),
                (Info, &["E-post: info@picofrost.com"]),
            ],
        ),
    ],
    // The notice names no hosting provider, no cookie lifetime or purpose.
    marked: &[
        "(behandlar uppgifterna för vår räkning enligt våra instruktioner)",
        "EU/EES",
        "12 månader",
        "samtycke (artikel 6.1 a)",
    ],
    claims: &[],
    never: &[
        "Leverantörer av molntjänster och IT-drift",
        "om du samtycker",
        "| nödvändig |",
        "artikel 20): att få ut de uppgifter du själv lämnat",
    ],
};

const CALECTRO: Original = Original {
    policy: "calectro",
    lang: Lang::En,
    sections: &[
        (
            "Take part of our Privacy Policy",
            &[(Info, &["Calectro AB is the controller"])],
        ),
        (
            "Type of personal data",
            &[
                (Enforced, &["Company name"]),
                (Enforced, &["Corporate identity number"]),
                (Enforced, &["Contact person"]),
                (Enforced, &["Visiting and invoicing address"]),
                (Enforced, &["Contact details: Telephone number"]),
                (Enforced, &["Contact details: E-mail address"]),
                (Enforced, &["Subpages visited"]),
                (Enforced, &["Browser settings"]),
                (Enforced, &["Website use: IP address"]),
                (Enforced, &["Location: Location"]),
                (
                    Enforced,
                    &["to identify nearby BLE (Bluetooth Low Energy) devices"],
                ),
            ],
        ),
        (
            "How do we collect data?",
            &[
                (
                    Declared,
                    &[
                        "If you choose not to provide your personal data, we may not be able to give you access to certain features or services",
                    ],
                ),
                (Declared, &["trade shows and customer visits"]),
                (
                    Enforced,
                    &["People who subscribe to our newsletter by e-mail"],
                ),
            ],
        ),
        (
            "Why we collect personal data",
            &[
                (Enforced, &["### Delivering our products"]),
                (
                    Enforced,
                    &["### The Calectro Assistant app and Calectro Cloud"],
                ),
                (Enforced, &["### Customer support"]),
                (Enforced, &["### Tailoring our product offers"]),
                (Enforced, &["### Contacting you with offers"]),
                (Enforced, &["### Newsletter"]),
            ],
        ),
        (
            "How do we store personal data?",
            &[
                (
                    Enforced,
                    &[
                        "stored in our CRM system, in our newsletter dispatch system, in the Calectro app database and in Calectro Cloud",
                    ],
                ),
                (
                    Declared,
                    &["protect the privacy and confidentiality of personal data"],
                ),
                (
                    Declared,
                    &[
                        "available only within Calectro's organisation and that of the system supplier",
                    ],
                ),
            ],
        ),
        (
            "How is the data deleted?",
            &[
                (
                    Enforced,
                    &["You can ask our customer service to delete it earlier"],
                ),
                (
                    Enforced,
                    &["To delete your app account, send a request to support@calectro.se"],
                ),
                (
                    Enforced,
                    &[
                        "removes all associated data in Calectro Assistant and Calectro Cloud",
                        "we cannot restore it",
                    ],
                ),
            ],
        ),
        (
            "Is personal data disclosed to third parties?",
            &[
                (
                    Enforced,
                    &[
                        "Logistics companies and carriers",
                        "processor (processes the data on our behalf",
                    ],
                ),
                (Enforced, &["Printing and distribution companies"]),
                (Enforced, &["E-mail dispatch services"]),
                (Enforced, &["Media and advertising agencies"]),
                (
                    Enforced,
                    &[
                        "Companies that manage critical operations, technical support and maintenance of our IT systems",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "Companies that manage technical support and maintenance of our cloud services",
                    ],
                ),
            ],
        ),
        (
            "Data we collect from third parties",
            &[
                (
                    Enforced,
                    &[
                        "Public address registers (a publicly accessible source): Visiting and invoicing address",
                    ],
                ),
                (
                    Enforced,
                    &["Credit rating institutes, banks and credit bureaus: Credit rating"],
                ),
                (
                    Enforced,
                    &["The service used to log in to our app: App login e-mail address"],
                ),
            ],
        ),
        (
            "Your rights",
            &[
                (Enforced, &["Access (Art. 15)"]),
                (Enforced, &["Rectification (Art. 16)"]),
                (Enforced, &["Restriction (Art. 18)"]),
                (Enforced, &["Erasure (Art. 17)"]),
                (Enforced, &["you may withdraw it at any time"]),
                (Info, &["Integritetsskyddsmyndigheten (IMY)"]),
            ],
        ),
        ("Who we are", &[(Info, &["https://www.calectro.se"])]),
        (
            "Comments",
            &[
                (
                    Enforced,
                    &["IP address of the commenter", "Browser user agent string"],
                ),
                (Enforced, &["Automated spam detection service"]),
                (
                    Enforced,
                    &["Gravatar (Automattic)", "Hash of the e-mail address"],
                ),
                (Info, &["https://automattic.com/privacy/"]),
                (
                    Declared,
                    &["your profile picture are visible to the public"],
                ),
            ],
        ),
        ("Media", &[(Declared, &["EXIF GPS"])]),
        (
            "Cookies",
            &[
                (Enforced, &["comment_author_*", "if you opt in"]),
                (Declared, &["| one year |"]),
                (
                    Declared,
                    &["wordpress_test_cookie", "until the browser is closed"],
                ),
                (Declared, &["wordpress_logged_in_*", "| 2 days |"]),
                (Declared, &["wp-settings-*"]),
                (Declared, &["Remember Me", "| 2 weeks |"]),
                (Declared, &["It is removed when you log out"]),
                (Declared, &["wp-saving-post", "| one day |", "post ID"]),
            ],
        ),
        (
            "Embedded content from other websites",
            &[(
                Declared,
                &["embedded content (such as videos, images and articles) from other websites"],
            )],
        ),
        (
            "How long we retain your data",
            &[
                (
                    Enforced,
                    &[
                        "Kept until further notice",
                        "recognise and approve any follow-up comments automatically",
                    ],
                ),
                (
                    Declared,
                    &[
                        "You can see, edit or delete your personal information at any time, except your username",
                    ],
                ),
                (
                    Declared,
                    &["our website administrators can also see and edit it"],
                ),
            ],
        ),
        (
            "What rights you have over your data",
            // Run time: Steward's portability answer is still Art. 20's selection.
            &[
                (
                    Declared,
                    &["an exported file of the personal data we hold about you"],
                ),
                (
                    Enforced,
                    &["kept because the law requires it (Art. 17(3)(b): Bokföringslagen"],
                ),
                (Declared, &["administrative, legal or security purposes"]),
            ],
        ),
    ],
    // Gravatar and spam detection: named by the notice; role, country and
    // safeguard are not.
    marked: &[
        "the European Commission's standard contractual clauses (Art. 46(2)(c))",
        "United States",
        "worldwide",
    ],
    claims: &[],
    never: &[],
};

const CONNECTEL: Original = Original {
    policy: "connectel",
    lang: Lang::En,
    sections: &[
        (
            "1. General information",
            &[
                (Info, &["Connectel AB"]),
                (Info, &["Organisation number: 556755-6559"]),
                (Info, &["Address: KIVRA: 556755-6559, 106 31 Stockholm"]),
                (Info, &["www.connectel.io"]),
                (Declared, &["we are our customers' processor"]),
                (
                    Declared,
                    &[
                        "we tell you who the customer is; the customer is the controller for that survey",
                    ],
                ),
            ],
        ),
        (
            "2.1 Administrating and developing our business and services",
            &[
                (Enforced, &["Contact details: Telephone number"]),
                (Enforced, &["Contact details: Name"]),
                (Enforced, &["Contact details: E-mail address"]),
                (Enforced, &["Employer or company"]),
                (
                    Enforced,
                    &["Contents of e-mails and chats with our helpdesk"],
                ),
                (Enforced, &["Recordings of phone calls to our helpdesk"]),
                (
                    Enforced,
                    &[
                        "### Customer service and delivery",
                        "our legitimate interests (Art. 6(1)(f)): To perform our obligations under the agreement",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "### Recording of support calls",
                        "we record your call only if you consent",
                        "consent (Art. 6(1)(a))",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "### Quality assurance of our helpdesk",
                        "To continually improve our services and operations",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "### Bookkeeping",
                        "a legal obligation (Art. 6(1)(c)): Bokföringslagen (1999:1078)",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "### Invoicing according to use",
                        "To measure how much our customers use our services",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "### News and seminars for users",
                        "To help users and customers get the most out of our services",
                    ],
                ),
            ],
        ),
        (
            "2.2 Technical data",
            &[
                (
                    Enforced,
                    &[
                        "### Protecting our services",
                        "To safeguard data within our services and to protect our business",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "### Protecting our electronic communications services",
                        "Lag (2022:482) om elektronisk kommunikation",
                    ],
                ),
                (Enforced, &["Participants of the communication"]),
                (
                    Enforced,
                    &["Source of the communication, including IP address"],
                ),
                (Enforced, &["Destination of the communication"]),
                (Enforced, &["Time of the communication"]),
                (Enforced, &["Duration of the communication"]),
                (Enforced, &["Type of communication"]),
                (Enforced, &["Equipment used for the communication"]),
                (Enforced, &["Our customers, who provide the traffic data"]),
                (Enforced, &["### Storing traffic data as required by law"]),
                (
                    Enforced,
                    &[
                        "### Developing our products and services",
                        "To monitor and develop our products and services",
                    ],
                ),
            ],
        ),
        (
            "2.3 Marketing activities",
            &[
                (Enforced, &["Role or position"]),
                (Enforced, &["Country – Given only if you choose to"]),
                (
                    Enforced,
                    &[
                        "### Events and customer relations",
                        "To manage our relations with existing and potential customers",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "### Product demos",
                        "before any agreement is made",
                        "(Art. 6(1)(b))",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "### Customer and event surveys",
                        "To improve our business and our events",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "### Improving our marketing",
                        "retargeting services and Google Analytics",
                    ],
                ),
            ],
        ),
        (
            "3. Responding to legal requests and preventing harm",
            &[
                (
                    Enforced,
                    &[
                        "### Responding to legal requests",
                        "search warrant, a court order",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "discover and stop abuse such as system hijacking, password leaks, virus attacks and fraud",
                    ],
                ),
            ],
        ),
        (
            "4. Disclosure of personal data",
            &[
                (
                    Enforced,
                    &["GetAccept AB", "under GetAccept DPA", "| Sweden |"],
                ),
                (
                    Enforced,
                    &[
                        "| Freshworks, Inc. | United States | the European Commission's standard contractual clauses",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "| SproutVideo, LLC | United States |",
                        "You approve SproutVideo, LLC's and Connectel AB's processing",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "| Hubspot | worldwide | the European Commission's standard contractual clauses",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "| LinkedIn Ireland Unlimited Company | worldwide |",
                        "transfers to other LinkedIn entities",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "| Amazon Web Services EMEA SARL | worldwide | the European Commission's standard contractual clauses",
                    ],
                ),
                (
                    Declared,
                    &["data of customers within the EU/EEA is processed within the EU/EEA"],
                ),
                (Enforced, &["| Teamtailor | worldwide |", "Teamtailor DPA"]),
                (
                    Enforced,
                    &[
                        "| Google LLC | worldwide |",
                        "Google Data privacy and security",
                    ],
                ),
                (
                    Info,
                    &["Google may use the transmitted data for any of its own purposes"],
                ),
                (Info, &["by writing to privacy@connectel.se"]),
                (
                    Declared,
                    &[
                        "If a customer instructs us to send personal data to other third parties, the customer informs you",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "Law enforcement authorities and courts",
                        "Rättegångsbalken (1942:740)",
                        "Lag (2012:278)",
                    ],
                ),
                (Enforced, &["Data protection authorities"]),
                (
                    Declared,
                    &["the personal data they collect is not in our control"],
                ),
            ],
        ),
        (
            "5. Cookies, pixels and other system technologies",
            &[(Info, &["https://www.connectel.co/legal/cookie-notice/"])],
        ),
        (
            "6.1 Administration and business development",
            &[
                (
                    Enforced,
                    &[
                        "120 months after the agreement has ended",
                        "as long as we archive agreements",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "the contact person has changed",
                        "delete the details that are no longer relevant without undue delay",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "Until the invoice has been paid",
                        "at least 6 months but at most 24 months",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "For the rest of the calendar year in which the financial year has ended and 7 years thereafter",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "| Recordings of phone calls to our helpdesk | Customer service and delivery and Recording of support calls | 30 days after the data was collected",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "| Contents of e-mails and chats with our helpdesk | Customer service and delivery | Until the customer relationship has ended",
                    ],
                ),
            ],
        ),
        (
            "6.2 Technical data",
            &[
                (
                    Enforced,
                    &[
                        "Authentication requests and system logs",
                        "kept on the system level",
                    ],
                ),
                (Declared, &["never stored unencrypted"]),
                (
                    Declared,
                    &["our customers also decide when data in our services is anonymised"],
                ),
            ],
        ),
        (
            "6.3 Marketing data",
            &[
                (
                    Enforced,
                    &[
                        "13 months after the data was collected, unless a customer relationship has begun first",
                    ],
                ),
                (
                    Enforced,
                    &["90 days after the data was collected; then anonymised"],
                ),
                (
                    Enforced,
                    &[
                        "| IP address and Tracking data | Improving our marketing | 13 months after the data was collected",
                    ],
                ),
            ],
        ),
        (
            "7. Children",
            &[
                (
                    Enforced,
                    &["Our services are not intended for persons under 18"],
                ),
                (
                    Enforced,
                    &[
                        "If you are a parent or guardian of a child",
                        "access, rectification, erasure, restriction and objection",
                    ],
                ),
            ],
        ),
        (
            "8. Your rights",
            &[
                (Enforced, &["You may always object to direct marketing"]),
                (
                    Enforced,
                    &["Withdrawal does not affect the lawfulness of processing before it"],
                ),
                (
                    Enforced,
                    &[
                        "we may continue to process your data on other legal grounds, but never for direct marketing",
                    ],
                ),
                (Enforced, &["Access (Art. 15)"]),
                (Enforced, &["Rectification (Art. 16)"]),
                (Enforced, &["Erasure (Art. 17)"]),
                (Enforced, &["Restriction (Art. 18)"]),
                (
                    Enforced,
                    &["You get one copy free of charge each calendar year"],
                ),
                (
                    Enforced,
                    &["a reasonable fee based on our administrative costs"],
                ),
                (
                    Enforced,
                    &[
                        "Data portability (Art. 20)",
                        "processed on the basis of consent or contract",
                    ],
                ),
            ],
        ),
        (
            "9. Contact information",
            &[
                (Info, &["contact us at privacy@connectel.se"]),
                (Enforced, &["please sign your request yourself"]),
                (
                    Info,
                    &[
                        "competent data protection authority",
                        "http://ec.europa.eu/justice/data-protection/bodies/authorities/index_en.htm",
                    ],
                ),
            ],
        ),
        (
            "10. Change of control",
            &[
                (Enforced, &["New owners in a change of control"]),
                (
                    Declared,
                    &["The new owners must continue to comply with the commitments"],
                ),
            ],
        ),
        (
            "11. Notice of changes to the privacy notice",
            &[
                (Enforced, &["by e-mail"]),
                (Declared, &["announcing it on our website"]),
                (Enforced, &["ask for your consent as the law requires"]),
            ],
        ),
        (
            "Get in touch with Sales",
            &[(Info, &["+46 (0) 101 800 000"])],
        ),
    ],
    // The notice names no authority, only "the competent" one; Teamtailor's
    // and Google's safeguards are the notice's words, not SCC.
    marked: &[
        "Integritetsskyddsmyndigheten (IMY)",
        "Teamtailor DPA",
        "Google Data privacy and security",
    ],
    claims: &[],
    never: &[],
};

const QLOCX: Original = Original {
    policy: "qlocx",
    lang: Lang::En,
    sections: &[
        (
            "Privacy Policy",
            &[
                (Declared, &["is not covered by this privacy notice"]),
                (Info, &["in effect from 2023-08-03"]),
            ],
        ),
        (
            "Who is covered by this privacy policy?",
            &[
                (
                    Enforced,
                    &["Users of our websites, digital channels, apps and services"],
                ),
                (
                    Enforced,
                    &[
                        "Contact persons at customers",
                        "Contact persons at potential customers",
                        "Contact persons at suppliers",
                        "Contact persons at partners",
                    ],
                ),
                (Enforced, &["External persons who communicate with us"]),
                (Enforced, &["Relatives of our employees"]),
            ],
        ),
        (
            "Who is responsible for handling personal data?",
            &[(
                Info,
                &[
                    "Qlocx AB is the controller",
                    "Organisation number: 556881-4833",
                ],
            )],
        ),
        (
            "What personal data do we collect?",
            &[
                (Declared, &["We collect only the personal data we need"]),
                (Enforced, &["Identity information: Name"]),
                (Enforced, &["Contact details: Postal address"]),
                (Enforced, &["Profile information: Title"]),
                (Enforced, &["User-generated data: Clicks"]),
                (Enforced, &["Order information: Price"]),
                (Enforced, &["Communication: Survey responses"]),
                (Enforced, &["Image and sound material: Photographs"]),
                (Enforced, &["Training information: Type of training"]),
                (Enforced, &["Technical data: App version"]),
                (Enforced, &["Purchase and order history, derived from"]),
                (
                    Enforced,
                    &[
                        "User behaviour on our websites, digital channels, services and apps, derived from",
                    ],
                ),
                (Enforced, &["Customer segment or profile, derived from"]),
                (Enforced, &["Communication history, derived from"]),
                (Enforced, &["Activity history, derived from"]),
            ],
        ),
        (
            "From where do we collect personal data?",
            &[
                (Enforced, &["directly from you"]),
                (
                    Enforced,
                    &["Social networking platforms (e.g. Facebook or LinkedIn)"],
                ),
                (Enforced, &["Our collaborative partners"]),
                (
                    Enforced,
                    &[
                        "Publicly available sources, e.g. websites, registers and databases (a publicly accessible source)",
                    ],
                ),
                (
                    Enforced,
                    &["Other external persons who give us your personal data"],
                ),
                (Enforced, &["Information services that we use"]),
                (Enforced, &["Our employees and other people engaged by us"]),
            ],
        ),
        (
            "Why do we process your personal data?",
            &[
                (Enforced, &["### Managing orders"]),
                (
                    Enforced,
                    &["### Managing relationships with customers, suppliers and partners"],
                ),
                (Enforced, &["### Managing our customer register"]),
                (
                    Enforced,
                    &["### Following up and evaluating our relationships"],
                ),
                (Enforced, &["### Analytics for customer insights"]),
                (
                    Enforced,
                    &[
                        "Profiling takes place for: Analytics for customer insights and Offers and marketing in different channels",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "### Communicating about us and our business",
                        "by clicking the unsubscribe link in the mailing or by contacting us",
                    ],
                ),
                (
                    Enforced,
                    &["### Communication between our employees and external persons"],
                ),
                (
                    Enforced,
                    &[
                        "### Offers and marketing in different channels",
                        "from us and our partners",
                        "You can unsubscribe from mailings at any time by clicking the unsubscribe link in the mailing",
                    ],
                ),
                (Enforced, &["### Sales meetings"]),
                (
                    Declared,
                    &[
                        "Each company covered by this notice is, as a starting point, responsible for its own use",
                    ],
                ),
                (
                    Enforced,
                    &[
                        "### Newsletters",
                        "clicking the unsubscribe link in the newsletter",
                    ],
                ),
                (Enforced, &["### Following up and evaluating our business"]),
                (
                    Enforced,
                    &[
                        "### Developing and improving our operations",
                        "No profiling takes place for this purpose",
                    ],
                ),
                (Enforced, &["### Documenting our business"]),
                (Enforced, &["### Trainings, events and other activities"]),
                (Enforced, &["### Webinars"]),
                (Enforced, &["### Answering questions and customer service"]),
                (Enforced, &["### Surveys"]),
                (Enforced, &["### Providing our apps and services"]),
                (
                    Declared,
                    &[
                        "You need to provide the information we ask for when you register your user account. Otherwise you cannot use the app or service",
                    ],
                ),
                (Enforced, &["### Communicating about our apps and services"]),
                (
                    Enforced,
                    &["### Website functionality", "remember your settings"],
                ),
                (
                    Enforced,
                    &["### Following up the use of our websites, channels, apps and services"],
                ),
                (
                    Enforced,
                    &[
                        "### Recording phone calls and video meetings for training and quality",
                        "you can object to the recording",
                    ],
                ),
                (
                    Declared,
                    &["you will be told when you call in or join the meeting"],
                ),
                (
                    Enforced,
                    &[
                        "### Technical functionality and security",
                        "security logging, error handling and backups",
                    ],
                ),
                (Enforced, &["### Handling legal claims"]),
                (Enforced, &["### Accounting"]),
                (Enforced, &["### Meeting our data protection obligations"]),
            ],
        ),
        (
            "Who do we share your personal data with?",
            &[
                (
                    Enforced,
                    &["Collaborative partners: Partners with whom we arrange events"],
                ),
                (
                    Enforced,
                    &["joint controllers with Social networking platforms"],
                ),
                (
                    Declared,
                    &["you may ask us for the essence of our arrangement"],
                ),
                (Enforced, &["External persons we communicate with"]),
                (Enforced, &["IT service providers (e.g. storage)"]),
                (Enforced, &["Communication service providers"]),
                (
                    Declared,
                    &["They may not use your data for their own purposes"],
                ),
                (Enforced, &["### Merger or sale of the business"]),
                (Enforced, &["### Responding to lawful requests"]),
                (Enforced, &["### Protecting the safety of our staff"]),
                (Enforced, &["External advisers"]),
                (Enforced, &["Authorities: Public authorities"]),
                (Enforced, &["Courts: Courts"]),
                (Enforced, &["The police"]),
                (Enforced, &["Potential buyers or sellers"]),
            ],
        ),
        (
            "What rights do you have?",
            &[
                (Enforced, &["Access (Art. 15)"]),
                (Enforced, &["Rectification (Art. 16)"]),
                (Enforced, &["you may withdraw it at any time"]),
                (
                    Enforced,
                    &[
                        "Erasure (Art. 17)",
                        "kept to establish, exercise or defend legal claims",
                    ],
                ),
                (Enforced, &["You may always object to direct marketing"]),
                (Enforced, &["Restriction (Art. 18)"]),
                (
                    Enforced,
                    &["based on legitimate interests, ours or a third party's"],
                ),
                (Enforced, &["Data portability (Art. 20)"]),
                (
                    Info,
                    &["To exercise your rights, contact us at info@qlocx.com"],
                ),
            ],
        ),
        (
            "Where we process personal data",
            &[
                (
                    Declared,
                    &["We always strive to keep personal data within the EU"],
                ),
                (
                    Enforced,
                    &[
                        "| Service providers outside the EU/EEA |",
                        "standard contractual clauses (Art. 46(2)(c))",
                    ],
                ),
                (Declared, &["supplementary safeguards"]),
                (
                    Declared,
                    &["Contact us to find out which countries your data is transferred to"],
                ),
            ],
        ),
        (
            "Updates to this privacy policy",
            &[
                (Enforced, &["We will then tell you in advance", "by e-mail"]),
                (
                    Declared,
                    &["The latest version is always published on our website"],
                ),
            ],
        ),
        (
            "Do you have any questions?",
            &[
                (Info, &["Integritetsskyddsmyndigheten (IMY)"]),
                (Info, &["+46 (0)8-121 08 901"]),
                (Info, &["Birger Jarlsgatan 57A, 113 56 Stockholm"]),
                (Info, &["E-mail: info@qlocx.com"]),
            ],
        ),
    ],
    // No legal basis and no period is given by the notice.
    marked: &[
        "our legitimate interests (Art. 6(1)(f)): To offer our customers, potential customers and users products and services from us and our partners that may interest them.",
        "consent (Art. 6(1)(a))",
    ],
    // "we do not carry out any profiling for so-called automated
    // decision-making that has legal consequences or otherwise significantly
    // affects you"
    claims: &["automated.no", "automated.profiling"],
    never: &[
        "With your consent",
        "this withdraws your consent",
        "it is then deleted",
    ],
};

const ORIGINALS: [&Original; 5] = [&CALECTRO, &CADCRAFT, &ELVETA, &CONNECTEL, &QLOCX];

#[test]
fn cadcraft_keeps_its_notice() {
    check(&CADCRAFT);
}

#[test]
fn elveta_keeps_its_notice() {
    check(&ELVETA);
}

#[test]
fn calectro_keeps_its_notice() {
    check(&CALECTRO);
}

#[test]
fn connectel_keeps_its_notice() {
    check(&CONNECTEL);
}

#[test]
fn qlocx_keeps_its_notice() {
    check(&QLOCX);
}

/// Every source policy has its original here, in the policy's own language.
#[test]
fn every_source_policy_is_checked_against_its_notice() {
    for name in SOURCE_POLICIES {
        let original = ORIGINALS
            .iter()
            .find(|o| o.policy == name)
            .unwrap_or_else(|| panic!("{name} has no fidelity list"));
        let policy = load(&source_policy_text(name));
        assert_eq!(original.lang, policy.meta.default_language, "{name}");
    }
}

/// The recount for the closing note:
/// `cargo test -p steward-domain --test policy promise_counts -- --nocapture`.
#[test]
fn promise_counts() {
    for original in ORIGINALS {
        let count = |kind: Kind| {
            original
                .sections
                .iter()
                .flat_map(|(_, promises)| promises.iter())
                .filter(|(k, _)| *k == kind)
                .count()
        };
        let (enforced, declared, info) = (count(Enforced), count(Declared), count(Info));
        assert!(enforced + declared + info > 0);
        println!(
            "{}: {} promises: {enforced} enforced, {declared} declared only, {info} information",
            original.policy,
            enforced + declared + info
        );
    }
}
