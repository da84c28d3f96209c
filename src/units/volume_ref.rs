//! Reference conditions of gas volumes: a cubic metre of gas at 0 °C is not a cubic metre at 15 °C.

use super::*;

/// The temperature and pressure a gas volume is stated at.
///
/// A unit such as `Nm3` or `scf` states its reference; plain `m3`, `L`, `gal`, `bbl` and `ft3` do not
/// (a liquid volume, or a gas volume whose conditions are not stated), and [`Unit::volume_ref`] gives
/// `None` for them. Between two stated references a volume converts through the ideal-gas law at
/// equal pressure ([`reference_ratio`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VolumeRef {
    /// 0 °C, 101.325 kPa ("normal" cubic metres, `Nm3`, 标准立方米).
    Normal,
    /// 15 °C, 101.325 kPa (ISO 13443 standard conditions, `Sm3`).
    Standard15,
    /// 20 °C, 101.325 kPa: China's commercial reference for pipeline gas (GB/T 19205).
    Standard20,
    /// 60 °F, 14.696 psia: the US gas industry's standard cubic foot (`scf`, `Mcf`).
    Scf60F,
}

impl VolumeRef {
    /// Every reference, in declaration order.
    pub const ALL: [VolumeRef; 4] =
        [VolumeRef::Normal, VolumeRef::Standard15, VolumeRef::Standard20, VolumeRef::Scf60F];

    /// The reference temperature in kelvin as an exact fraction (numerator, denominator):
    /// 273.15, 288.15 and 293.15 K over 1; 60 °F = (459.67 + 60) x 5/9 K = 2598.35 / 9 K.
    pub fn kelvin(self) -> (Decimal, Decimal) {
        match self {
            VolumeRef::Normal => (dec!(273.15), Decimal::ONE),
            VolumeRef::Standard15 => (dec!(288.15), Decimal::ONE),
            VolumeRef::Standard20 => (dec!(293.15), Decimal::ONE),
            // 60 °F is 519.67 °R (459.67 + 60), and a rankine is 5/9 of a kelvin.
            VolumeRef::Scf60F => (dec!(2598.35), dec!(9)),
        }
    }
}

impl fmt::Display for VolumeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VolumeRef::Normal => "0 °C",
            VolumeRef::Standard15 => "15 °C",
            VolumeRef::Standard20 => "20 °C",
            VolumeRef::Scf60F => "60 °F",
        })
    }
}

/// The exact ratio (numerator, denominator) that takes a gas volume stated at `from` to the same
/// amount of gas stated at `to`: `V_to = V_from x numerator / denominator`.
///
/// Ideal-gas law at equal pressure, V proportional to T: `V_to = V_from x T_to / T_from`. The US
/// reference pressure (14.696 psia = 101.32535 kPa) differs from 101.325 kPa by 3.5 parts per
/// million, below the precision of any heating value or emission factor; it is neglected, so
/// every reference is taken at 101.325 kPa. Both parts are exact decimals (no division is done
/// here), so a factor chain can multiply by the numerator and divide once at its end.
pub fn reference_ratio(from: VolumeRef, to: VolumeRef) -> (Decimal, Decimal) {
    if from == to {
        return (Decimal::ONE, Decimal::ONE);
    }
    // T_to / T_from = (a / b) / (c / d) = (a x d) / (b x c); every part is at most 2598.35, so
    // neither product can overflow or round.
    let (a, b) = to.kelvin();
    let (c, d) = from.kelvin();
    (a * d, b * c)
}

/// The reference ratio between two units when both are volumes that state a reference;
/// (1, 1) otherwise (a stated and an unstated volume convert as today, by their factors only).
pub(super) fn unit_reference_ratio(from: &Unit, to: &Unit) -> (Decimal, Decimal) {
    match (from.dim, from.vref, to.dim, to.vref) {
        (Dimension::Volume, Some(f), Dimension::Volume, Some(t)) => reference_ratio(f, t),
        _ => (Decimal::ONE, Decimal::ONE),
    }
}
