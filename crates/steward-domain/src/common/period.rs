//! Periods of time as policies write them: `30 days`, `13 months`, `7 years`.
//!
//! A period keeps its calendar unit instead of being normalised to seconds,
//! because "1 month" from 31 January ends on the last day of February (Art. 12(3)
//! is counted in calendar months) and because the notice must say it the way the
//! policy said it.

use std::fmt;

use jiff::{Span, civil::Date};

use crate::common::lang::Lang;

/// The longest period a policy may write: 1,000 years.
const MAX_DAYS: u64 = 365_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub amount: u32,
    pub unit: Unit,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a period: {reason}")]
pub struct PeriodError {
    pub input: String,
    pub reason: &'static str,
}

impl Period {
    pub const fn new(amount: u32, unit: Unit) -> Self {
        Self { amount, unit }
    }

    /// Parses `<whole number> <unit>`, e.g. `30 days`, `1 month`, `7 years`.
    pub fn parse(input: &str) -> Result<Self, PeriodError> {
        let error = |reason| PeriodError {
            input: input.to_owned(),
            reason,
        };
        let mut words = input.split_whitespace();
        let (Some(amount), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err(error(
                "write a whole number and a unit, e.g. `30 days`, `13 months`, `7 years`",
            ));
        };
        if !amount.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error("the amount must be a whole number, e.g. `30 days`"));
        }
        let amount: u32 = amount.parse().map_err(|_| {
            error("the amount is too large; for no end date use `indefinite = true`")
        })?;
        let unit = match unit.to_ascii_lowercase().as_str() {
            "hour" | "hours" => Unit::Hour,
            "day" | "days" => Unit::Day,
            "week" | "weeks" => Unit::Week,
            "month" | "months" => Unit::Month,
            "year" | "years" => Unit::Year,
            _ => {
                return Err(error(
                    "the unit must be hours, days, weeks, months or years",
                ));
            }
        };
        let period = Self { amount, unit };
        if period.min_days() > MAX_DAYS {
            return Err(error(
                "it is longer than 1,000 years; for no end date use `indefinite = true`",
            ));
        }
        Ok(period)
    }

    /// The period as a calendar span; `None` past jiff's range (which a
    /// parsed period never reaches).
    pub fn span(self) -> Option<Span> {
        let n = i64::from(self.amount);
        match self.unit {
            Unit::Hour => Span::new().try_hours(n),
            Unit::Day => Span::new().try_days(n),
            Unit::Week => Span::new().try_weeks(n),
            Unit::Month => Span::new().try_months(n),
            Unit::Year => Span::new().try_years(n),
        }
        .ok()
    }

    /// The date this period after `start` ends, by calendar arithmetic
    /// (31 January + 1 month = the last day of February).
    pub fn after(self, start: Date) -> Option<Date> {
        start.checked_add(self.span()?).ok()
    }

    /// An upper bound in days, for comparing periods of different units.
    /// Months count 31 days and years 366, so that "at least" checks stay safe.
    pub fn max_days(self) -> u64 {
        let n = u64::from(self.amount);
        match self.unit {
            Unit::Hour => n.div_ceil(24),
            Unit::Day => n,
            Unit::Week => n * 7,
            Unit::Month => n * 31,
            Unit::Year => n * 366,
        }
    }

    /// A lower bound in days (months 28, years 365).
    pub fn min_days(self) -> u64 {
        let n = u64::from(self.amount);
        match self.unit {
            Unit::Hour => n / 24,
            Unit::Day => n,
            Unit::Week => n * 7,
            Unit::Month => n * 28,
            Unit::Year => n * 365,
        }
    }

    /// The period in words of the given language, e.g. "13 months", "13 månader".
    pub fn describe(self, lang: Lang) -> String {
        let one = self.amount == 1;
        let word = match (lang, self.unit, one) {
            (Lang::En, Unit::Hour, true) => "hour",
            (Lang::En, Unit::Hour, false) => "hours",
            (Lang::En, Unit::Day, true) => "day",
            (Lang::En, Unit::Day, false) => "days",
            (Lang::En, Unit::Week, true) => "week",
            (Lang::En, Unit::Week, false) => "weeks",
            (Lang::En, Unit::Month, true) => "month",
            (Lang::En, Unit::Month, false) => "months",
            (Lang::En, Unit::Year, true) => "year",
            (Lang::En, Unit::Year, false) => "years",
            (Lang::Sv, Unit::Hour, true) => "timme",
            (Lang::Sv, Unit::Hour, false) => "timmar",
            (Lang::Sv, Unit::Day, true) => "dag",
            (Lang::Sv, Unit::Day, false) => "dagar",
            (Lang::Sv, Unit::Week, true) => "vecka",
            (Lang::Sv, Unit::Week, false) => "veckor",
            (Lang::Sv, Unit::Month, true) => "månad",
            (Lang::Sv, Unit::Month, false) => "månader",
            (Lang::Sv, Unit::Year, true) => "år",
            (Lang::Sv, Unit::Year, false) => "år",
        };
        // In prose "one month" reads better than "1 month".
        let amount = match (lang, one, self.unit) {
            (Lang::En, true, _) => "one".to_owned(),
            (Lang::Sv, true, Unit::Year) => "ett".to_owned(),
            (Lang::Sv, true, _) => "en".to_owned(),
            _ => self.amount.to_string(),
        };
        format!("{amount} {word}")
    }
}

