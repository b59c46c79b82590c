//! The portal's own words, in English and Swedish, and which language a
//! visitor reads: the one they chose (the `lang` cookie, set by the switch),
//! else the first of their browser's `Accept-Language` Steward writes, else
//! the policy's. Texts from the policy and the notice come from the
//! domain's catalogue; these are only the portal's buttons and headings.

use steward_domain::common::lang::{Lang, fill};

/// Every portal text: key, English, Swedish. A test renders every page in
/// both languages and checks each key a template uses is here.
pub const TEXTS: &[(&str, &str, &str)] = &[
    ("nav.label", "Main", "Huvudmeny"),
    ("nav.skip", "Skip to the content", "Hoppa till innehållet"),
    ("nav.home", "Home", "Start"),
    ("nav.notice", "Privacy notice", "Integritetspolicy"),
    ("nav.cookies", "Cookies", "Kakor"),
    ("nav.rights", "Your rights", "Dina rättigheter"),
    ("nav.request", "Make a request", "Gör en begäran"),
    ("nav.follow", "Follow a request", "Följ en begäran"),
    ("nav.account", "Your consents", "Dina samtycken"),
    (
        "account.title",
        "Your consents and requests",
        "Dina samtycken och begäranden",
    ),
    (
        "account.intro",
        "Sign in with a code we send you to see the consents you gave, give or withdraw each one, and see your requests.",
        "Logga in med en kod som vi skickar till dig för att se de samtycken du har gett, ge eller återkalla vart och ett och se dina begäranden.",
    ),
    (
        "account.unavailable",
        "Under this policy we check who you are another way, so signing in with a code is not offered. You can still make a request:",
        "Enligt den här policyn kontrollerar vi vem du är på ett annat sätt, så inloggning med kod erbjuds inte. Du kan fortfarande göra en begäran:",
    ),
    ("account.send", "Send me a code", "Skicka en kod till mig"),
    (
        "account.sent",
        "If we hold this address, a code is on its way to it. Enter it here, in this browser; it is valid for 15 minutes.",
        "Om vi har den här adressen är en kod på väg dit. Ange den här, i den här webbläsaren; den gäller i 15 minuter.",
    ),
    ("account.sign_in", "Sign in", "Logga in"),
    (
        "account.wrong",
        "That code is not right, or no longer valid. Ask for a new one.",
        "Koden stämmer inte eller gäller inte längre. Be om en ny.",
    ),
    (
        "account.until",
        "You are signed in until",
        "Du är inloggad till",
    ),
    ("account.consents", "Your consents", "Dina samtycken"),
    (
        "account.no_consents",
        "Nothing we do with your data rests on your consent.",
        "Inget vi gör med dina uppgifter grundar sig på ditt samtycke.",
    ),
    ("account.requests", "Your requests", "Dina begäranden"),
    (
        "account.no_requests",
        "You have made no request.",
        "Du har inte gjort någon begäran.",
    ),
    ("account.sign_out", "Sign out", "Logga ut"),
    (
        "consent.given",
        "You have given your consent.",
        "Du har gett ditt samtycke.",
    ),
    (
        "consent.not_given",
        "You have not given your consent.",
        "Du har inte gett ditt samtycke.",
    ),
    ("consent.give", "Give consent", "Ge samtycke"),
    (
        "consent.withdraw",
        "Withdraw consent",
        "Återkalla samtycket",
    ),
    ("consent.history", "History", "Historik"),
    ("consent.given_at", "Given", "Givet"),
    ("consent.withdrawn_at", "withdrawn", "återkallat"),
    ("consent.receipt", "Receipt (JSON)", "Kvitto (JSON)"),
    ("lang.switch", "Language", "Språk"),
    (
        "footer.text",
        "This page sets only the cookies it needs to work: your language, and a code that protects its forms.",
        "Den här sidan sätter bara de kakor den behöver för att fungera: ditt språk och en kod som skyddar dess formulär.",
    ),
    (
        "home.title",
        "Your privacy at {controller}",
        "Din integritet hos {controller}",
    ),
    (
        "home.intro",
        "Here you can read how {controller} processes personal data, and use the rights the GDPR gives you: see what we hold about you, have it corrected or erased, object, and withdraw a consent.",
        "Här kan du läsa hur {controller} behandlar personuppgifter och använda de rättigheter som dataskyddsförordningen ger dig: se vad vi har om dig, få det rättat eller raderat, invända och återkalla ett samtycke.",
    ),
    (
        "home.notice",
        "What we process, why, on which legal basis, for how long, and who receives it.",
        "Vad vi behandlar, varför, med vilken rättslig grund, hur länge och vem som tar emot det.",
    ),
    (
        "home.cookies",
        "The cookies our websites use, what each is for and how long it lasts.",
        "De kakor som våra webbplatser använder, vad var och en är till för och hur länge den finns kvar.",
    ),
    (
        "home.rights",
        "What the law gives you, and how long we may take to answer.",
        "Vad lagen ger dig, och hur lång tid vi får ta på oss att svara.",
    ),
    (
        "home.request",
        "Ask for a copy of your data, a correction, an erasure, and more. No account needed.",
        "Be om en kopia av dina uppgifter, en rättelse, en radering med mera. Inget konto behövs.",
    ),
    (
        "home.follow",
        "See where a request stands and read our answer, with the follow code you were given.",
        "Se hur det går med en begäran och läs vårt svar, med den uppföljningskod du fick.",
    ),
    (
        "gpc.seen",
        "Your browser sends the Global Privacy Control signal. When you sign in here, we record it as your objection to direct marketing, which we then stop.",
        "Din webbläsare skickar signalen Global Privacy Control. När du loggar in här registrerar vi den som din invändning mot direktmarknadsföring, som vi då upphör med.",
    ),
    (
        "gpc.recorded",
        "Your browser's Global Privacy Control signal is now recorded as your objection to direct marketing: we send you none from now on.",
        "Din webbläsares signal Global Privacy Control är nu registrerad som din invändning mot direktmarknadsföring: vi skickar ingen till dig från och med nu.",
    ),
    ("notice.contents", "Contents", "Innehåll"),
    ("cookies.title", "Cookies", "Kakor"),
    (
        "cookies.none",
        "{controller} declares no cookies.",
        "{controller} anger inga kakor.",
    ),
    ("rights.title", "Your rights", "Dina rättigheter"),
    (
        "rights.intro",
        "You can use each of these rights here, free of charge. We answer within one month of receiving your request; if a request is complex, we may extend that by two further months, and we tell you why within the first month (Art. 12(3) GDPR).",
        "Du kan använda var och en av dessa rättigheter här, utan kostnad. Vi svarar inom en månad från det att vi fick din begäran; om en begäran är komplicerad kan vi förlänga med ytterligare två månader, och då får du veta varför inom den första månaden (artikel 12.3 i dataskyddsförordningen).",
    ),
    ("rights.use", "Use this right", "Använd rättigheten"),
    ("right.access.title", "See your data", "Se dina uppgifter"),
    (
        "right.access.text",
        "A copy of the personal data we hold about you, with why we hold it, where it came from, who received it and how long we keep it (Art. 15).",
        "En kopia av de personuppgifter vi har om dig, med varför vi har dem, var de kommer ifrån, vem som har fått dem och hur länge vi sparar dem (artikel 15).",
    ),
    (
        "right.portability.title",
        "Take your data with you",
        "Ta med dig dina uppgifter",
    ),
    (
        "right.portability.text",
        "The data you gave us, in a file a computer can read (JSON and CSV), to keep or give to someone else (Art. 20).",
        "De uppgifter du har gett oss, i en fil som en dator kan läsa (JSON och CSV), att spara eller ge till någon annan (artikel 20).",
    ),
    (
        "right.rectification.title",
        "Correct your data",
        "Rätta dina uppgifter",
    ),
    (
        "right.rectification.text",
        "Have data about you that is wrong corrected (Art. 16).",
        "Få felaktiga uppgifter om dig rättade (artikel 16).",
    ),
    (
        "right.erasure.title",
        "Have your data erased",
        "Få dina uppgifter raderade",
    ),
    (
        "right.erasure.text",
        "Have your data erased, except what a law obliges us to keep; we tell you what is kept, why and until when (Art. 17).",
        "Få dina uppgifter raderade, utom det som en lag kräver att vi sparar; vi talar om vad som sparas, varför och till när (artikel 17).",
    ),
    (
        "right.restriction.title",
        "Restrict the processing",
        "Begränsa behandlingen",
    ),
    (
        "right.restriction.text",
        "Have us keep your data but not use it while a question about it is settled (Art. 18).",
        "Få oss att spara dina uppgifter men inte använda dem medan en fråga om dem avgörs (artikel 18).",
    ),
    ("right.objection.title", "Object", "Invänd"),
    (
        "right.objection.text",
        "Object to processing based on our legitimate interests; to direct marketing, always (Art. 21).",
        "Invänd mot behandling som grundar sig på våra berättigade intressen; mot direktmarknadsföring alltid (artikel 21).",
    ),
    (
        "right.consent_withdrawal.title",
        "Withdraw a consent",
        "Återkalla ett samtycke",
    ),
    (
        "right.consent_withdrawal.text",
        "Withdraw a consent you gave, as easily as you gave it (Art. 7(3)).",
        "Återkalla ett samtycke du har gett, lika enkelt som du gav det (artikel 7.3).",
    ),
    (
        "right.unsubscribe.title",
        "No more marketing",
        "Ingen mer marknadsföring",
    ),
    (
        "right.unsubscribe.text",
        "Stop all direct marketing to you, at once (Art. 21(3)).",
        "Stoppa all direktmarknadsföring till dig, genast (artikel 21.3).",
    ),
    ("request.title", "Make a request", "Gör en begäran"),
    (
        "request.choose",
        "What would you like to ask for?",
        "Vad vill du be om?",
    ),
    ("request.kind", "Your request", "Din begäran"),
    (
        "request.identity",
        "Your e-mail address",
        "Din e-postadress",
    ),
    (
        "request.identity.phone",
        "Your phone number",
        "Ditt telefonnummer",
    ),
    (
        "request.identity.help",
        "We send a code to it, to make sure the request is yours. We use it for nothing else.",
        "Vi skickar en kod dit för att försäkra oss om att begäran är din. Vi använder den inte till något annat.",
    ),
    ("request.purpose", "Which processing", "Vilken behandling"),
    (
        "request.purpose.marketing",
        "Direct marketing",
        "Direktmarknadsföring",
    ),
    (
        "request.category",
        "Which data is wrong",
        "Vilken uppgift är fel",
    ),
    ("request.value", "The correct value", "Det rätta värdet"),
    ("request.grounds", "Why (optional)", "Varför (frivilligt)"),
    (
        "request.grounds.erasure",
        "For example: you withdrew your consent, the data is no longer needed, or it was processed unlawfully.",
        "Till exempel: du har återkallat ditt samtycke, uppgifterna behövs inte längre eller har behandlats olagligt.",
    ),
    (
        "request.grounds.objection",
        "Your particular situation: why the processing should stop for you.",
        "Din särskilda situation: varför behandlingen ska upphöra för din del.",
    ),
    ("request.send", "Send the request", "Skicka begäran"),
    (
        "request.none",
        "Nothing to choose here under this policy.",
        "Det finns inget att välja här enligt den här policyn.",
    ),
    ("status.title", "Your request", "Din begäran"),
    ("status.id", "Request", "Ärende"),
    ("status.kind", "What you asked for", "Vad du bad om"),
    ("status.received", "Received", "Mottagen"),
    (
        "status.due",
        "Our answer is due by",
        "Vårt svar ska komma senast",
    ),
    (
        "status.overdue",
        "We are late: the answer was due by this day.",
        "Vi är sena: svaret skulle ha kommit senast den här dagen.",
    ),
    (
        "status.extended",
        "Extended, because:",
        "Förlängd, eftersom:",
    ),
    ("status.state", "Where it stands", "Läge"),
    ("status.parts", "What we do", "Vad vi gör"),
    (
        "status.keep",
        "Keep your follow code to come back to this page from another browser:",
        "Spara din uppföljningskod för att komma tillbaka till den här sidan från en annan webbläsare:",
    ),
    (
        "status.verify",
        "Confirm it is you",
        "Bekräfta att det är du",
    ),
    (
        "status.verify.help",
        "We sent a code to the address you gave. Enter it here; it is valid for 15 minutes.",
        "Vi har skickat en kod till adressen du angav. Ange den här; den gäller i 15 minuter.",
    ),
    ("status.code", "Code", "Kod"),
    ("status.confirm", "Confirm", "Bekräfta"),
    ("status.resend", "Send a new code", "Skicka en ny kod"),
    (
        "status.resent",
        "A new code is on its way.",
        "En ny kod är på väg.",
    ),
    ("status.cancel", "Cancel the request", "Avbryt begäran"),
    (
        "status.cancelled_by_you",
        "cancelled by you",
        "avbruten av dig",
    ),
    ("status.answer", "Our answer", "Vårt svar"),
    ("status.read", "Read the answer", "Läs svaret"),
    (
        "status.download.md",
        "Download it (Markdown)",
        "Ladda ned det (Markdown)",
    ),
    (
        "status.download.json",
        "Download it (JSON)",
        "Ladda ned det (JSON)",
    ),
    (
        "status.download.zip",
        "Download your data (zip of JSON and CSV)",
        "Ladda ned dina uppgifter (zip med JSON och CSV)",
    ),
    ("state.received", "received", "mottagen"),
    (
        "state.awaiting_verification",
        "waiting for you to confirm it is you",
        "väntar på att du bekräftar att det är du",
    ),
    (
        "state.verified",
        "confirmed; starting",
        "bekräftad; påbörjas",
    ),
    ("state.in_progress", "being carried out", "genomförs"),
    ("state.completed", "answered in full", "helt besvarad"),
    (
        "state.partially_completed",
        "answered in part",
        "delvis besvarad",
    ),
    ("state.refused", "refused", "avslagen"),
    ("state.cancelled", "cancelled", "avbruten"),
    (
        "state.held",
        "A privacy officer checks it first:",
        "Ett dataskyddsombud kontrollerar den först:",
    ),
    ("part.vault", "Our own records", "Våra egna register"),
    (
        "part.recipient",
        "Telling {name}, who received your data",
        "Vi meddelar {name}, som har fått dina uppgifter",
    ),
    ("part.pending", "waiting", "väntar"),
    ("part.running", "in progress", "pågår"),
    ("part.done", "done", "klart"),
    (
        "part.failed",
        "could not be done; a privacy officer follows it up",
        "kunde inte göras; ett dataskyddsombud följer upp det",
    ),
    (
        "part.manual",
        "done by a person at {controller}",
        "görs av en person hos {controller}",
    ),
    ("follow.title", "Follow a request", "Följ en begäran"),
    (
        "follow.intro",
        "Enter the request number and the follow code you were given when you made the request.",
        "Ange ärendenumret och den uppföljningskod du fick när du gjorde begäran.",
    ),
    ("follow.id", "Request number", "Ärendenummer"),
    ("follow.secret", "Follow code", "Uppföljningskod"),
    ("follow.open", "Open", "Öppna"),
    (
        "follow.wrong",
        "That request number and follow code do not match a request.",
        "Det ärendenumret och den uppföljningskoden stämmer inte med någon begäran.",
    ),
    (
        "unsubscribe.title",
        "No more marketing",
        "Ingen mer marknadsföring",
    ),
    (
        "unsubscribe.confirm",
        "Stop all direct marketing from {controller} to you? It stops at once, and is recorded as your objection (Art. 21(3) GDPR).",
        "Vill du stoppa all direktmarknadsföring från {controller} till dig? Den upphör genast och registreras som din invändning (artikel 21.3 i dataskyddsförordningen).",
    ),
    (
        "unsubscribe.button",
        "Stop marketing",
        "Stoppa marknadsföringen",
    ),
    (
        "unsubscribe.done",
        "Done: {controller} sends you no more direct marketing.",
        "Klart: {controller} skickar ingen mer direktmarknadsföring till dig.",
    ),
    (
        "error.title",
        "Something is not right",
        "Något stämmer inte",
    ),
    (
        "error.404",
        "There is no such page.",
        "Den sidan finns inte.",
    ),
    (
        "error.csrf",
        "This form has expired. Go back, reload the page and send it again.",
        "Formuläret har gått ut. Gå tillbaka, ladda om sidan och skicka det igen.",
    ),
    (
        "error.limit",
        "Too many tries from your address. Wait a little and try again.",
        "För många försök från din adress. Vänta en stund och försök igen.",
    ),
    (
        "error.internal",
        "Something went wrong on our side. Try again later; if it goes on, tell us the error number:",
        "Något gick fel hos oss. Försök igen senare; om det fortsätter, ange felnumret för oss:",
    ),
    ("error.field", "Check this:", "Kontrollera detta:"),
    ("error.back", "Back to the start", "Tillbaka till start"),
];

