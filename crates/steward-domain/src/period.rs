//! Periods of time as policies write them: `30 days`, `13 months`, `7 years`.
//!
//! A period keeps its calendar unit instead of being normalised to seconds,
//! because "1 month" from 31 January ends on the last day of February (Art. 12(3)
//! is counted in calendar months) and because the notice must say it the way the
//! policy said it.

use std::fmt;

use jiff::{Span, civil::Date};

use crate::i18n::Lang;

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
        let amount: u32 = amount
            .parse()
            .map_err(|_| error("the amount must be a whole number, e.g. `30 days`"))?;
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
        Ok(Self { amount, unit })
    }

    pub fn span(self) -> Span {
        let n = i64::from(self.amount);
        match self.unit {
            Unit::Hour => Span::new().hours(n),
            Unit::Day => Span::new().days(n),
            Unit::Week => Span::new().weeks(n),
            Unit::Month => Span::new().months(n),
            Unit::Year => Span::new().years(n),
        }
    }

    /// The date this period after `start` ends, by calendar arithmetic
    /// (31 January + 1 month = the last day of February).
    pub fn after(self, start: Date) -> Option<Date> {
        start.checked_add(self.span()).ok()
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
        format!("{} {word}", self.amount)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::En))
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
        assert_eq!(Period::new(1, Unit::Month).describe(Lang::En), "1 month");
        assert_eq!(
            Period::new(13, Unit::Month).describe(Lang::Sv),
            "13 månader"
        );
        assert_eq!(Period::new(7, Unit::Year).describe(Lang::Sv), "7 år");
    }
}