/// As a policy writes it (`1 month`, `30 days`), for diagnostics.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Year => "year",
        };
        let plural = if self.amount == 1 { "" } else { "s" };
        write!(f, "{} {unit}{plural}", self.amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn parses_every_unit_in_singular_and_plural() {
        assert_eq!(Period::parse("1 day"), Ok(Period::new(1, Unit::Day)));
        assert_eq!(Period::parse("30 days"), Ok(Period::new(30, Unit::Day)));
        assert_eq!(Period::parse("2 weeks"), Ok(Period::new(2, Unit::Week)));
        assert_eq!(Period::parse("13 Months"), Ok(Period::new(13, Unit::Month)));
        assert_eq!(Period::parse(" 7  years "), Ok(Period::new(7, Unit::Year)));
        assert_eq!(Period::parse("48 hours"), Ok(Period::new(48, Unit::Hour)));
    }

    #[test]
    fn rejects_what_is_not_a_period_with_a_reason() {
        for bad in [
            "30",
            "thirty days",
            "30 dayz",
            "-1 days",
            "+1 month",
            "99999999999 days",
            "4000000000 years",
            "1001 years",
            "1.5 years",
            "30 days ago",
            "",
        ] {
            let err = Period::parse(bad).expect_err(bad);
            assert_eq!(err.input, bad);
        }
        assert!(
            Period::parse("30 dayz")
                .expect_err("unit")
                .to_string()
                .contains("hours, days, weeks, months or years")
        );
    }

    #[test]
    fn months_are_calendar_months() {
        let month = Period::new(1, Unit::Month);
        assert_eq!(month.after(date(2025, 1, 31)), Some(date(2025, 2, 28)));
        assert_eq!(month.after(date(2024, 1, 31)), Some(date(2024, 2, 29)));
        assert_eq!(month.after(date(2025, 3, 15)), Some(date(2025, 4, 15)));
    }

    #[test]
    fn describes_in_english_and_swedish() {
        assert_eq!(Period::new(1, Unit::Month).describe(Lang::En), "one month");
        assert_eq!(Period::new(1, Unit::Month).describe(Lang::Sv), "en månad");
        assert_eq!(Period::new(1, Unit::Year).describe(Lang::Sv), "ett år");
        assert_eq!(Period::new(2, Unit::Week).describe(Lang::En), "2 weeks");
        assert_eq!(
            Period::new(13, Unit::Month).describe(Lang::Sv),
            "13 månader"
        );
        assert_eq!(Period::new(7, Unit::Year).describe(Lang::Sv), "7 år");
    }
}

#[cfg(test)]
mod range_tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_longest_allowed_period_still_computes_a_date() {
        let longest = Period::parse("1000 years").expect("allowed");
        assert_eq!(longest.after(date(2026, 1, 1)), Some(date(3026, 1, 1)));
        assert!(Period::parse("1001 years").is_err());
        // Built directly, past jiff's range: no panic, no date.
        assert_eq!(
            Period::new(u32::MAX, Unit::Year).after(date(2026, 1, 1)),
            None
        );
    }
}
