//! The Art. 12(3) deadlines: one month from receipt (or the shorter period
//! the policy promises), counted in calendar months, and one extension by two
//! further months, by Regulation 1182/71:
//! the day of receipt does not count (Art. 3(1)), a month ends on the same
//! day number or the month's last day (Art. 3(2)(c)), and a period that
//! would end on a day off ends on the next working day (Art. 3(4)).

use jiff::civil::Date;

use crate::common::calendar::Calendar;
use crate::common::period::{Period, Unit};
use crate::rights::request::RequestState;

/// The Art. 12(3) deadlines of one request, counted in calendar months from
/// the day it was received: the period ends on the same day number of the
/// month it ends in, or on that month's last day (31 January → 28/29 February).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub received: Date,
    /// The extension, if taken: the day it was decided.
    pub extended_on: Option<Date>,
    /// The period promised: the policy's `response_deadline`, at most the
    /// law's one month (the lint refuses longer).
    pub period: Period,
}

/// The law's period, when the policy promises no shorter one.
pub const ONE_MONTH: Period = Period::new(1, Unit::Month);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    #[error("the deadline was already extended on {0}; Art. 12(3) allows one extension")]
    AlreadyExtended(Date),
    #[error("an extension must be decided, and the subject told, within the first month (by {0})")]
    TooLate(Date),
    #[error("an extension needs its reasons, which the subject is told")]
    NoReason,
}

impl Deadline {
    /// A request received on `received`, to be answered within `period`
    /// (the law's month is the longest it can be).
    pub fn new(received: Date, period: Period) -> Self {
        let period = if period.min_days() > ONE_MONTH.min_days() || period.max_days() > 31 {
            ONE_MONTH
        } else if period.unit == Unit::Hour {
            // Counted in whole days, as Regulation 1182/71 counts.
            Period::new(u32::try_from(period.max_days()).unwrap_or(31), Unit::Day)
        } else {
            period
        };
        Self {
            received,
            extended_on: None,
            period,
        }
    }

    /// With the extension taken on `extended_on`, if it was.
    pub fn extended(self, extended_on: Option<Date>) -> Self {
        Self {
            extended_on,
            ..self
        }
    }

    /// The promised period from receipt, on a working day.
    pub fn first_due(&self, calendar: Calendar) -> Date {
        calendar.period_end(self.period_end(0))
    }

    /// The date by which the request must be answered: the promised
    /// period from receipt, or two further months when extended, on a
    /// working day.
    pub fn due(&self, calendar: Calendar) -> Date {
        match self.extended_on {
            Some(_) => calendar.period_end(self.period_end(2)),
            None => self.first_due(calendar),
        }
    }

    /// The period's end, `further` months on; a month's period and the
    /// extension are counted together from receipt (31 January + 3 months
    /// is 30 April, not 28 February + 2 months).
    fn period_end(&self, further: u32) -> Date {
        match self.period.unit {
            Unit::Month => months_after(self.received, self.period.amount + further),
            _ => {
                let end = self.period.after(self.received).unwrap_or(self.received);
                months_after(end, further)
            }
        }
    }

    /// Extends once, if decided within the first month and with reasons.
    pub fn extend(
        &mut self,
        on: Date,
        reason: &str,
        calendar: Calendar,
    ) -> Result<Date, ExtensionError> {
        if let Some(already) = self.extended_on {
            return Err(ExtensionError::AlreadyExtended(already));
        }
        if reason.trim().is_empty() {
            return Err(ExtensionError::NoReason);
        }
        if on > self.first_due(calendar) {
            return Err(ExtensionError::TooLate(self.first_due(calendar)));
        }
        self.extended_on = Some(on);
        Ok(self.due(calendar))
    }

    /// Overdue: past the due date and not answered.
    pub fn is_overdue(&self, today: Date, state: &RequestState, calendar: Calendar) -> bool {
        !state.is_final() && today > self.due(calendar)
    }
}