/// The text for `key` in `lang`. A key missing from [`TEXTS`] shows as
/// `⟦key⟧`, which the page tests look for.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match TEXTS.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, sv)) => match lang {
            Lang::En => en,
            Lang::Sv => sv,
        },
        None => MISSING,
    }
}

/// What a missing key renders as: a mark no translation contains.
pub const MISSING: &str = "⟦missing text⟧";

/// [`t`] with `{controller}` (and any other value) filled in.
pub fn tf(lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
    fill(t(lang, key), values)
}

/// The language to write in: an explicit choice first, then the browser's
/// preferences in order of their weight, then the policy's language.
pub fn negotiate(chosen: Option<&str>, accept_language: Option<&str>, default: Lang) -> Lang {
    if let Some(lang) = chosen.and_then(Lang::from_code) {
        return lang;
    }
    let Some(header) = accept_language else {
        return default;
    };
    let mut offered: Vec<(f32, usize, Lang)> = header
        .split(',')
        .enumerate()
        .filter_map(|(order, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let primary = tag.split('-').next()?;
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            let lang = Lang::from_code(primary)?;
            (weight > 0.0).then_some((weight, order, lang))
        })
        .collect();
    // Highest weight first; equal weights in the order given.
    offered.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    offered.first().map_or(default, |(_, _, lang)| *lang)
}

