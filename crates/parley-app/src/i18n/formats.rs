//! Numbers, amounts, dates and times as each language writes them (ICU4X's CLDR data: `5 760,00`
//! in French, `5.760,00` in German, `2026年12月3日` in Japanese), in the reader's time zone.

use std::cell::RefCell;
use std::collections::HashMap;

use icu_datetime::DateTimeFormatter;
use icu_datetime::fieldsets::{YMD, YMDT};
use icu_datetime::input::{Date, DateTime, Time};
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_locale_core::Locale;
use parley_domain::{Money, Timestamp};

use super::Words;

/// The time zone a reader's times are shown in: theirs when known (an IANA name such as
/// `Europe/Paris`), else UTC, which the times then say.
#[derive(Debug, Clone)]
pub struct Zone {
    tz: jiff::tz::TimeZone,
}

impl Zone {
    /// Coordinated Universal Time: the fallback.
    #[must_use]
    pub fn utc() -> Self {
        Self {
            tz: jiff::tz::TimeZone::UTC,
        }
    }

    /// The zone of an IANA name (`Asia/Tokyo`), or `None` for a name the time zone database
    /// does not know (the database is built in: no file on the machine is read).
    #[must_use]
    pub fn named(name: &str) -> Option<Self> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return None;
        }
        jiff::tz::db().get(name).ok().map(|tz| Self { tz })
    }
}

/// One language's formatters (built once per thread and language: building reads CLDR data).
struct Formatters {
    decimal: Option<DecimalFormatter>,
    date_time: Option<DateTimeFormatter<YMDT>>,
    date: Option<DateTimeFormatter<YMD>>,
}

impl Formatters {
    fn new(code: &str) -> Self {
        let locale: Locale = code.parse().unwrap_or(Locale::UNKNOWN);
        Self {
            decimal: DecimalFormatter::try_new((&locale).into(), Default::default()).ok(),
            date_time: DateTimeFormatter::try_new((&locale).into(), YMD::medium().with_time_hm())
                .ok(),
            date: DateTimeFormatter::try_new((&locale).into(), YMD::medium()).ok(),
        }
    }
}

thread_local! {
    static FORMATTERS: RefCell<HashMap<&'static str, std::rc::Rc<Formatters>>> =
        RefCell::new(HashMap::new());
}

fn formatters(code: &'static str) -> std::rc::Rc<Formatters> {
    FORMATTERS.with(|cache| {
        cache
            .borrow_mut()
            .entry(code)
            .or_insert_with(|| std::rc::Rc::new(Formatters::new(code)))
            .clone()
    })
}

/// The wall-clock time of `at` in `zone`, and the zone's abbreviation then (`CET`, `JST`, or
/// an offset such as `+03` where the zone has no abbreviation).
fn wall_clock(at: Timestamp, zone: &Zone) -> Option<(DateTime<icu_calendar::Iso>, String)> {
    let zoned = jiff::Timestamp::from_millisecond(at.0)
        .ok()?
        .to_zoned(zone.tz.clone());
    let date = Date::try_new_iso(
        i32::from(zoned.year()),
        u8::try_from(zoned.month()).ok()?,
        u8::try_from(zoned.day()).ok()?,
    )
    .ok()?;
    let time = Time::try_new(
        u8::try_from(zoned.hour()).ok()?,
        u8::try_from(zoned.minute()).ok()?,
        0,
        0,
    )
    .ok()?;
    let label = zoned.strftime("%Z").to_string();
    Some((DateTime { date, time }, label))
}

impl Words {
    /// A number with the language's separators (`1 234,5` in French).
    #[must_use]
    pub fn number(&self, text: &str) -> String {
        let formatters = formatters(self.code);
        match (&formatters.decimal, Decimal::try_from_str(text)) {
            (Some(formatter), Ok(decimal)) => formatter.format(&decimal).to_string(),
            _ => text.to_owned(),
        }
    }

