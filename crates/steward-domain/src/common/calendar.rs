//! Working days where the controller is, for Regulation (EEC, Euratom) No
//! 1182/71 Art. 3(4): a period that would end on a Saturday, a Sunday or a
//! public holiday ends with the next working day instead. Which days are
//! public holidays is the Member State's law (Art. 2(1)); for Sweden, the
//! holidays of lag (1989:253) om allmänna helgdagar, and the days lag
//! (1930:173) om beräkning av lagstadgad tid puts beside them (midsommar-,
//! jul- and nyårsafton). They are computed for any year, Easter by the
//! Gregorian computus, not listed by hand.

use jiff::civil::{Date, Weekday, date};

use crate::policy::country::Country;

/// The days a period may end on, where the controller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calendar {
    /// Swedish public holidays and the three eves.
    Sweden,
    /// A country whose holidays Steward does not know: Saturdays and
    /// Sundays only (the policy check warns).
    WeekendsOnly,
}

impl Calendar {
    pub fn of(country: &Country) -> Self {
        match country.code {
            "SE" => Calendar::Sweden,
            _ => Calendar::WeekendsOnly,
        }
    }

    /// Whether Steward knows the public holidays of this country.
    pub fn knows_holidays(self) -> bool {
        self == Calendar::Sweden
    }

    pub fn is_working_day(self, day: Date) -> bool {
        !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && self.holiday(day).is_none()
    }

    /// The name of the holiday `day` is, if it is one (Saturdays and
    /// Sundays as such are not named).
    pub fn holiday(self, day: Date) -> Option<&'static str> {
        match self {
            Calendar::Sweden => swedish_holidays(day.year())
                .into_iter()
                .find(|(d, _)| *d == day)
                .map(|(_, name)| name),
            Calendar::WeekendsOnly => None,
        }
    }

    /// Art. 3(4): `last` if it is a working day, else the next one.
    pub fn period_end(self, last: Date) -> Date {
        let mut day = last;
        // A year has no run of more than a handful of days off.
        for _ in 0..31 {
            if self.is_working_day(day) {
                return day;
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => return day,
            }
        }
        day
    }
}

/// The Swedish days that end no period in `year`, with their names.
pub fn swedish_holidays(year: i16) -> Vec<(Date, &'static str)> {
    let easter = easter_sunday(year);
    let from_easter = |days: i64, name| (shift(easter, days), name);
    // Midsommardagen: the Saturday from 20 to 26 June; Alla helgons dag: the
    // Saturday from 31 October to 6 November.
    let midsommardagen = saturday_from(date(year, 6, 20));
    let alla_helgons_dag = saturday_from(date(year, 10, 31));
    let mut days = vec![
        (date(year, 1, 1), "nyårsdagen"),
        (date(year, 1, 6), "trettondedag jul"),
        from_easter(-2, "långfredagen"),
        from_easter(0, "påskdagen"),
        from_easter(1, "annandag påsk"),
        (date(year, 5, 1), "första maj"),
        from_easter(39, "Kristi himmelsfärds dag"),
        from_easter(49, "pingstdagen"),
        (date(year, 6, 6), "Sveriges nationaldag"),
        (shift(midsommardagen, -1), "midsommarafton"),
        (midsommardagen, "midsommardagen"),
        (alla_helgons_dag, "alla helgons dag"),
        (date(year, 12, 24), "julafton"),
        (date(year, 12, 25), "juldagen"),
        (date(year, 12, 26), "annandag jul"),
        (date(year, 12, 31), "nyårsafton"),
    ];
    days.sort();
    days
}

/// Easter Sunday in the Gregorian calendar (the anonymous computus, as in
/// Meeus, "Astronomical Algorithms").
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // Month is 3 or 4 and day 1 to 31 by construction.
    date(year, month as i8, day as i8)
}

fn shift(day: Date, days: i64) -> Date {
    day.checked_add(jiff::Span::new().days(days)).unwrap_or(day)
}