/// A language's name in itself, for the switch.
pub fn own_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "English",
        Lang::Sv => "Svenska",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_written_in_both_languages_once() {
        let mut keys = std::collections::BTreeSet::new();
        for (key, en, sv) in TEXTS {
            assert!(keys.insert(*key), "`{key}` twice");
            assert!(!en.trim().is_empty() && !sv.trim().is_empty(), "`{key}`");
            assert_ne!(en, sv, "`{key}` is not translated");
        }
    }

    #[test]
    fn every_key_a_template_uses_is_in_the_catalogue() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/portal");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for call in ["c.t(\"", "c.tc(\""] {
                for piece in text.split(call).skip(1) {
                    let key = piece.split('"').next().unwrap_or_default();
                    assert!(
                        TEXTS.iter().any(|(k, _, _)| *k == key),
                        "{} uses `{key}`, which has no text",
                        path.display()
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 40, "the templates were read ({checked} keys)");
    }

    #[test]
    fn a_choice_beats_the_browser_and_the_browser_beats_the_default() {
        assert_eq!(negotiate(Some("sv"), Some("en"), Lang::En), Lang::Sv);
        assert_eq!(
            negotiate(Some("de"), Some("sv-SE,sv;q=0.9"), Lang::En),
            Lang::Sv
        );
        assert_eq!(
            negotiate(None, Some("de-DE,en;q=0.5,sv;q=0.8"), Lang::En),
            Lang::Sv
        );
        assert_eq!(negotiate(None, Some("en-GB, sv"), Lang::Sv), Lang::En);
        assert_eq!(negotiate(None, Some("sv;q=0"), Lang::En), Lang::En);
        assert_eq!(negotiate(None, Some("fr, de"), Lang::Sv), Lang::Sv);
        assert_eq!(negotiate(None, None, Lang::Sv), Lang::Sv);
        assert_eq!(negotiate(None, Some(";;,q=x"), Lang::En), Lang::En);
    }
}
