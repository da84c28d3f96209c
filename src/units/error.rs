//! Why a unit, rate unit or quantity could not be read or converted.

use super::*;

/// Errors from parsing units and converting quantities.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// The unit text is not one of the accepted spellings.
    #[error("unknown unit '{input}'; accepted: {}", .accepted.join(", "))]
    Unknown {
        /// The (trimmed) text that was not recognised.
        input: String,
        /// Every accepted spelling, for the message.
        accepted: Vec<&'static str>,
    },
    /// The gas name is not recognised.
    #[error("unknown gas '{input}'; accepted: {}", .accepted.join(", "))]
    UnknownGas {
        /// The (trimmed) text that was not recognised.
        input: String,
        /// Every accepted gas spelling.
        accepted: Vec<&'static str>,
    },
    /// Energy on a gross and on a net calorific basis: the ratio depends on the fuel.
    #[error("cannot convert {from} to {to}: gross and net calorific values differ by a ratio that depends on the fuel")]
    CvMismatch {
        /// Symbol of the source unit.
        from: String,
        /// Symbol of the target unit.
        to: String,
    },
    /// The two units measure different things.
    #[error("cannot convert {from} ({from_dim}) to {to} ({to_dim})")]
    DimensionMismatch {
        /// Symbol of the source unit.
        from: String,
        /// Dimension of the source unit.
        from_dim: Dimension,
        /// Symbol of the target unit.
        to: String,
        /// Dimension of the target unit.
        to_dim: Dimension,
    },
    /// A rate unit was expected ("<numerator>/<denominator>", or a bare ratio such as "1").
    #[error(
        "'{input}' is not a rate unit; expected <numerator>/<denominator> such as tCO2/MWh, or 1 for a plain ratio"
    )]
    MalformedRate {
        /// The (trimmed) text.
        input: String,
    },
    /// The number part of a quantity could not be read.
    #[error("invalid number in quantity '{input}'")]
    InvalidNumber {
        /// The (trimmed) quantity text.
        input: String,
    },
    /// A decimal operation overflowed (or divided by zero).
    #[error("numeric overflow while {what}")]
    Overflow {
        /// What was being computed.
        what: String,
    },
}
