//! Every fixed string of the notice and the record, in English and Swedish.
//! Kept in one table so a translator sees both side by side. `{name}` marks a
//! value filled in when the text is used. A test checks that every key the
//! code uses is here, that every key here is used, and that no text is empty.

/// One entry of the catalogue: a key and its text in each language.
/// `{name}` marks a value filled in by [`fill`](crate::common::lang::fill).
#[derive(Debug)]
pub struct Message {
    pub key: &'static str,
    pub en: &'static str,
    pub sv: &'static str,
}

const fn m(key: &'static str, en: &'static str, sv: &'static str) -> Message {
    Message { key, en, sv }
}

pub static MESSAGES: &[Message] = &[
    // Title and sections.
    m(
        "notice.title",
        "Privacy notice of {controller}",
        "Integritetspolicy för {controller}",
    ),
    m(
        "notice.preamble",
        "This notice explains how {controller} processes your personal data and what rights you have. Version {version}, in effect from {effective}.",
        "Denna integritetspolicy förklarar hur {controller} behandlar dina personuppgifter och vilka rättigheter du har. Version {version}, gäller från {effective}.",
    ),
    m(
        "section.controller",
        "Who is responsible for your personal data",
        "Vem som är ansvarig för dina personuppgifter",
    ),
    m("section.dpo", "Data protection officer", "Dataskyddsombud"),
    m(
        "section.data",
        "Whose data and which data we process",
        "Vems och vilka personuppgifter vi behandlar",
    ),
    m(
        "section.sources",
        "Where the data comes from",
        "Varifrån uppgifterna kommer",
    ),
    m(
        "section.purposes",
        "Why we process your data, and on what legal basis",
        "Varför vi behandlar dina uppgifter och med vilken rättslig grund",
    ),
    m(
        "section.provision",
        "Whether you must provide data",
        "Om du måste lämna uppgifter",
    ),
    m(
        "section.recipients",
        "Who receives your data",
        "Vilka som tar emot dina uppgifter",
    ),
    m(
        "section.transfers",
        "Transfers outside the EU/EEA",
        "Överföringar utanför EU/EES",
    ),
    m(
        "section.retention",
        "How long we keep your data",
        "Hur länge vi sparar dina uppgifter",
    ),
    m("section.rights", "Your rights", "Dina rättigheter"),
    m(
        "section.consent",
        "Withdrawing your consent",
        "Återkalla ditt samtycke",
    ),
    m(
        "section.complaint",
        "Complaints to the supervisory authority",
        "Klagomål till tillsynsmyndigheten",
    ),
    m(
        "section.automated",
        "Automated decisions and profiling",
        "Automatiserade beslut och profilering",
    ),
    m("section.children", "Children", "Barn"),
    m("section.cookies", "Cookies", "Kakor (cookies)"),
    m(
        "section.security",
        "How we protect your data",
        "Hur vi skyddar dina uppgifter",
    ),
    m(
        "section.changes",
        "Changes to this notice",
        "Ändringar i denna integritetspolicy",
    ),
    // Contacts.
    m(
        "controller.intro",
        "{controller} is the controller for the processing described in this notice.",
        "{controller} är personuppgiftsansvarig för den behandling som beskrivs i denna integritetspolicy.",
    ),
    m(
        "controller.organisation_number",
        "Organisation number:",
        "Organisationsnummer:",
    ),
    m(
        "controller.representative",
        "Our representative in the EU (Art. 27):",
        "Vår företrädare inom EU (artikel 27):",
    ),
    m(
        "controller.joint",
        "For some processing we are joint controllers with {names}; you may ask us for the essence of our arrangement and exercise your rights against each of us.",
        "För viss behandling är vi gemensamt personuppgiftsansvariga med {names}; du kan be oss om det väsentliga innehållet i vårt arrangemang och utöva dina rättigheter mot var och en av oss.",
    ),
    m("contact.address", "Address:", "Adress:"),
    m("contact.email", "E-mail:", "E-post:"),
    m("contact.phone", "Phone:", "Telefon:"),
    m("contact.website", "Website:", "Webbplats:"),
    m(
        "dpo.appointed",
        "Our data protection officer can be reached at:",
        "Vårt dataskyddsombud nås på:",
    ),
    // Data.
    m(
        "data.subjects",
        "This notice concerns:",
        "Denna integritetspolicy gäller:",
    ),
    m(
        "data.not_stored",
        "personal data is normally not stored",
        "personuppgifter lagras normalt inte",
    ),
    m(
        "data.intro",
        "We process these categories of personal data:",
        "Vi behandlar följande kategorier av personuppgifter:",
    ),
    m(
        "data.special",
        "a special category of personal data under Art. 9",
        "en särskild kategori av personuppgifter enligt artikel 9",
    ),
    m(
        "data.national_id",
        "used only when clearly justified:",
        "används endast när det är klart motiverat:",
    ),
    m(
        "data.derived",
        "From this data we also derive:",
        "Utifrån dessa uppgifter tar vi också fram:",
    ),
    m(
        "data.derived_item",
        "{name}, derived from {from}",
        "{name}, som härleds från {from}",
    ),
    m(
        "sources.intro",
        "We collect most personal data directly from you, or it is created when you use our services.",
        "De flesta personuppgifter samlar vi in direkt från dig, eller så uppstår de när du använder våra tjänster.",
    ),
    m(
        "sources.others",
        "We also obtain personal data from these sources:",
        "Vi hämtar också personuppgifter från följande källor:",
    ),
    m(
        "sources.none",
        "We do not obtain personal data about you from other sources.",
        "Vi hämtar inte personuppgifter om dig från andra källor.",
    ),
    m(
        "sources.public",
        "a publicly accessible source",
        "en allmänt tillgänglig källa",
    ),
    // Purposes and legal bases.
    m(
        "purposes.intro",
        "We process personal data only for the purposes below, each on the legal basis stated.",
        "Vi behandlar personuppgifter endast för ändamålen nedan, vart och ett med den rättsliga grund som anges.",
    ),
    m("purposes.basis", "Legal basis:", "Rättslig grund:"),
    m("purposes.categories", "Personal data:", "Personuppgifter:"),
    m("purposes.subjects", "Concerns:", "Gäller:"),
    m(
        "purposes.direct_marketing",
        "This is direct marketing: you may object at any time, and we will then stop (Art. 21(2)).",
        "Detta är direktmarknadsföring: du kan när som helst invända, och då upphör vi med behandlingen (artikel 21.2).",
    ),
    m(
        "purposes.profiling",
        "Profiling takes place for this purpose.",
        "Profilering förekommer för detta ändamål.",
    ),
    m(
        "purposes.may_object",
        "You may object to this processing on grounds relating to your particular situation (Art. 21(1)).",
        "Du kan invända mot denna behandling av skäl som hänför sig till din särskilda situation (artikel 21.1).",
    ),
    m("basis.consent", "consent", "samtycke"),
    m(
        "basis.contract",
        "performance of a contract with you, or steps at your request before entering into one",
        "fullgörande av avtal med dig, eller åtgärder på din begäran innan ett avtal ingås",
    ),
    m(
        "basis.legal_obligation",
        "a legal obligation",
        "rättslig förpliktelse",
    ),
    m(
        "basis.vital_interests",
        "protection of vital interests",
        "skydd av intressen av grundläggande betydelse",
    ),
    m(
        "basis.public_task",
        "a task in the public interest",
        "uppgift av allmänt intresse",
    ),
    m(
        "basis.legitimate_interests",
        "our legitimate interests",
        "vårt berättigade intresse",
    ),
    m(
        "basis.anonymous",
        "none needed: only anonymised data, which is no longer personal data, is used",
        "behövs inte: endast anonymiserade uppgifter, som inte längre är personuppgifter, används",
    ),
    m(
        "basis.special_condition",
        "for special categories of data:",
        "för särskilda kategorier av personuppgifter:",
    ),
    // Provision.
    m(
        "provision.intro",
        "Unless stated below, providing personal data to us is voluntary; if you choose not to, we may not be able to offer you some services.",
        "Om inget annat anges nedan är det frivilligt att lämna personuppgifter till oss; om du avstår kan vi ibland inte erbjuda vissa tjänster.",
    ),
    m(
        "provision.voluntary",
        "providing the data is voluntary.",
        "det är frivilligt att lämna uppgifterna.",
    ),
    m(
        "provision.contractual",
        "the data is required by our contract with you.",
        "uppgifterna krävs enligt vårt avtal med dig.",
    ),
    m(
        "provision.statutory",
        "the data is required by law.",
        "uppgifterna krävs enligt lag.",
    ),
    m(
        "provision.contract_prerequisite",
        "the data is needed to enter into a contract with us.",
        "uppgifterna behövs för att ingå avtal med oss.",
    ),
    // Recipients and transfers.
    m(
        "recipients.intro",
        "We share personal data with the recipients below, and only for the purposes stated.",
        "Vi delar personuppgifter med mottagarna nedan, och endast för de ändamål som anges.",
    ),
    m(
        "recipients.none",
        "We do not share your personal data with anyone outside our organisation.",
        "Vi delar inte dina personuppgifter med någon utanför vår organisation.",
    ),
    m("recipients.who", "Recipient", "Mottagare"),
    m(
        "recipients.agreement",
        "under {reference}",
        "enligt {reference}",
    ),
    m("recipients.role", "Role", "Roll"),
    m("recipients.purposes", "Purposes", "Ändamål"),
    m("recipients.country", "Where", "Var"),
    m(
        "role.processor",
        "processor (processes the data on our behalf and on our instructions)",
        "personuppgiftsbiträde (behandlar uppgifterna för vår räkning enligt våra instruktioner)",
    ),
    m(
        "role.joint_controller",
        "joint controller",
        "gemensamt personuppgiftsansvarig",
    ),
    m(
        "role.independent_controller",
        "independent controller",
        "självständigt personuppgiftsansvarig",
    ),
    m("role.authority", "public authority", "myndighet"),
    m(
        "transfers.none",
        "We do not transfer personal data to countries outside the EU/EEA.",
        "Vi överför inte personuppgifter till länder utanför EU/EES.",
    ),
    m(
        "transfers.intro",
        "Some recipients are outside the EU/EEA, or may process data there. Each transfer is protected as follows:",
        "Vissa mottagare finns utanför EU/EES eller kan behandla uppgifter där. Varje överföring skyddas så här:",
    ),
    m("transfers.safeguard", "Safeguard", "Skyddsåtgärd"),
    m(
        "transfers.copy",
        "You can obtain a copy of the safeguards, or learn where they are available, by writing to {email}.",
        "Du kan få en kopia av skyddsåtgärderna, eller veta var de finns tillgängliga, genom att skriva till {email}.",
    ),
    m(
        "safeguard.adequacy",
        "an adequacy decision of the European Commission",
        "Europeiska kommissionens beslut om adekvat skyddsnivå",
    ),
    m(
        "safeguard.scc",
        "the European Commission's standard contractual clauses",
        "Europeiska kommissionens standardavtalsklausuler",
    ),
    m(
        "safeguard.bcr",
        "binding corporate rules",
        "bindande företagsbestämmelser",
    ),
    m(
        "safeguard.derogation",
        "a derogation for a specific situation, such as your explicit consent to the transfer",
        "ett undantag för en särskild situation, till exempel ditt uttryckliga samtycke till överföringen",
    ),
    m(
        "safeguard.none",
        "no safeguard stated",
        "ingen skyddsåtgärd angiven",
    ),
    // Retention.
    m(
        "retention.intro",
        "We keep personal data no longer than needed for the purpose it was collected for, or than the law requires.",
        "Vi sparar inte personuppgifter längre än vad som behövs för ändamålet de samlades in för, eller än vad lagen kräver.",
    ),
    m("retention.data", "Personal data", "Personuppgifter"),
    m("retention.purposes", "Purposes", "Ändamål"),
    m("retention.how_long", "How long", "Hur länge"),
    m(
        "retention.indefinite",
        "kept until further notice. {why}",
        "sparas tills vidare. {why}",
    ),
    m(
        "retention.after",
        "{period} after {event}",
        "{period} efter att {event}",
    ),
    m("retention.until", "until {event}", "tills {event}"),
    m(
        "retention.calendar_year",
        "for the rest of the calendar year in which {event} and {period} thereafter",
        "resten av det kalenderår då {event} och {period} därefter",
    ),
    m(
        "retention.window",
        "and at least {min} but at most {max} from collection",
        "och minst {min} men högst {max} från insamlingen",
    ),
    m(
        "retention.at_least",
        "and at least {min} from collection",
        "och minst {min} från insamlingen",
    ),
    m(
        "retention.at_most",
        "and at most {max} from collection",
        "och högst {max} från insamlingen",
    ),
    m(
        "retention.unless",
        "unless {event} first",
        "om inte {event} dessförinnan",
    ),
    m(
        "retention.whichever_first",
        "(whichever comes first)",
        "(det som inträffar först)",
    ),
    m(
        "retention.then_deleted",
        "then deleted",
        "därefter raderas uppgifterna",
    ),
    m(
        "retention.then_anonymised",
        "then anonymised",
        "därefter anonymiseras uppgifterna",
    ),
    m(
        "retention.then_reviewed",
        "then reviewed, and deleted unless a reason to keep them remains",
        "därefter granskas uppgifterna och raderas om inget skäl att behålla dem kvarstår",
    ),
    m("retention.required_by", "required by", "krav enligt"),
    m(
        "event.collection",
        "the data was collected",
        "uppgifterna samlades in",
    ),
    m(
        "event.relationship_start",
        "a customer relationship has begun",
        "en kundrelation har inletts",
    ),
    m(
        "event.relationship_end",
        "the customer relationship has ended",
        "kundrelationen har upphört",
    ),
    m(
        "event.contract_start",
        "the agreement has been signed",
        "avtalet har ingåtts",
    ),
    m(
        "event.contract_end",
        "the agreement has ended",
        "avtalet har upphört",
    ),
    m(
        "event.invoice_paid",
        "the invoice has been paid",
        "fakturan har betalats",
    ),
    m(
        "event.last_activity",
        "you were last active",
        "du senast var aktiv",
    ),
    m(
        "event.contact_person_changed",
        "the contact person has changed",
        "kontaktpersonen har bytts ut",
    ),
    m(
        "event.consent_withdrawn",
        "you have withdrawn your consent",
        "du har återkallat ditt samtycke",
    ),
    m(
        "event.account_deleted",
        "your account has been deleted",
        "ditt konto har raderats",
    ),
    // Rights.
    m(
        "rights.intro",
        "Under the GDPR you have the following rights:",
        "Enligt dataskyddsförordningen har du följande rättigheter:",
    ),
    m(
        "rights.access",
        "Access (Art. 15): to know whether we process your data, and to receive a copy of it with information about the processing.",
        "Tillgång (artikel 15): att få veta om vi behandlar dina uppgifter och att få en kopia av dem tillsammans med information om behandlingen.",
    ),
    m(
        "rights.copies_free",
        "Copies are free of charge.",
        "Kopiorna är kostnadsfria.",
    ),
    m(
        "rights.rectification",
        "Rectification (Art. 16): to have inaccurate data corrected and incomplete data completed.",
        "Rättelse (artikel 16): att få felaktiga uppgifter rättade och ofullständiga uppgifter kompletterade.",
    ),
    m(
        "rights.erasure",
        "Erasure (Art. 17): to have your data erased when it is no longer needed, when you withdraw the consent it rests on, when you object and we have no overriding grounds, when it was processed unlawfully, or when the law requires it.",
        "Radering (artikel 17): att få dina uppgifter raderade när de inte längre behövs, när du återkallar det samtycke de bygger på, när du invänder och vi saknar tyngre vägande skäl, när de har behandlats olagligt eller när lagen kräver det.",
    ),
    m(
        "rights.erasure_kept",
        "Some data is kept even if you ask us to erase it; we then tell you what we keep, why, and until when:",
        "Vissa uppgifter sparas även om du begär radering; vi talar då om för dig vad vi sparar, varför och hur länge:",
    ),
    m(
        "erasure.freedom_of_expression",
        "kept to exercise the right of freedom of expression and information",
        "sparas för att utöva rätten till yttrande- och informationsfrihet",
    ),
    m(
        "erasure.legal_obligation",
        "kept because the law requires it",
        "sparas eftersom lagen kräver det",
    ),
    m(
        "erasure.public_health",
        "kept for reasons of public interest in the area of public health",
        "sparas av skäl som rör ett viktigt allmänintresse på folkhälsoområdet",
    ),
    m(
        "erasure.archiving",
        "kept for archiving in the public interest, research or statistics",
        "sparas för arkivändamål av allmänt intresse, forskning eller statistik",
    ),
    m(
        "erasure.legal_claims",
        "kept to establish, exercise or defend legal claims",
        "sparas för att fastställa, göra gällande eller försvara rättsliga anspråk",
    ),
    m(
        "rights.restriction",
        "Restriction (Art. 18): to have processing limited to storage while, for example, the accuracy of the data or our grounds for processing are being checked; we tell you before the restriction is lifted.",
        "Begränsning (artikel 18): att behandlingen begränsas till lagring medan till exempel uppgifternas riktighet eller våra skäl för behandlingen kontrolleras; vi meddelar dig innan begränsningen hävs.",
    ),
    m(
        "rights.objection",
        "Objection (Art. 21): to object to processing based on legitimate interests, ours or a third party's, on grounds relating to your particular situation; we then stop unless we show compelling legitimate grounds.",
        "Invändning (artikel 21): att invända mot behandling som grundas på ett berättigat intresse, vårt eller en tredje parts, av skäl som hänför sig till din särskilda situation; vi upphör då om vi inte kan visa tvingande berättigade skäl.",
    ),
    m(
        "rights.objection_marketing",
        "You may always object to direct marketing, and we then stop using your data for it.",
        "Du kan alltid invända mot direktmarknadsföring, och då slutar vi använda dina uppgifter för det.",
    ),
    m(
        "rights.portability",
        "Data portability (Art. 20): to receive the data you have given us, processed on the basis of consent or contract, in a structured, commonly used and machine-readable format (JSON or CSV), and to have it transmitted to another controller.",
        "Dataportabilitet (artikel 20): att få ut de uppgifter du själv lämnat till oss, som behandlas med stöd av samtycke eller avtal, i ett strukturerat, allmänt använt och maskinläsbart format (JSON eller CSV), och att få dem överförda till en annan personuppgiftsansvarig.",
    ),
    m(
        "rights.portability_all",
        "Data portability: to receive all the personal data we hold about you in a structured, commonly used and machine-readable format (JSON or CSV); what you have given us yourself, processed on the basis of consent or contract, you may also have transmitted to another controller (Art. 20).",
        "Dataportabilitet: att få ut alla personuppgifter vi har om dig i ett strukturerat, allmänt använt och maskinläsbart format (JSON eller CSV); de uppgifter du själv lämnat till oss, som behandlas med stöd av samtycke eller avtal, kan du också få överförda till en annan personuppgiftsansvarig (artikel 20).",
    ),
    m(
        "rights.guardian",
        "If you are a parent or guardian of a child who has given us personal data without your consent, you can exercise the child's rights of access, rectification, erasure, restriction and objection by contacting us at {email}; we check your parental responsibility before we act on the request.",
        "Om du är förälder eller vårdnadshavare till ett barn som har lämnat personuppgifter till oss utan ditt samtycke kan du utöva barnets rätt till tillgång, rättelse, radering, begränsning och invändning genom att kontakta oss på {email}; vi kontrollerar din vårdnad innan vi behandlar begäran.",
    ),
    m(
        "rights.how",
        "To exercise your rights, contact us at {email}. We confirm your identity before we answer: {verification} We answer without undue delay and at the latest within {deadline}; if requests are complex or numerous we may extend this by two further months, and we then tell you why within the first month.",
        "Kontakta oss på {email} för att utöva dina rättigheter. Vi bekräftar din identitet innan vi svarar: {verification} Vi svarar utan onödigt dröjsmål och senast inom {deadline}; om en begäran är komplicerad eller om vi får många begäranden kan vi förlänga tiden med ytterligare två månader, och då förklarar vi varför inom den första månaden.",
    ),
    m(
        "verification.email_code",
        "we send a one-time code to your e-mail address.",
        "vi skickar en engångskod till din e-postadress.",
    ),
    m(
        "verification.sms_code",
        "we send a one-time code to your phone.",
        "vi skickar en engångskod till din telefon.",
    ),
    m(
        "verification.bankid",
        "you identify yourself with BankID.",
        "du legitimerar dig med BankID.",
    ),
    m(
        "verification.signed_request",
        "please sign your request yourself and state the details we need to identify you, such as the e-mail address or phone number you used with us.",
        "underteckna din begäran själv och ange de uppgifter vi behöver för att identifiera dig, till exempel den e-postadress eller det telefonnummer du använt hos oss.",
    ),
    m(
        "verification.manual",
        "we check the details you give us against those we hold.",
        "vi kontrollerar de uppgifter du lämnar mot dem vi har.",
    ),
    m(
        "consent.withdraw",
        "Where we process your data on the basis of your consent ({purposes}), you may withdraw it at any time, as easily as you gave it, for example by writing to {email}. Withdrawal does not affect the lawfulness of processing before it.",
        "När vi behandlar dina uppgifter med stöd av ditt samtycke ({purposes}) kan du när som helst återkalla det, lika enkelt som du gav det, till exempel genom att skriva till {email}. Återkallelsen påverkar inte lagligheten i behandlingen innan den gjordes.",
    ),
    m(
        "consent.none",
        "None of our processing rests on your consent, so there is no consent to withdraw; your other rights apply.",
        "Ingen av våra behandlingar grundas på ditt samtycke, så det finns inget samtycke att återkalla; dina övriga rättigheter gäller.",
    ),
    m(
        "complaint.intro",
        "If you think we process your personal data in breach of the GDPR, tell us first if you wish; you always have the right to lodge a complaint with {authority}, or the supervisory authority where you live or work.",
        "Om du anser att vi behandlar dina personuppgifter i strid med dataskyddsförordningen får du gärna säga till oss först; du har alltid rätt att lämna klagomål till {authority}, eller till tillsynsmyndigheten där du bor eller arbetar.",
    ),
    m(
        "automated.no",
        "We do not make decisions based solely on automated processing that have legal or similarly significant effects on you.",
        "Vi fattar inga beslut som enbart grundas på automatiserad behandling och som har rättsliga följder för dig eller på liknande sätt i betydande grad påverkar dig.",
    ),
    m(
        "automated.yes",
        "We make some decisions based solely on automated processing that can have legal or similarly significant effects on you. You may ask for a person to review such a decision, express your point of view and contest it.",
        "Vi fattar vissa beslut som enbart grundas på automatiserad behandling och som kan ha rättsliga följder för dig eller på liknande sätt i betydande grad påverka dig. Du kan begära att en människa granskar beslutet, framföra dina synpunkter och bestrida beslutet.",
    ),
    m(
        "automated.profiling",
        "Profiling takes place for: {purposes}. It does not lead to decisions with legal or similarly significant effects on you.",
        "Profilering förekommer för: {purposes}. Den leder inte till beslut med rättsliga följder eller liknande betydande påverkan för dig.",
    ),
    m(
        "automated.no_profiling",
        "We do not use profiling.",
        "Vi använder inte profilering.",
    ),
    m(
        "children.minimum_age",
        "Our services are not intended for persons under {age}. If you learn that a child has given us personal data, contact us at {email}.",
        "Våra tjänster är inte avsedda för personer under {age} år. Om du får veta att ett barn har lämnat personuppgifter till oss, kontakta oss på {email}.",
    ),
    m(
        "cookies.intro",
        "Our websites use the cookies below. Cookies that are not strictly necessary are set only with your consent, which you can withdraw at any time, for example by deleting the cookies in your browser.",
        "Våra webbplatser använder kakorna nedan. Kakor som inte är nödvändiga sätts endast med ditt samtycke, som du när som helst kan återkalla, till exempel genom att radera kakorna i din webbläsare.",
    ),
    m("cookies.name", "Cookie", "Kaka"),
    m("cookies.description", "What it does", "Vad den gör"),
    m("cookies.category", "Kind", "Typ"),
    m("cookies.lifetime", "Lifetime", "Livslängd"),
    m("cookies.provider", "Set by", "Sätts av"),
    m("cookie.necessary", "necessary", "nödvändig"),
    m("cookie.preferences", "preferences", "funktionella"),
    m("cookie.statistics", "statistics", "statistik"),
    m("cookie.marketing", "marketing", "marknadsföring"),
    m(
        "cookie.session",
        "until the browser is closed",
        "tills webbläsaren stängs",
    ),
    m(
        "security.intro",
        "We protect personal data with appropriate technical and organisational measures:",
        "Vi skyddar personuppgifter med lämpliga tekniska och organisatoriska åtgärder:",
    ),
    m(
        "changes.version",
        "This is version {version} of the notice, in effect from {effective}.",
        "Detta är version {version} av integritetspolicyn, som gäller från {effective}.",
    ),
    m(
        "changes.default",
        "If we change this notice materially, we tell you before the change takes effect, and ask for your consent again where the change requires it.",
        "Om vi ändrar denna integritetspolicy väsentligt informerar vi dig innan ändringen börjar gälla, och ber om ditt samtycke på nytt när ändringen kräver det.",
    ),
    // Record of processing (Art. 30(1)).
    m(
        "ropa.title",
        "Record of processing activities (Art. 30(1) GDPR)",
        "Register över behandlingar (artikel 30.1 dataskyddsförordningen)",
    ),
    m(
        "ropa.version",
        "Policy version {version}, in effect from {effective}. One entry per processing activity.",
        "Policyversion {version}, gäller från {effective}. En post per behandling.",
    ),
    m("ropa.item", "Item", "Uppgift"),
    m("ropa.id", "Activity", "Behandling"),
    m("ropa.name", "Name", "Namn"),
    m(
        "ropa.a",
        "(a) Controller, joint controllers, representative, DPO",
        "(a) Personuppgiftsansvarig, gemensamt ansvariga, företrädare, dataskyddsombud",
    ),
    m("ropa.b", "(b) Purpose", "(b) Ändamål"),
    m("ropa.basis", "Legal basis", "Rättslig grund"),
    m(
        "ropa.c_subjects",
        "(c) Categories of data subjects",
        "(c) Kategorier av registrerade",
    ),
    m(
        "ropa.c_data",
        "(c) Categories of personal data",
        "(c) Kategorier av personuppgifter",
    ),
    m(
        "ropa.d",
        "(d) Categories of recipients",
        "(d) Kategorier av mottagare",
    ),
    m(
        "ropa.e",
        "(e) Transfers to third countries and safeguards",
        "(e) Överföringar till tredjeländer och skyddsåtgärder",
    ),
    m(
        "ropa.f",
        "(f) Time limits for erasure",
        "(f) Tidsfrister för radering",
    ),
    m(
        "ropa.g",
        "(g) Technical and organisational security measures",
        "(g) Tekniska och organisatoriska säkerhetsåtgärder",
    ),
    m(
        "ropa.joint",
        "joint controller:",
        "gemensamt personuppgiftsansvarig:",
    ),
    m("ropa.representative", "representative:", "företrädare:"),
    m("ropa.dpo", "data protection officer:", "dataskyddsombud:"),
    m("word.and", "and", "och"),
    m("word.or", "or", "eller"),
    m(
        "event.financial_year_end",
        "the financial year has ended",
        "räkenskapsåret har avslutats",
    ),
    m(
        "rights.copies_one",
        "You get one copy free of charge each calendar year. {fee}",
        "Du får en kostnadsfri kopia per kalenderår. {fee}",
    ),
    m(
        "rights.copies_many",
        "You get {n} copies free of charge each calendar year. {fee}",
        "Du får {n} kostnadsfria kopior per kalenderår. {fee}",
    ),
    m(
        "purposes.anonymised_data",
        "Anonymised data about:",
        "Anonymiserade uppgifter om:",
    ),
    m(
        "automated.profiling_only",
        "Profiling takes place for: {purposes}.",
        "Profilering förekommer för: {purposes}.",
    ),
    m(
        "access.title",
        "Your personal data held by {controller}",
        "Dina personuppgifter hos {controller}",
    ),
    m(
        "access.preamble",
        "This is a copy of the personal data {controller} holds about you, with the information Art. 15 GDPR gives you a right to. Prepared on {generated}.",
        "Detta är en kopia av de personuppgifter {controller} har om dig, med den information du har rätt till enligt artikel 15 i dataskyddsförordningen. Upprättad {generated}.",
    ),
    m(
        "section.access_data",
        "The data we hold about you",
        "De uppgifter vi har om dig",
    ),
    m(
        "section.not_searched",
        "What could not be searched",
        "Det som inte kunde sökas igenom",
    ),
    m(
        "access.not_searched",
        "This answer is not complete: the systems below could not be searched, so any data about you held there is not in it.",
        "Detta svar är inte fullständigt: systemen nedan kunde inte sökas igenom, så eventuella uppgifter om dig där finns inte med.",
    ),
    m(
        "change.purpose_added",
        "A new purpose: {what}.",
        "Ett nytt ändamål: {what}.",
    ),
    m(
        "change.purpose_removed",
        "We no longer process personal data for: {what}.",
        "Vi behandlar inte längre personuppgifter för: {what}.",
    ),
    m(
        "change.basis_changed",
        "{what} now rests on another legal basis.",
        "{what} vilar nu på en annan rättslig grund.",
    ),
    m(
        "change.categories_added",
        "{what} now uses more kinds of personal data.",
        "{what} använder nu fler slags personuppgifter.",
    ),
    m(
        "change.recipient_added",
        "A new recipient, {what}, for: {purposes}.",
        "En ny mottagare, {what}, för: {purposes}.",
    ),
    m(
        "change.recipient_changed",
        "{what} now receives data for more purposes, or in another country or under another safeguard ({purposes}).",
        "{what} får nu uppgifter för fler ändamål, eller i ett annat land eller med en annan skyddsåtgärd ({purposes}).",
    ),
    m(
        "change.recipient_removed",
        "{what} no longer receives personal data.",
        "{what} får inte längre några personuppgifter.",
    ),
    m(
        "change.retention_changed",
        "How long we keep data for {what} has changed.",
        "Hur länge vi sparar uppgifter för {what} har ändrats.",
    ),
    m(
        "change.profiling_added",
        "{what} now profiles you, or decides about you by automated means; the notice says how and what it means for you.",
        "{what} profilerar dig nu, eller fattar automatiserade beslut om dig; integritetspolicyn beskriver hur och vad det innebär för dig.",
    ),
    m(
        "change.consent_again",
        "{what} has changed so that your earlier consent no longer covers it: we will ask for your consent again, and until you give it we do not process your data for it.",
        "{what} har ändrats så att ditt tidigare samtycke inte längre omfattar det: vi kommer att be om ditt samtycke igen, och tills du ger det behandlar vi inte dina uppgifter för det.",
    ),
    m(
        "mail.notice_changed.subject",
        "{controller} has changed its privacy notice",
        "{controller} har ändrat sin integritetspolicy",
    ),
    m(
        "mail.notice_changed.body",
        "{controller} has published version {version} of its privacy notice. What changes for you:\n\n{changes}\n\nThe whole notice is available from {controller}; questions to {contact}.",
        "{controller} har publicerat version {version} av sin integritetspolicy. Det här ändras för dig:\n\n{changes}\n\nHela integritetspolicyn finns hos {controller}; frågor till {contact}.",
    ),
    m("assumed.marker", "(to be confirmed)", "(ska bekräftas)"),
    m(
        "section.draft",
        "For review: assumptions and deviations",
        "Att granska: antaganden och avvikelser",
    ),
    m(
        "draft.intro",
        "This draft is not for publication. Values marked (to be confirmed) are not given by the published notice; they are the policy's assumptions, listed here with their reasons. Deviations are where the published notice's own words cannot be kept as written, with the reading Steward enforces.",
        "Detta utkast är inte för publicering. Värden markerade (ska bekräftas) anges inte i den publicerade informationen; de är policyns antaganden, listade här med skälen. Avvikelser är där den publicerade informationens egna ord inte kan hållas som de står, med den tolkning Steward tillämpar.",
    ),
    m(
        "draft.none",
        "The policy makes no assumptions and records no deviations.",
        "Policyn gör inga antaganden och anger inga avvikelser.",
    ),
    m("draft.assumed", "Assumed:", "Antaget:"),
    m("draft.deviation", "Deviation:", "Avvikelse:"),
    m(
        "access.derived_from",
        "computed by us from: {inputs}",
        "beräknat av oss utifrån: {inputs}",
    ),
    m(
        "access.recipients.received",
        "These recipients have received data about you:",
        "Dessa mottagare har fått uppgifter om dig:",
    ),
    m(
        "access.recipients.may_receive",
        "Under our privacy notice these recipients may also receive data of the kinds above, for the purposes stated; our records show that none of yours has gone to them so far:",
        "Enligt vår integritetspolicy kan även dessa mottagare få uppgifter av de slag som anges ovan, för de ändamål som anges; enligt våra register har inga av dina uppgifter gått till dem hittills:",
    ),
    m(
        "access.recipients.none",
        "Our records show that none of your data has been disclosed to anyone outside our organisation.",
        "Enligt våra register har inga av dina uppgifter lämnats ut till någon utanför vår organisation.",
    ),
    m(
        "access.recipients.standing",
        "copied to them as our services store it",
        "kopieras till dem när våra tjänster lagrar dem",
    ),
    m(
        "access.recipients.last",
        "last on {date}",
        "senast den {date}",
    ),
    m(
        "access.nothing_held",
        "We hold no personal data about you.",
        "Vi har inga personuppgifter om dig.",
    ),
    m(
        "access.nothing_found",
        "We found no personal data about you in the systems we could search.",
        "Vi hittade inga personuppgifter om dig i de system vi kunde söka igenom.",
    ),
    m(
        "erasure.title",
        "Your request for erasure to {controller}",
        "Din begäran om radering till {controller}",
    ),
    m(
        "erasure.preamble",
        "This is the answer to your request that {controller} erase your personal data (Art. 17 GDPR). Prepared on {generated}.",
        "Detta är svaret på din begäran att {controller} raderar dina personuppgifter (artikel 17 i dataskyddsförordningen). Upprättat {generated}.",
    ),
    m(
        "section.erased",
        "Where your data was erased",
        "Var dina uppgifter raderades",
    ),
    m(
        "erasure.nowhere",
        "We found no personal data about you to erase.",
        "Vi hittade inga personuppgifter om dig att radera.",
    ),
    m(
        "section.kept",
        "What we kept, and why",
        "Vad vi behöll, och varför",
    ),
    m(
        "erasure.kept_none",
        "We kept nothing.",
        "Vi behöll ingenting.",
    ),
    m(
        "erasure.kept_item",
        "{what} ({system}): kept under {why}, until {until}.",
        "{what} ({system}): sparas enligt {why}, till och med {until}.",
    ),
    m(
        "section.erasure_not_done",
        "What could not be done",
        "Det som inte kunde göras",
    ),
    m(
        "erasure.not_done",
        "The erasure is not complete: in the systems below it could not be carried out.",
        "Raderingen är inte fullständig: i systemen nedan kunde den inte genomföras.",
    ),
    m("access.category", "Kind of data", "Typ av uppgift"),
    m("access.value", "Value", "Värde"),
    m("access.source", "From", "Från"),
    m("access.purposes", "Used for", "Används för"),
    m("access.collected", "Collected", "Insamlad"),
    m("access.from_you", "you", "dig"),
    m(
        "access.all_from_you",
        "All of this data was collected from you, or arose when you used our services.",
        "Alla dessa uppgifter har samlats in från dig, eller uppstått när du använt våra tjänster.",
    ),
    // Letters about requests (messages.rs).
    m(
        "request.kind.access",
        "a copy of your data",
        "en kopia av dina uppgifter",
    ),
    m(
        "request.kind.portability",
        "your data in a portable form",
        "dina uppgifter i ett flyttbart format",
    ),
    m(
        "request.kind.rectification",
        "correction of your data",
        "rättelse av dina uppgifter",
    ),
    m(
        "request.kind.erasure",
        "erasure of your data",
        "radering av dina uppgifter",
    ),
    m(
        "request.kind.restriction",
        "restriction of processing",
        "begränsning av behandlingen",
    ),
    m(
        "request.kind.lift_restriction",
        "lifting the restriction of processing",
        "att begränsningen av behandlingen hävs",
    ),
    m(
        "request.kind.objection",
        "an objection to processing",
        "en invändning mot behandlingen",
    ),
    m(
        "request.kind.consent_withdrawal",
        "withdrawal of your consent",
        "återkallelse av ditt samtycke",
    ),
    m(
        "request.kind.unsubscribe",
        "no more direct marketing",
        "att inte längre få direktmarknadsföring",
    ),
    m(
        "mail.code.subject",
        "Your code for your request to {controller}",
        "Din kod för din begäran till {controller}",
    ),
    m(
        "mail.code.body",
        "Someone, we hope you, asked {controller} for {request} ({article}), giving this {identity}. To confirm that it is yours, enter this code:\n\n    {code}\n\nThe code is valid for 15 minutes. If you did not ask, ignore this message: nothing happens without the code.\n\nRequest: {id}",
        "Någon, förhoppningsvis du, har bett {controller} om {request} ({article}) och angett denna {identity}. Ange den här koden för att bekräfta att den är din:\n\n    {code}\n\nKoden gäller i 15 minuter. Om det inte var du kan du bortse från meddelandet: ingenting händer utan koden.\n\nÄrende: {id}",
    ),
    m(
        "mail.sign_in.subject",
        "Your code to sign in at {controller}",
        "Din kod för att logga in hos {controller}",
    ),
    m(
        "mail.sign_in.body",
        "Someone, we hope you, asked to sign in to {controller}'s privacy pages with this address, to see and change your consents. Enter this code in the same browser:\n\n    {code}\n\nThe code is valid for 15 minutes. If you did not ask, ignore this message: nothing happens without the code.",
        "Någon, förhoppningsvis du, har bett om att logga in på {controller}s integritetssidor med den här adressen, för att se och ändra dina samtycken. Ange den här koden i samma webbläsare:\n\n    {code}\n\nKoden gäller i 15 minuter. Om det inte var du kan du bortse från meddelandet: ingenting händer utan koden.",
    ),
    m(
        "mail.codes_failed.subject",
        "Wrong codes were entered for a request to {controller}",
        "Fel koder har angetts för en begäran till {controller}",
    ),
    m(
        "mail.codes_failed.body",
        "Someone asked {controller} for {request} ({article}), giving this {identity}, and entered a wrong code {tries} times in a row. That code no longer works.\n\nIf it was you, ask for a new code where you made the request. If it was not, you need do nothing: nothing happens without the right code, and a request that is never confirmed is removed on {removed}. If it happens again, tell {controller}.\n\nRequest: {id}",
        "Någon har bett {controller} om {request} ({article}) och angett denna {identity}, och har angett fel kod {tries} gånger i rad. Den koden fungerar inte längre.\n\nOm det var du kan du be om en ny kod där du gjorde begäran. Om det inte var du behöver du inte göra något: ingenting händer utan rätt kod, och en begäran som aldrig bekräftas tas bort den {removed}. Om det händer igen, kontakta {controller}.\n\nÄrende: {id}",
    ),
    m("identity.email", "e-mail address", "e-postadress"),
    m("identity.phone", "phone number", "telefonnummer"),
    m(
        "mail.extended.subject",
        "Your request to {controller} needs more time",
        "Din begäran till {controller} behöver mer tid",
    ),
    m(
        "mail.extended.body",
        "We need more time to answer your request for {request} (request {id}). As Art. 12(3) GDPR allows, the time is extended by two months: you will have our answer by {due} at the latest. The reason: {reason}",
        "Vi behöver mer tid för att besvara din begäran om {request} (ärende {id}). Tiden förlängs med två månader, vilket artikel 12.3 i dataskyddsförordningen tillåter: du får vårt svar senast {due}. Skälet: {reason}",
    ),
    m(
        "mail.identity_added.subject",
        "A new contact detail was added at {controller}",
        "En ny kontaktuppgift har lagts till hos {controller}",
    ),
    m(
        "mail.identity_added.body",
        "A new identity of the kind {kind} was added to the personal data {controller} holds about you, by one of its systems. It will not be used to answer requests about your data unless our privacy officer confirms it. If you did not give it, tell us at {contact}.",
        "En ny identitet av typen {kind} har lagts till bland de personuppgifter {controller} har om dig, av ett av våra system. Den används inte för att besvara begäranden om dina uppgifter om inte vårt dataskyddsombud bekräftar den. Om det inte var du som lämnade den, kontakta oss på {contact}.",
    ),
    m(
        "mail.answered.subject",
        "Your request to {controller} is answered",
        "Din begäran till {controller} är besvarad",
    ),
    m(
        "mail.answered.body",
        "Your request for {request} (request {id}) is {state}. You can read the answer where you made the request, with the follow code you were given then.",
        "Din begäran om {request} (ärende {id}) är {state}. Du kan läsa svaret där du gjorde begäran, med den uppföljningskod du fick då.",
    ),
    m(
        "mail.answered.link",
        "Read it here: {link}",
        "Läs det här: {link}",
    ),
    m("state.completed", "answered in full", "helt besvarad"),
    m(
        "state.partially_completed",
        "answered in part",
        "delvis besvarad",
    ),
    m("state.refused", "refused", "avslagen"),
    m("state.cancelled", "cancelled", "avbruten"),
    m(
        "mail.notify.subject",
        "{controller}: {right} of personal data we disclosed to you (Art. 19 GDPR)",
        "{controller}: {right} av personuppgifter vi har lämnat ut till er (artikel 19 i dataskyddsförordningen)",
    ),
    m("right.rectification", "rectification", "rättelse"),
    m("right.erasure", "erasure", "radering"),
    m(
        "right.restriction",
        "restriction of processing",
        "begränsning av behandling",
    ),
    m(
        "mail.notify.body",
        "A person whose personal data {controller} has disclosed to you has exercised the right to {right} ({article}); we are carrying it out. Please do the same with the data you received from us. The person's identities are attached; our reference is {id}.",
        "En person vars personuppgifter {controller} har lämnat ut till er har utövat sin rätt till {right} ({article}); vi genomför den. Gör detsamma med de uppgifter ni har fått från oss. Personens identiteter bifogas; vår referens är {id}.",
    ),
];