/// The first Saturday on or after `first`.
fn saturday_from(first: Date) -> Date {
    let saturday = i64::from(Weekday::Saturday.to_monday_zero_offset());
    let today = i64::from(first.weekday().to_monday_zero_offset());
    shift(first, (saturday - today).rem_euclid(7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_falls_where_the_almanac_has_it() {
        for (year, month, day) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(year), date(year, month, day), "{year}");
        }
    }

    #[test]
    fn swedish_holidays_of_2026() {
        let days: Vec<(String, &str)> = swedish_holidays(2026)
            .into_iter()
            .map(|(d, n)| (d.to_string(), n))
            .collect();
        let expected = [
            ("2026-01-01", "nyårsdagen"),
            ("2026-01-06", "trettondedag jul"),
            ("2026-04-03", "långfredagen"),
            ("2026-04-05", "påskdagen"),
            ("2026-04-06", "annandag påsk"),
            ("2026-05-01", "första maj"),
            ("2026-05-14", "Kristi himmelsfärds dag"),
            ("2026-05-24", "pingstdagen"),
            ("2026-06-06", "Sveriges nationaldag"),
            ("2026-06-19", "midsommarafton"),
            ("2026-06-20", "midsommardagen"),
            ("2026-10-31", "alla helgons dag"),
            ("2026-12-24", "julafton"),
            ("2026-12-25", "juldagen"),
            ("2026-12-26", "annandag jul"),
            ("2026-12-31", "nyårsafton"),
        ];
        let expected: Vec<(String, &str)> = expected
            .iter()
            .map(|(d, n)| ((*d).to_owned(), *n))
            .collect();
        assert_eq!(days, expected);
        // Midsommardagen and alla helgons dag are always Saturdays.
        for year in 2000..2100 {
            for (day, name) in swedish_holidays(year) {
                if name == "midsommardagen" || name == "alla helgons dag" {
                    assert_eq!(day.weekday(), Weekday::Saturday, "{name} {year}");
                }
            }
        }
    }

    #[test]
    fn a_period_ending_on_a_day_off_ends_on_the_next_working_day() {
        let sweden = Calendar::Sweden;
        let end = |y, m, d| sweden.period_end(date(y, m, d)).to_string();
        assert_eq!(end(2026, 3, 10), "2026-03-10", "a Tuesday stands");
        assert_eq!(end(2026, 5, 30), "2026-06-01", "a Saturday: Monday");
        assert_eq!(end(2026, 4, 3), "2026-04-07", "långfredag to annandag påsk");
        assert_eq!(end(2026, 6, 19), "2026-06-22", "midsommarafton");
        assert_eq!(
            end(2025, 12, 24),
            "2025-12-29",
            "julafton, two holidays, a weekend"
        );
        assert_eq!(
            end(2026, 12, 31),
            "2027-01-04",
            "nyårsafton, nyårsdagen, a weekend"
        );
        assert_eq!(
            Calendar::WeekendsOnly.period_end(date(2026, 12, 25)),
            date(2026, 12, 25),
            "holidays unknown: only the weekend moves it"
        );
        assert_eq!(
            Calendar::WeekendsOnly.period_end(date(2026, 5, 30)),
            date(2026, 6, 1)
        );
    }
}

/// The organisation's financial year, by the day it ends (`[controller]
/// financial_year_end`, 31 December unless the policy says otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FinancialYear {
    pub month: i8,
    pub day: i8,
}

impl Default for FinancialYear {
    fn default() -> Self {
        FinancialYear { month: 12, day: 31 }
    }
}

impl FinancialYear {
    /// The end of the financial year `date` falls in (the first end on or
    /// after it; a 29 February end is the month's last day in other years).
    pub fn end_after(self, date: Date) -> Date {
        let in_year = |year: i16| {
            Date::new(year, self.month, self.day)
                .or_else(|_| Date::new(year, self.month, 1).map(|d| d.last_of_month()))
                .unwrap_or(date)
        };
        let this = in_year(date.year());
        if this >= date {
            this
        } else {
            in_year(date.year() + 1)
        }
    }
}
