//! Amounts and dates as the text the store keeps, formatted on the stack and bound without an
//! allocation. A backfill binds about half a million of them; `to_string` allocated each one
//! and went through `fmt` (about 5 % of the page writer's instructions).
//!
//! The text is exactly what `Display` prints (`rust_decimal` keeps the scale: `151.20`; chrono
//! prints `2026-01-31`); anything outside the usual shapes is printed by `Display` itself.

use chrono::{Datelike as _, NaiveDate};
use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rust_decimal::Decimal;

/// Room for any `Decimal`: 29 digits, a sign, a point and a leading `0.` with zeros.
const CAPACITY: usize = 40;

/// Text to bind: on the stack when it fits the usual shapes, else `Display`'s own string.
pub(super) enum Text {
    Inline { bytes: [u8; CAPACITY], len: usize },
    Spilled(String),
}

impl Text {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Inline { bytes, len } => &bytes[..*len],
            Self::Spilled(text) => text.as_bytes(),
        }
    }

    /// An amount as `Decimal`'s `Display` prints it.
    pub(super) fn money(amount: Decimal) -> Self {
        let mantissa = amount.mantissa().unsigned_abs();
        // Whole-number digits of a 64-bit mantissa take cheap divisions; anything larger, and
        // negative zero, is left to `Display`.
        let Ok(mut rest) = u64::try_from(mantissa) else {
            return Self::Spilled(amount.to_string());
        };
        if rest == 0 && amount.is_sign_negative() {
            return Self::Spilled(amount.to_string());
        }
        let scale = amount.scale() as usize;
        let mut digits = [0_u8; CAPACITY];
        let mut count = 0;
        while rest > 0 || count <= scale {
            digits[count] = b'0' + u8::try_from(rest % 10).unwrap_or(0);
            rest /= 10;
            count += 1;
        }
        let mut bytes = [0_u8; CAPACITY];
        let mut len = 0;
        if amount.is_sign_negative() {
            bytes[0] = b'-';
            len = 1;
        }
        for position in (0..count).rev() {
            bytes[len] = digits[position];
            len += 1;
            if position == scale && scale > 0 {
                bytes[len] = b'.';
                len += 1;
            }
        }
        Self::Inline { bytes, len }
    }

    /// A date as chrono's `Display` prints it (`YYYY-MM-DD` for years 0 to 9999).
    pub(super) fn date(date: NaiveDate) -> Self {
        let Ok(year) = u16::try_from(date.year()) else {
            return Self::Spilled(date.to_string());
        };
        if year > 9999 {
            return Self::Spilled(date.to_string());
        }
        let mut bytes = [0_u8; CAPACITY];
        let digit = |n: u32| b'0' + u8::try_from(n % 10).unwrap_or(0);
        let year = u32::from(year);
        bytes[..10].copy_from_slice(&[
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(date.month() / 10),
            digit(date.month()),
            b'-',
            digit(date.day() / 10),
            digit(date.day()),
        ]);
        Self::Inline { bytes, len: 10 }
    }
}

impl ToSql for Text {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(self.as_bytes())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(value: &Text) -> String {
        String::from_utf8(value.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn amounts_and_dates_read_as_display_prints_them() {
        for amount in ["151.20", "-15.12", "0", "0.00", "-0.05", "7", "1000000", "0.0000001"] {
            let amount: Decimal = amount.parse().unwrap();
            assert_eq!(text(&Text::money(amount)), amount.to_string(), "{amount}");
        }
        assert_eq!(text(&Text::money(Decimal::MAX)), Decimal::MAX.to_string());
        assert_eq!(text(&Text::money(-Decimal::ZERO)), (-Decimal::ZERO).to_string());
        for date in [(2026, 1, 31), (1, 2, 3), (9999, 12, 31), (10000, 1, 1), (-44, 3, 15)] {
            let date = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
            assert_eq!(text(&Text::date(date)), date.to_string());
        }
    }

    proptest! {
        #[test]
        fn any_amount_reads_as_display_prints_it(
            mantissa in any::<i64>(),
            high in prop_oneof![Just(0_i128), any::<i32>().prop_map(i128::from)],
            scale in 0_u32..=28,
        ) {
            let mantissa = i128::from(mantissa) + (high << 64);
            let amount = Decimal::from_i128_with_scale(mantissa, scale);
            prop_assert_eq!(text(&Text::money(amount)), amount.to_string());
        }

        #[test]
        fn any_date_reads_as_display_prints_it(days in -800_000_i32..4_000_000) {
            let date = NaiveDate::from_num_days_from_ce_opt(days).unwrap();
            prop_assert_eq!(text(&Text::date(date)), date.to_string());
        }
    }
}
