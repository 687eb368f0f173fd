//! Money for quotes: an exact amount in the currency's minor units (never a float), parsed once
//! from what a seller types ("1 234,50", "1,234.50", "1234.5") and printed back per language.

use std::fmt;

/// An ISO 4217 currency Parley accepts, with its number of decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    decimals: u32,
}

/// The currencies of the marketplaces Parley serves.
const CURRENCIES: [Currency; 12] = [
    Currency {
        code: "EUR",
        decimals: 2,
    },
    Currency {
        code: "USD",
        decimals: 2,
    },
    Currency {
        code: "GBP",
        decimals: 2,
    },
    Currency {
        code: "CHF",
        decimals: 2,
    },
    Currency {
        code: "CNY",
        decimals: 2,
    },
    Currency {
        code: "JPY",
        decimals: 0,
    },
    Currency {
        code: "BRL",
        decimals: 2,
    },
    Currency {
        code: "RUB",
        decimals: 2,
    },
    Currency {
        code: "CAD",
        decimals: 2,
    },
    Currency {
        code: "SEK",
        decimals: 2,
    },
    Currency {
        code: "PLN",
        decimals: 2,
    },
    Currency {
        code: "KWD",
        decimals: 3,
    },
];

impl Currency {
    /// Parses a currency code (`eur`, `EUR`).
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let upper = text.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|c| c.code == upper)
            .copied()
            .ok_or_else(|| MoneyError::UnknownCurrency(text.trim().to_owned()))
    }

    #[must_use]
    pub fn code(self) -> &'static str {
        self.code
    }

    #[must_use]
    pub fn decimals(self) -> u32 {
        self.decimals
    }

    /// Every accepted currency.
    #[must_use]
    pub fn all() -> &'static [Self] {
        &CURRENCIES
    }
}

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("“{0}” is not a currency Parley accepts")]
    UnknownCurrency(String),
    #[error("“{0}” is not an amount")]
    NotAnAmount(String),
    #[error("“{0}” has more decimals than the currency allows")]
    TooPrecise(String),
    #[error("the amount is too large (at most 1,000,000,000)")]
    TooLarge,
    #[error(
        "“{0}” is ambiguous: a thousands separator or a decimal point? Write it without the separator, or with two decimals"
    )]
    Ambiguous(String),
    #[error("the amount must be positive")]
    NotPositive,
}

/// The largest amount Parley accepts, in major units: far above any quote, and small enough
/// that no sum of a quote's lines can overflow.
pub const MAX_MAJOR_UNITS: i64 = 1_000_000_000;

/// An exact amount of one currency, in minor units (cents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// From minor units (as stored).
    #[must_use]
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Parses what a person typed: digits with spaces, dots or commas grouping thousands, and
    /// one decimal separator (the last `.` or `,` followed by at most the currency's decimals).
    /// A lone separator followed by exactly three digits is refused as ambiguous ("12.345 EUR":
    /// twelve thousand, or twelve and a bit?) unless the currency has no decimals (it groups)
    /// or three (it is the decimal point). Zero, negative and amounts above
    /// [`MAX_MAJOR_UNITS`] are refused.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let not_amount = || MoneyError::NotAnAmount(text.trim().to_owned());
        let cleaned: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
            .collect();
        if cleaned.is_empty()
            || !cleaned
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        {
            return Err(not_amount());
        }
        let separators: Vec<(usize, char)> = cleaned
            .char_indices()
            .filter(|(_, c)| *c == '.' || *c == ',')
            .collect();
        let decimal_at = match separators.last() {
            None => None,
            Some(&(at, sep)) => {
                let after = cleaned.len() - at - 1;
                let kinds = separators.iter().filter(|(_, c)| *c == sep).count();
                let mixed = separators.iter().any(|(_, c)| *c != sep);
                let three_after_one = kinds == 1 && !mixed && after == 3;
                if three_after_one && currency.decimals != 0 && currency.decimals != 3 {
                    return Err(MoneyError::Ambiguous(text.trim().to_owned()));
                }
                if mixed || (kinds == 1 && !(after == 3 && currency.decimals != 3)) {
                    Some(at)
                } else {
                    None
                }
            }
        };
        let (whole, fraction) = match decimal_at {
            Some(at) => (&cleaned[..at], &cleaned[at + 1..]),
            None => (cleaned.as_str(), ""),
        };
        // Thousands groups: one separator kind, not the decimal one, groups of three digits.
        let group_seps: Vec<char> = whole.chars().filter(|c| !c.is_ascii_digit()).collect();
        if let Some(&first) = group_seps.first() {
            let decimal = decimal_at.map(|at| cleaned.as_bytes()[at] as char);
            let groups: Vec<&str> = whole.split(first).collect();
            let well_formed = group_seps.iter().all(|c| *c == first)
                && decimal != Some(first)
                && (1..=3).contains(&groups[0].len())
                && groups[1..].iter().all(|g| g.len() == 3);
            if !well_formed {
                return Err(not_amount());
            }
        }
        let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
        if whole.is_empty() && fraction.is_empty() {
            return Err(not_amount());
        }
        if fraction.contains(['.', ',']) {
            return Err(not_amount());
        }
        if fraction.len() > currency.decimals as usize {
            return Err(MoneyError::TooPrecise(text.trim().to_owned()));
        }
        let scale = 10_i64.pow(currency.decimals);
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyError::TooLarge)?
        };
        let mut fraction_value: i64 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().map_err(|_| not_amount())?
        };
        for _ in fraction.len()..currency.decimals as usize {
            fraction_value *= 10;
        }
        let minor = whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(fraction_value))
            .ok_or(MoneyError::TooLarge)?;
        if minor <= 0 {
            return Err(MoneyError::NotPositive);
        }
        if minor > MAX_MAJOR_UNITS * scale {
            return Err(MoneyError::TooLarge);
        }
        Ok(Self { minor, currency })
    }

    #[must_use]
    pub fn minor(self) -> i64 {
        self.minor
    }

    #[must_use]
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// The sum of two amounts of the same currency (`None` for different currencies or on
    /// overflow).
    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        (self.currency == other.currency).then_some(())?;
        Some(Self {
            minor: self.minor.checked_add(other.minor)?,
            currency: self.currency,
        })
    }

    /// The amount as a plain decimal, without grouping or currency (`1234.50`): the API's
    /// exact form.
    #[must_use]
    pub fn to_decimal(self) -> String {
        self.digits(None, '.')
    }

    fn format(self, group: char, decimal: char) -> String {
        format!(
            "{} {}",
            self.digits(Some(group), decimal),
            self.currency.code
        )
    }

    fn digits(self, group: Option<char>, decimal: char) -> String {
        let scale = 10_i64.pow(self.currency.decimals);
        let whole = (self.minor / scale).to_string();
        let mut grouped = String::new();
        for (n, c) in whole.chars().enumerate() {
            if let Some(group) = group
                && n > 0
                && (whole.len() - n).is_multiple_of(3)
            {
                grouped.push(group);
            }
            grouped.push(c);
        }
        if self.currency.decimals > 0 {
            let width = self.currency.decimals as usize;
            grouped.push(decimal);
            grouped.push_str(&format!("{:0width$}", self.minor % scale));
        }
        grouped
    }
}