fn months_after(date: Date, months: u32) -> Date {
    // A date plus a few months is always in jiff's range for real dates.
    Period::new(months, Unit::Month).after(date).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Weekends only: the month arithmetic alone.
    const PLAIN: Calendar = Calendar::WeekendsOnly;
    use jiff::civil::date;

    #[test]
    fn one_month_from_receipt_ends_on_the_same_day_or_the_months_last() {
        let due = |y, m, d| months_after(date(y, m, d), 1);
        assert_eq!(due(2025, 1, 31), date(2025, 2, 28));
        assert_eq!(due(2024, 1, 31), date(2024, 2, 29), "leap year");
        assert_eq!(due(2025, 1, 30), date(2025, 2, 28));
        assert_eq!(due(2025, 3, 31), date(2025, 4, 30));
        assert_eq!(due(2025, 2, 28), date(2025, 3, 28));
        assert_eq!(due(2025, 12, 15), date(2026, 1, 15), "across the year");
        assert_eq!(due(2025, 5, 1), date(2025, 6, 1));
    }

    #[test]
    fn an_extension_adds_two_further_months_to_the_period() {
        let mut deadline = Deadline::new(date(2025, 1, 31), ONE_MONTH);
        assert_eq!(
            deadline.extend(date(2025, 2, 10), "many requests at once", PLAIN),
            Ok(date(2025, 4, 30))
        );
        assert_eq!(
            deadline.due(PLAIN),
            date(2025, 4, 30),
            "three months from receipt, not Feb 28 + 2 months"
        );
        assert_eq!(
            deadline.extend(date(2025, 2, 11), "again", PLAIN),
            Err(ExtensionError::AlreadyExtended(date(2025, 2, 10)))
        );
    }

    #[test]
    fn an_extension_must_come_within_the_first_month_and_give_reasons() {
        let mut late = Deadline::new(date(2025, 1, 31), ONE_MONTH);
        assert_eq!(
            late.extend(date(2025, 3, 1), "complex", PLAIN),
            Err(ExtensionError::TooLate(date(2025, 2, 28)))
        );
        let mut on_the_last_day = Deadline::new(date(2025, 1, 31), ONE_MONTH);
        assert!(
            on_the_last_day
                .extend(date(2025, 2, 28), "complex", PLAIN)
                .is_ok()
        );
        let mut silent = Deadline::new(date(2025, 1, 31), ONE_MONTH);
        assert_eq!(
            silent.extend(date(2025, 2, 1), "  ", PLAIN),
            Err(ExtensionError::NoReason)
        );
    }

    #[test]
    fn overdue_only_past_the_due_date_and_while_unanswered() {
        let deadline = Deadline::new(date(2025, 1, 31), ONE_MONTH);
        assert!(
            !deadline.is_overdue(date(2025, 2, 28), &RequestState::InProgress, PLAIN),
            "due that day, not overdue"
        );
        assert!(deadline.is_overdue(date(2025, 3, 1), &RequestState::InProgress, PLAIN));
        assert!(!deadline.is_overdue(date(2025, 3, 1), &RequestState::Completed, PLAIN));
    }

    #[test]
    fn a_shorter_period_the_policy_promises_is_the_one_counted() {
        let two_weeks = Deadline::new(date(2026, 3, 2), Period::new(14, Unit::Day));
        assert_eq!(two_weeks.due(PLAIN), date(2026, 3, 16));
        // Extended: two further months after the promised period.
        let mut extended = two_weeks;
        assert_eq!(
            extended.extend(date(2026, 3, 10), "complex", PLAIN),
            Ok(date(2026, 5, 18))
        );
        // Past the promised period, the extension comes too late.
        let mut late = two_weeks;
        assert_eq!(
            late.extend(date(2026, 3, 17), "complex", PLAIN),
            Err(ExtensionError::TooLate(date(2026, 3, 16)))
        );
        // Never longer than the law's month, whatever is passed.
        let long = Deadline::new(date(2026, 3, 2), Period::new(3, Unit::Month));
        assert_eq!(long.due(PLAIN), date(2026, 4, 2));
        // Hours are counted as whole days.
        let hours = Deadline::new(date(2026, 3, 2), Period::new(72, Unit::Hour));
        assert_eq!(hours.due(PLAIN), date(2026, 3, 5));
    }

    #[test]
    fn in_sweden_a_deadline_on_a_day_off_moves_to_the_next_working_day() {
        let sweden = Calendar::Sweden;
        let due = |y, m, d| {
            Deadline::new(date(y, m, d), ONE_MONTH)
                .due(sweden)
                .to_string()
        };
        assert_eq!(due(2025, 11, 24), "2025-12-29", "julafton, jul, a weekend");
        assert_eq!(due(2026, 5, 19), "2026-06-22", "midsommarafton");
        assert_eq!(
            due(2026, 3, 3),
            "2026-04-07",
            "långfredagen to annandag påsk"
        );
        assert_eq!(due(2026, 4, 1), "2026-05-04", "första maj, then a weekend");
        assert_eq!(due(2026, 3, 10), "2026-04-10", "a Friday stands");
        // The extension runs from receipt, and moves the same way.
        let mut extended = Deadline::new(date(2026, 3, 31), ONE_MONTH);
        assert_eq!(
            extended.extend(date(2026, 4, 20), "many requests", sweden),
            Ok(date(2026, 6, 30))
        );
        let mut midsummer = Deadline::new(date(2026, 3, 19), ONE_MONTH);
        assert_eq!(
            midsummer.extend(date(2026, 4, 1), "complex", sweden),
            Ok(date(2026, 6, 22))
        );
        // The first month, for deciding an extension, moves too.
        let mut late = Deadline::new(date(2026, 4, 3), ONE_MONTH);
        assert_eq!(late.first_due(sweden), date(2026, 5, 4));
        assert!(late.extend(date(2026, 5, 4), "complex", sweden).is_ok());
    }
}