    /// An amount with the language's separators and its currency's code
    /// (`5 760,00 EUR`, `5.760,00 EUR`, `5,760.00 EUR`).
    #[must_use]
    pub fn money(&self, money: Money) -> String {
        format!(
            "{} {}",
            self.number(&money.to_decimal()),
            money.currency().code()
        )
    }

    /// An amount as the history stores it (`5,760.00 EUR`: see [`Money`]'s `Display`), in the
    /// language's format; a text that is not such an amount is shown as it is.
    #[must_use]
    pub fn stored_amount(&self, text: &str) -> String {
        let parsed = text.rsplit_once(' ').and_then(|(amount, code)| {
            let currency = parley_domain::Currency::parse(code).ok()?;
            Money::parse(amount, currency).ok()
        });
        parsed.map_or_else(|| text.to_owned(), |money| self.money(money))
    }

    /// A date and time in `zone`, with the zone's abbreviation (`3 déc. 2026, 17:20 CET`).
    #[must_use]
    pub fn date_time(&self, at: Timestamp, zone: &Zone) -> String {
        let formatters = formatters(self.code);
        match (&formatters.date_time, wall_clock(at, zone)) {
            (Some(formatter), Some((wall, label))) => {
                format!("{} {label}", formatter.format(&wall))
            }
            _ => at.to_rfc3339(),
        }
    }

    /// A date in `zone` (`3 déc. 2026`).
    #[must_use]
    pub fn date(&self, at: Timestamp, zone: &Zone) -> String {
        let formatters = formatters(self.code);
        match (&formatters.date, wall_clock(at, zone)) {
            (Some(formatter), Some((wall, _))) => formatter.format(&wall.date).to_string(),
            _ => at.to_rfc3339().chars().take(10).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use parley_domain::Currency;

    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("EUR").expect("EUR"))
    }

    #[test]
    fn amounts_read_as_each_language_writes_them() {
        let amount = eur(576_000);
        let expected = [
            ("en", "5,760.00 EUR"),
            ("fr", "5\u{202f}760,00 EUR"),
            ("de", "5.760,00 EUR"),
            ("es", "5760,00 EUR"),
            ("it", "5760,00 EUR"),
            ("pt", "5.760,00 EUR"),
            ("ru", "5\u{a0}760,00 EUR"),
            ("zh", "5,760.00 EUR"),
            ("ja", "5,760.00 EUR"),
        ];
        for (code, text) in expected {
            assert_eq!(Words::new(code).money(amount), text, "{code}");
        }
        assert_eq!(Words::new("de").money(eur(123_456_789)), "1.234.567,89 EUR");
        // The history's stored English form reads in the reader's language; other text stays.
        assert_eq!(
            Words::new("de").stored_amount("5,760.00 EUR"),
            "5.760,00 EUR"
        );
        assert_eq!(Words::new("de").stored_amount("beaucoup"), "beaucoup");
    }

    #[test]
    fn times_read_in_the_readers_zone_and_language() {
        // 2026-12-03 16:20 UTC.
        let at = Timestamp(1_796_314_800_000);
        let paris = Zone::named("Europe/Paris").expect("Paris");
        let tokyo = Zone::named("Asia/Tokyo").expect("Tokyo");
        assert_eq!(
            Words::new("fr").date_time(at, &paris),
            "3 déc. 2026, 17:20 CET"
        );
        assert_eq!(
            Words::new("en").date_time(at, &Zone::utc()),
            "Dec 3, 2026, 4:20\u{202f}PM UTC"
        );
        assert_eq!(
            Words::new("ja").date_time(at, &tokyo),
            "2026/12/04 1:20 JST"
        );
        assert_eq!(Words::new("de").date(at, &tokyo), "04.12.2026");
        assert!(Zone::named("Mars/Olympus").is_none());
        assert!(Zone::named("").is_none());
    }
}
