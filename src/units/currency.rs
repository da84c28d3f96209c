//! Currencies of money units.

use super::*;

/// A currency; money units are amounts of one currency (never converted between currencies).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Currency {
    /// Chinese yuan renminbi (元).
    CNY,
    /// US dollar.
    USD,
    /// Euro.
    EUR,
}

impl Currency {
    /// ISO 4217 code: "CNY", "USD", "EUR".
    pub fn code(self) -> &'static str {
        match self {
            Currency::CNY => "CNY",
            Currency::USD => "USD",
            Currency::EUR => "EUR",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