/// English separators: `1,234.50 EUR`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(',', '.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("eur").expect("EUR")
    }

    #[test]
    fn parses_what_people_type_exactly() {
        let cases = [
            ("1234.50", 123_450),
            ("1 234,50", 123_450),
            ("1,234.50", 123_450),
            ("1.234,50", 123_450),
            ("1.234.567", 123_456_700),
            ("1234,5", 123_450),
            ("0,10", 10),
            ("12", 1_200),
            ("2 500 000", 250_000_000),
            ("0.1", 10),
        ];
        for (text, minor) in cases {
            assert_eq!(
                Money::parse(text, eur()).map(Money::minor),
                Ok(minor),
                "{text}"
            );
        }
        // 0.1 + 0.2 is exactly 0.3 here.
        let sum = Money::parse("0.1", eur())
            .expect("a")
            .checked_add(Money::parse("0.2", eur()).expect("b"))
            .expect("sum");
        assert_eq!(sum, Money::parse("0.3", eur()).expect("c"));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for ambiguous in ["12.345", "1,234", "12 345.678"] {
            assert!(
                matches!(
                    Money::parse(ambiguous, Currency::parse("USD").expect("usd")),
                    Err(MoneyError::Ambiguous(_) | MoneyError::TooPrecise(_))
                ),
                "{ambiguous}"
            );
        }
        assert!(matches!(
            Money::parse("12.345", Currency::parse("JPY").expect("jpy")),
            Ok(m) if m.minor() == 12_345
        ));
        assert_eq!(
            Money::parse("50,000,000,000,000,000.00", eur()),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            Money::parse("1 000 000 000,01", eur()),
            Err(MoneyError::TooLarge)
        );
        assert!(matches!(
            Money::parse("1,2,3.4.5", eur()),
            Err(MoneyError::NotAnAmount(_))
        ));
        assert!(matches!(
            Money::parse("12.3456", eur()),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(matches!(
            Money::parse("ten", eur()),
            Err(MoneyError::NotAnAmount(_))
        ));
        assert!(matches!(
            Money::parse("-5", eur()),
            Err(MoneyError::NotAnAmount(_))
        ));
        assert_eq!(Money::parse("0,00", eur()), Err(MoneyError::NotPositive));
        assert_eq!(
            Money::parse("99999999999999999999", eur()),
            Err(MoneyError::TooLarge)
        );
        assert!(matches!(
            Money::parse("5.5", Currency::parse("JPY").expect("jpy")),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(Currency::parse("XYZ").is_err());
    }

    #[test]
    fn prints_per_language() {
        let m = Money::parse("1234567.5", eur()).expect("m");
        assert_eq!(m.to_string(), "1,234,567.50 EUR");
        assert_eq!(m.to_decimal(), "1234567.50");
        let yen = Money::parse("1500", Currency::parse("jpy").expect("jpy")).expect("y");
        assert_eq!(yen.to_string(), "1,500 JPY");
        assert_eq!(
            Money::from_minor(5, eur()).checked_add(yen),
            None,
            "no sum across currencies"
        );
    }
}
