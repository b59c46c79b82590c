//! Where recipients are: countries by ISO 3166-1 alpha-2 code, plus the regions
//! `EEA` (anywhere inside the EU/EEA) and `GLOBAL` (anywhere, so third countries too).
//!
//! Adequacy decisions under Art. 45 as adopted by the European Commission. Two are
//! partial: Canada's covers commercial organisations under PIPEDA, and the United
//! States' only organisations certified under the EU-US Data Privacy Framework.

use crate::common::lang::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adequacy {
    /// Inside the EU/EEA: no transfer in the sense of Chapter V.
    InsideEea,
    Full,
    /// The decision covers only some recipients in the country.
    Partial(&'static str),
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    pub code: &'static str,
    pub name_en: &'static str,
    pub name_sv: &'static str,
    pub adequacy: Adequacy,
}

impl Country {
    pub fn name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.name_en,
            Lang::Sv => self.name_sv,
        }
    }

    /// Whether sending data here is a transfer to a third country (Chapter V).
    pub fn is_third_country(&self) -> bool {
        self.adequacy != Adequacy::InsideEea
    }
}

const fn eea(code: &'static str, name_en: &'static str, name_sv: &'static str) -> Country {
    Country {
        code,
        name_en,
        name_sv,
        adequacy: Adequacy::InsideEea,
    }
}
const fn adequate(code: &'static str, name_en: &'static str, name_sv: &'static str) -> Country {
    Country {
        code,
        name_en,
        name_sv,
        adequacy: Adequacy::Full,
    }
}
const fn third(code: &'static str, name_en: &'static str, name_sv: &'static str) -> Country {
    Country {
        code,
        name_en,
        name_sv,
        adequacy: Adequacy::None,
    }
}

/// The region value meaning "within the EU/EEA".
pub const EEA: Country = eea("EEA", "the EU/EEA", "EU/EES");
/// The region value meaning "anywhere in the world": a third-country transfer.
pub const GLOBAL: Country = third("GLOBAL", "worldwide", "hela världen");

pub const COUNTRIES: &[Country] = &[
    eea("AT", "Austria", "Österrike"),
    eea("BE", "Belgium", "Belgien"),
    eea("BG", "Bulgaria", "Bulgarien"),
    eea("HR", "Croatia", "Kroatien"),
    eea("CY", "Cyprus", "Cypern"),
    eea("CZ", "Czechia", "Tjeckien"),
    eea("DK", "Denmark", "Danmark"),
    eea("EE", "Estonia", "Estland"),
    eea("FI", "Finland", "Finland"),
    eea("FR", "France", "Frankrike"),
    eea("DE", "Germany", "Tyskland"),
    eea("GR", "Greece", "Grekland"),
    eea("HU", "Hungary", "Ungern"),
    eea("IE", "Ireland", "Irland"),
    eea("IT", "Italy", "Italien"),
    eea("LV", "Latvia", "Lettland"),
    eea("LT", "Lithuania", "Litauen"),
    eea("LU", "Luxembourg", "Luxemburg"),
    eea("MT", "Malta", "Malta"),
    eea("NL", "Netherlands", "Nederländerna"),
    eea("PL", "Poland", "Polen"),
    eea("PT", "Portugal", "Portugal"),
    eea("RO", "Romania", "Rumänien"),
    eea("SK", "Slovakia", "Slovakien"),
    eea("SI", "Slovenia", "Slovenien"),
    eea("ES", "Spain", "Spanien"),
    eea("SE", "Sweden", "Sverige"),
    eea("IS", "Iceland", "Island"),
    eea("LI", "Liechtenstein", "Liechtenstein"),
    eea("NO", "Norway", "Norge"),
    adequate("AD", "Andorra", "Andorra"),
    adequate("AR", "Argentina", "Argentina"),
    Country {
        code: "CA",
        name_en: "Canada",
        name_sv: "Kanada",
        adequacy: Adequacy::Partial("commercial organisations subject to PIPEDA"),
    },
    adequate("FO", "Faroe Islands", "Färöarna"),
    adequate("GG", "Guernsey", "Guernsey"),
    adequate("IL", "Israel", "Israel"),
    adequate("IM", "Isle of Man", "Isle of Man"),
    adequate("JP", "Japan", "Japan"),
    adequate("JE", "Jersey", "Jersey"),
    adequate("NZ", "New Zealand", "Nya Zeeland"),
    adequate("KR", "Republic of Korea", "Sydkorea"),
    adequate("CH", "Switzerland", "Schweiz"),
    adequate("GB", "United Kingdom", "Storbritannien"),
    adequate("UY", "Uruguay", "Uruguay"),
    Country {
        code: "US",
        name_en: "United States",
        name_sv: "USA",
        adequacy: Adequacy::Partial(
            "organisations certified under the EU-US Data Privacy Framework",
        ),
    },
    third("AE", "United Arab Emirates", "Förenade Arabemiraten"),
    third("AU", "Australia", "Australien"),
    third("BR", "Brazil", "Brasilien"),
    third("CL", "Chile", "Chile"),
    third("CN", "China", "Kina"),
    third("CO", "Colombia", "Colombia"),
    third("EG", "Egypt", "Egypten"),
    third("HK", "Hong Kong", "Hongkong"),
    third("ID", "Indonesia", "Indonesien"),
    third("IN", "India", "Indien"),
    third("KE", "Kenya", "Kenya"),
    third("MX", "Mexico", "Mexiko"),
    third("MY", "Malaysia", "Malaysia"),
    third("NG", "Nigeria", "Nigeria"),
    third("PH", "Philippines", "Filippinerna"),
    third("PK", "Pakistan", "Pakistan"),
    third("RS", "Serbia", "Serbien"),
    third("SG", "Singapore", "Singapore"),
    third("TH", "Thailand", "Thailand"),
    third("TR", "Türkiye", "Turkiet"),
    third("TW", "Taiwan", "Taiwan"),
    third("UA", "Ukraine", "Ukraina"),
    third("VN", "Vietnam", "Vietnam"),
    third("ZA", "South Africa", "Sydafrika"),
];

/// Looks up a country code or region, case-insensitively.
pub fn lookup(code: &str) -> Option<Country> {
    let code = code.trim();
    if code.eq_ignore_ascii_case(EEA.code) || code.eq_ignore_ascii_case("EU") {
        return Some(EEA);
    }
    if code.eq_ignore_ascii_case(GLOBAL.code) {
        return Some(GLOBAL);
    }
    // `UK` is not the ISO code but is what people write.
    let code = if code.eq_ignore_ascii_case("UK") {
        "GB"
    } else {
        code
    };
    COUNTRIES
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eea_has_thirty_members_and_none_is_a_third_country() {
        let members: Vec<_> = COUNTRIES
            .iter()
            .filter(|c| c.adequacy == Adequacy::InsideEea)
            .collect();
        assert_eq!(members.len(), 30);
        assert!(members.iter().all(|c| !c.is_third_country()));
    }

    #[test]
    fn regions_and_codes_are_found_case_insensitively() {
        assert_eq!(lookup("se").map(|c| c.code), Some("SE"));
        assert_eq!(lookup("EU"), Some(EEA));
        assert!(lookup("global").is_some_and(|c| c.is_third_country()));
        assert_eq!(lookup("XX"), None);
        assert_eq!(lookup("uk").map(|c| c.code), Some("GB"));
    }

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<_> = COUNTRIES.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), COUNTRIES.len());
    }
}
