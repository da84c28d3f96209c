//! Figure ids: the names users script against (`scope1`, `scope2.market`, `intensity.energy`, ...), as a type.
//!
//! A [`FigureId`] borrows the id's text and knows its [`Family`] (what kind of figure it is) and its rank in the
//! canonical order (scope 1, scope 2, totals, energy, electricity, intensities, activity quantities). Code names the
//! fixed ids by their constants ([`SCOPE1`], [`SCOPE2_MARKET`], ...) and the families made from an activity by
//! [`FigureId::scope1_of`] and [`FigureId::activity_of`], instead of spelling ids and testing prefixes by hand.

use std::fmt;

/// A figure id (borrowed text). Constants name the fixed ids; they can be used in `match` patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FigureId<'a>(&'a str);

/// Scope 1: fuels burned (sum of the `scope1.<activity>` figures).
pub const SCOPE1: FigureId<'static> = FigureId("scope1");
/// Scope 2, location-based.
pub const SCOPE2_LOCATION: FigureId<'static> = FigureId("scope2.location");
/// Scope 2, market-based.
pub const SCOPE2_MARKET: FigureId<'static> = FigureId("scope2.market");
/// Scope 1 + scope 2 location-based.
pub const TOTAL_LOCATION: FigureId<'static> = FigureId("total.location");
/// Scope 1 + scope 2 market-based.
pub const TOTAL_MARKET: FigureId<'static> = FigureId("total.market");
/// Direct energy (fuels).
pub const ENERGY_DIRECT: FigureId<'static> = FigureId("energy.direct");
/// Indirect energy (electricity, heat, on-site PV).
pub const ENERGY_INDIRECT: FigureId<'static> = FigureId("energy.indirect");
/// Direct + indirect energy.
pub const ENERGY_TOTAL: FigureId<'static> = FigureId("energy.total");
/// Grid electricity + on-site PV.
pub const ELECTRICITY_TOTAL: FigureId<'static> = FigureId("electricity.total");
/// On-site PV + certificate-covered grid electricity.
pub const ELECTRICITY_RENEWABLE: FigureId<'static> = FigureId("electricity.renewable");
/// total.location per million of revenue.
pub const INTENSITY_TOTAL_LOCATION: FigureId<'static> = FigureId("intensity.total.location");
/// total.market per million of revenue.
pub const INTENSITY_TOTAL_MARKET: FigureId<'static> = FigureId("intensity.total.market");
/// energy.total per million of revenue.
pub const INTENSITY_ENERGY: FigureId<'static> = FigureId("intensity.energy");

/// Scope 3, all categories (reported beside the scopes, never added into a total).
pub const SCOPE3: FigureId<'static> = FigureId("scope3");
/// CO2 of biomass burned, reported outside the scopes.
pub const BIOGENIC_CO2: FigureId<'static> = FigureId("biogenic.co2");
/// Montreal Protocol gases released (HCFC-22, ...), in CO2e where the GWP set lists them: reported apart, in no scope.
pub const MONTREAL: FigureId<'static> = FigureId("montreal");
/// Prefix of the scope 1 figures by gas group (`scope1.gas.co2`, `scope1.gas.hfcs`).
pub const SCOPE1_GAS_PREFIX: &str = "scope1.gas.";
/// The scope 1 figures by category.
pub const SCOPE1_BY_CATEGORY: &[&str] = &["scope1.stationary", "scope1.mobile", "scope1.fugitive", "scope1.process"];

/// Every fixed id, in canonical order.
pub const FIXED: &[FigureId<'static>] = &[
    SCOPE1,
    SCOPE2_LOCATION,
    SCOPE2_MARKET,
    TOTAL_LOCATION,
    TOTAL_MARKET,
    ENERGY_DIRECT,
    ENERGY_INDIRECT,
    ENERGY_TOTAL,
    ELECTRICITY_TOTAL,
    ELECTRICITY_RENEWABLE,
    INTENSITY_TOTAL_LOCATION,
    INTENSITY_TOTAL_MARKET,
    INTENSITY_ENERGY,
];

/// The totals and the figures each is the sum of.
pub const SUMS: &[(FigureId<'static>, &[FigureId<'static>])] = &[
    (TOTAL_LOCATION, &[SCOPE1, SCOPE2_LOCATION]),
    (TOTAL_MARKET, &[SCOPE1, SCOPE2_MARKET]),
    (ENERGY_TOTAL, &[ENERGY_DIRECT, ENERGY_INDIRECT]),
];

/// The intensities per revenue and the figure each divides by revenue.
pub const PER_REVENUE: &[(FigureId<'static>, FigureId<'static>)] = &[
    (INTENSITY_TOTAL_LOCATION, TOTAL_LOCATION),
    (INTENSITY_TOTAL_MARKET, TOTAL_MARKET),
    (INTENSITY_ENERGY, ENERGY_TOTAL),
];

/// The id of the revenue denominator in a reported-figures file.
pub const DENOMINATOR_REVENUE: &str = "denominator.revenue";
/// The name of the revenue denominator in an inventory (`[denominators.revenue]`): its intensities are the
/// [`PER_REVENUE`] ids, per million of its currency, and it has no `.per.revenue` ids.
pub const REVENUE: &str = "revenue";
/// What joins an intensity per revenue to a denominator's name in the id of the same ratio to another denominator
/// (`intensity.total.market.per.output`).
pub const PER: &str = ".per.";

/// Prefix of the per-activity scope 1 figures (`scope1.natural_gas`).
pub const SCOPE1_PREFIX: &str = "scope1.";
/// Prefix of the ledger-quantity figures (`activity.electricity`).
pub const ACTIVITY_PREFIX: &str = "activity.";
/// Prefix of the intensity figures.
pub const INTENSITY_PREFIX: &str = "intensity.";
/// Prefix of the energy figures.
pub const ENERGY_PREFIX: &str = "energy.";

/// What kind of figure an id names, in canonical order (the derived `Ord` is that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// `scope1`.
    Scope1,
    /// `scope1.<activity>`.
    Scope1Part,
    /// `scope1.<stationary|mobile|fugitive|process>` and `scope1.gas.<group>`: scope 1 broken down, each a sum of
    /// its own lines (the same values as the activities'), never added into `scope1`.
    Scope1Breakdown,
    /// `scope2.location`.
    Scope2Location,
    /// `scope2.location.<part>`.
    Scope2LocationPart,
    /// `scope2.market`.
    Scope2Market,
    /// `scope2.market.<part>`.
    Scope2MarketPart,
    /// `total.location`.
    TotalLocation,
    /// `total.market`.
    TotalMarket,
    /// `scope3`.
    Scope3,
    /// `scope3.cat<N>`.
    Scope3Part,
    /// `biogenic.co2`.
    Biogenic,
    /// `montreal`.
    Montreal,
    /// `energy.direct`.
    EnergyDirect,
    /// `energy.indirect`.
    EnergyIndirect,
    /// `energy.total`.
    EnergyTotal,
    /// Any other `energy.<part>`.
    EnergyPart,
    /// `electricity.total`.
    ElectricityTotal,
    /// `electricity.renewable`.
    ElectricityRenewable,
    /// Any other `electricity.<part>`.
    ElectricityPart,
    /// `intensity.total.location`.
    IntensityTotalLocation,
    /// `intensity.total.market`.
    IntensityTotalMarket,
    /// `intensity.energy`.
    IntensityEnergy,
    /// `intensity.<total.location|total.market|energy>.per.<denominator>`: a ratio to a denominator other than
    /// revenue, in the numerator's unit per the denominator's unit.
    IntensityPer,
    /// Any other `intensity.<part>`.
    IntensityPart,
    /// `activity.<activity>`: a ledger quantity.
    Activity,
    /// Anything else (a name only a reported-figures file uses).
    Other,
}

impl<'a> FigureId<'a> {
    /// The id of this text (any text: unknown ids are [`Family::Other`]).
    pub const fn new(id: &'a str) -> FigureId<'a> {
        FigureId(id)
    }
    /// The id's text.
    pub const fn as_str(self) -> &'a str {
        self.0
    }
    /// What kind of figure this is.
    pub fn family(self) -> Family {
        let id = self.0;
        match self {
            SCOPE1 => Family::Scope1,
            SCOPE2_LOCATION => Family::Scope2Location,
            SCOPE2_MARKET => Family::Scope2Market,
            TOTAL_LOCATION => Family::TotalLocation,
            TOTAL_MARKET => Family::TotalMarket,
            ENERGY_DIRECT => Family::EnergyDirect,
            ENERGY_INDIRECT => Family::EnergyIndirect,
            ENERGY_TOTAL => Family::EnergyTotal,
            ELECTRICITY_TOTAL => Family::ElectricityTotal,
            ELECTRICITY_RENEWABLE => Family::ElectricityRenewable,
            INTENSITY_TOTAL_LOCATION => Family::IntensityTotalLocation,
            INTENSITY_TOTAL_MARKET => Family::IntensityTotalMarket,
            INTENSITY_ENERGY => Family::IntensityEnergy,
            SCOPE3 => Family::Scope3,
            BIOGENIC_CO2 => Family::Biogenic,
            MONTREAL => Family::Montreal,
            _ if SCOPE1_BY_CATEGORY.contains(&id) || part_of(id, SCOPE1_GAS_PREFIX).is_some() => {
                Family::Scope1Breakdown
            }
            _ if part_of(id, SCOPE1_PREFIX).is_some() => Family::Scope1Part,
            _ if part_of(id, "scope3.").is_some() => Family::Scope3Part,
            _ if part_of(id, "scope2.location.").is_some() => Family::Scope2LocationPart,
            _ if part_of(id, "scope2.market.").is_some() => Family::Scope2MarketPart,
            _ if part_of(id, ENERGY_PREFIX).is_some() => Family::EnergyPart,
            _ if part_of(id, "electricity.").is_some() => Family::ElectricityPart,
            _ if self.per_denominator().is_some() => Family::IntensityPer,
            _ if part_of(id, INTENSITY_PREFIX).is_some() => Family::IntensityPart,
            _ if part_of(id, ACTIVITY_PREFIX).is_some() => Family::Activity,
            _ => Family::Other,
        }
    }
    /// The activity of a `scope1.<activity>` or `activity.<activity>` id.
    pub fn activity(self) -> Option<&'a str> {
        if self.family() == Family::Scope1Breakdown {
            return None;
        }
        part_of(self.0, SCOPE1_PREFIX).or_else(|| part_of(self.0, ACTIVITY_PREFIX))
    }
    /// Whether a calculation line with this figure id is emitted into scope 1.
    pub fn is_scope1_part(self) -> bool {
        self.family() == Family::Scope1Part
    }
    /// Whether this figure is made per activity (`scope1.<activity>`, `activity.<activity>`): it exists only where
    /// rows of that activity do, so an absent one is zero rather than not computed.
    pub fn is_per_activity(self) -> bool {
        matches!(self.family(), Family::Scope1Part | Family::Activity)
    }
    /// Whether this is an intensity (a ratio to a denominator, derived, never a sum of lines).
    pub fn is_intensity(self) -> bool {
        matches!(
            self.family(),
            Family::IntensityTotalLocation
                | Family::IntensityTotalMarket
                | Family::IntensityEnergy
                | Family::IntensityPer
                | Family::IntensityPart
        )
    }
    /// Whether this is an energy figure (`energy.*`).
    pub fn is_energy(self) -> bool {
        matches!(
            self.family(),
            Family::EnergyDirect | Family::EnergyIndirect | Family::EnergyTotal | Family::EnergyPart
        )
    }
    /// Whether this is an emission figure (scope 1, scope 2, a total, scope 3, biogenic CO2, Montreal gases).
    pub fn is_emission(self) -> bool {
        self.family() <= Family::Montreal
    }
    /// Whether a line with figure id `line` adds to this figure (totals gather their parts' lines).
    pub fn gathers_line(self, line: &str) -> bool {
        let l = FigureId(line);
        match self {
            SCOPE1 => l.is_scope1_part(),
            TOTAL_LOCATION => l.is_scope1_part() || l == SCOPE2_LOCATION,
            TOTAL_MARKET => l.is_scope1_part() || l == SCOPE2_MARKET,
            ENERGY_TOTAL => l == ENERGY_DIRECT || l == ENERGY_INDIRECT,
            _ => l == self,
        }
    }
    /// For a total: the figures it is the sum of.
    pub fn summands(self) -> Option<&'static [FigureId<'static>]> {
        SUMS.iter().find(|(t, _)| *t == self).map(|(_, parts)| *parts)
    }
    /// For an intensity per revenue: the figure it divides by revenue.
    pub fn per_revenue_of(self) -> Option<FigureId<'static>> {
        PER_REVENUE.iter().find(|(i, _)| *i == self).map(|(_, n)| *n)
    }
    /// For an intensity per another denominator (`intensity.total.market.per.output`): the intensity per revenue
    /// it parallels (`intensity.total.market`) and the denominator's name (`output`). None for `.per.revenue`
    /// (revenue's intensities are the [`PER_REVENUE`] ids) and for a name that is not a denominator name.
    pub fn per_denominator(self) -> Option<(FigureId<'static>, &'a str)> {
        let i = self.0.rfind(PER)?;
        let (base, name) = (&self.0[..i], &self.0[i + PER.len()..]);
        let base = PER_REVENUE.iter().map(|(b, _)| *b).find(|b| *b == base)?;
        (is_denominator_name(name) && name != REVENUE).then_some((base, name))
    }
    /// For any intensity this crate makes: the figure divided and the denominator's name (`revenue` for the
    /// [`PER_REVENUE`] ids).
    pub fn ratio(self) -> Option<(FigureId<'static>, &'a str)> {
        if let Some(n) = self.per_revenue_of() {
            return Some((n, REVENUE));
        }
        let (base, name) = self.per_denominator()?;
        Some((base.per_revenue_of()?, name))
    }
    /// Canonical rank: the family, then (for per-activity ids) the activity's position in report order.
    /// Ids of equal rank are ordered by their text.
    pub fn rank(self) -> (u8, u8) {
        let fam = self.family() as u8;
        let pos = match self.family() {
            Family::Scope1Part | Family::Activity => {
                let a = self.activity().unwrap_or("");
                crate::vocab::lookup(a).map_or(255, |d| d.rank.min(254) as u8)
            }
            Family::Scope1Breakdown => {
                const GAS_ORDER: &[&str] = &["co2", "ch4", "n2o", "hfcs", "pfcs", "sf6", "nf3", "co2e", "other"];
                match SCOPE1_BY_CATEGORY.iter().position(|c| *c == self.0) {
                    Some(p) => p as u8,
                    None => {
                        let g = part_of(self.0, SCOPE1_GAS_PREFIX).unwrap_or("");
                        10 + GAS_ORDER.iter().position(|x| *x == g).unwrap_or(GAS_ORDER.len()) as u8
                    }
                }
            }
            _ => 0,
        };
        (fam, pos)
    }
}

impl FigureId<'static> {
    /// `scope1.<activity>`.
    pub fn scope1_of(activity: &str) -> String {
        format!("{SCOPE1_PREFIX}{activity}")
    }
    /// `activity.<activity>`.
    pub fn activity_of(activity: &str) -> String {
        format!("{ACTIVITY_PREFIX}{activity}")
    }
    /// `<intensity per revenue>.per.<denominator>`: `per_denominator_of(INTENSITY_ENERGY, "floor_area")` is
    /// `intensity.energy.per.floor_area`.
    pub fn per_denominator_of(per_revenue: FigureId<'_>, denominator: &str) -> String {
        format!("{per_revenue}{PER}{denominator}")
    }
    /// The energy figure an activity's standard-coal line adds to: fuels are direct energy, the rest (electricity,
    /// heat, on-site PV) indirect.
    pub fn energy_of(activity: crate::activity::Activity) -> FigureId<'static> {
        if activity.is_fuel() { ENERGY_DIRECT } else { ENERGY_INDIRECT }
    }
}

/// Whether `name` can name a denominator (and so a part of a figure id): a lower-case ASCII letter, then
/// lower-case ASCII letters, digits and `_` (`revenue`, `output`, `floor_area`, `headcount`).
pub fn is_denominator_name(name: &str) -> bool {
    let mut c = name.chars();
    c.next().is_some_and(|f| f.is_ascii_lowercase())
        && c.all(|x| x.is_ascii_lowercase() || x.is_ascii_digit() || x == '_')
}

fn part_of<'a>(id: &'a str, prefix: &str) -> Option<&'a str> {
    id.strip_prefix(prefix).filter(|rest| !rest.is_empty())
}

impl fmt::Display for FigureId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl AsRef<str> for FigureId<'_> {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl PartialEq<str> for FigureId<'_> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for FigureId<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<FigureId<'_>> for str {
    fn eq(&self, other: &FigureId<'_>) -> bool {
        self == other.0
    }
}

impl PartialEq<FigureId<'_>> for &str {
    fn eq(&self, other: &FigureId<'_>) -> bool {
        *self == other.0
    }
}

impl PartialEq<FigureId<'_>> for String {
    fn eq(&self, other: &FigureId<'_>) -> bool {
        self.as_str() == other.0
    }
}

/// Sort key giving the canonical figure order (allocation-free): rank, then the id's text.
pub fn order_key(id: &str) -> ((u8, u8), &str) {
    (FigureId(id).rank(), id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_follow_the_canonical_order() {
        let mut ids = vec![
            "activity.electricity",
            "intensity.energy",
            "intensity.energy.per.floor_area",
            "intensity.total.market.per.output",
            "intensity.total.location.per.output",
            "intensity.other",
            "energy.total",
            "scope1.natural_gas",
            "total.market",
            "scope2.market",
            "scope1",
            "scope1.gasoline",
            "electricity.renewable",
            "activity.gasoline",
            "denominator.revenue",
            "scope2.location",
        ];
        ids.sort_by_key(|id| order_key(id));
        assert_eq!(
            ids,
            [
                "scope1",
                "scope1.gasoline",
                "scope1.natural_gas",
                "scope2.location",
                "scope2.market",
                "total.market",
                "energy.total",
                "electricity.renewable",
                "intensity.energy",
                "intensity.energy.per.floor_area",
                "intensity.total.location.per.output",
                "intensity.total.market.per.output",
                "intensity.other",
                "activity.gasoline",
                "activity.electricity",
                "denominator.revenue",
            ]
        );
    }

    #[test]
    fn intensities_per_a_denominator_name_their_numerator_and_denominator() {
        let id = FigureId::new("intensity.total.market.per.output");
        assert_eq!(id.family(), Family::IntensityPer);
        assert!(id.is_intensity());
        assert_eq!(id.per_denominator(), Some((INTENSITY_TOTAL_MARKET, "output")));
        assert_eq!(id.ratio(), Some((TOTAL_MARKET, "output")));
        assert_eq!(INTENSITY_ENERGY.ratio(), Some((ENERGY_TOTAL, "revenue")));
        assert_eq!(FigureId::per_denominator_of(INTENSITY_ENERGY, "floor_area"), "intensity.energy.per.floor_area");
        // Revenue's intensities are the ids without `.per.`; a bad name or numerator is no such intensity.
        for bad in [
            "intensity.energy.per.revenue",
            "intensity.energy.per.",
            "intensity.energy.per.Floor",
            "intensity.scope1.per.output",
            "intensity.energy.per.a.b",
        ] {
            assert_eq!(FigureId::new(bad).per_denominator(), None, "{bad}");
            assert_eq!(FigureId::new(bad).family(), Family::IntensityPart, "{bad}");
        }
        assert!(is_denominator_name("floor_area2"));
        assert!(!is_denominator_name("2floor") && !is_denominator_name("") && !is_denominator_name("a-b"));
    }

    #[test]
    fn a_prefix_alone_is_not_a_part() {
        assert_eq!(FigureId::new("scope1.").family(), Family::Other);
        assert_eq!(FigureId::new("activity.").family(), Family::Other);
        assert_eq!(FigureId::new("scope1x").family(), Family::Other);
        assert_eq!(FigureId::new("scope1.coal").activity(), Some("coal"));
    }

    #[test]
    fn totals_gather_the_lines_of_their_parts() {
        assert!(TOTAL_MARKET.gathers_line("scope1.diesel"));
        assert!(TOTAL_MARKET.gathers_line("scope2.market"));
        assert!(!TOTAL_MARKET.gathers_line("scope2.location"));
        assert!(ENERGY_TOTAL.gathers_line("energy.direct"));
        assert!(!SCOPE1.gathers_line("scope1"));
        assert!(FigureId::new("scope1.coal").gathers_line("scope1.coal"));
    }

    #[test]
    fn per_activity_figures_are_the_scope1_parts_and_the_quantities() {
        assert!(FigureId::new("scope1.natural_gas").is_per_activity());
        assert!(FigureId::new("activity.electricity").is_per_activity());
        assert!(!SCOPE1.is_per_activity());
        assert!(!FigureId::new("scope1.").is_per_activity());
        assert!(!FigureId::new("scope2.market").is_per_activity());
        assert!(!FigureId::new("electricity.total").is_per_activity());
    }

    #[test]
    fn fuels_are_direct_energy_and_the_rest_indirect() {
        use crate::activity::Activity;
        assert_eq!(FigureId::energy_of(Activity::Diesel), ENERGY_DIRECT);
        assert_eq!(FigureId::energy_of(Activity::NaturalGas), ENERGY_DIRECT);
        assert_eq!(FigureId::energy_of(Activity::Electricity), ENERGY_INDIRECT);
        assert_eq!(FigureId::energy_of(Activity::Heat), ENERGY_INDIRECT);
        assert_eq!(FigureId::energy_of(Activity::OnsitePv), ENERGY_INDIRECT);
    }

    #[test]
    fn constants_match_as_patterns_and_compare_with_text() {
        let id = String::from("scope2.market");
        assert!(matches!(FigureId::new(&id), SCOPE2_MARKET));
        assert!(id == SCOPE2_MARKET);
        assert!(SCOPE2_MARKET == "scope2.market");
        assert_eq!(FigureId::scope1_of("lpg"), "scope1.lpg");
    }
}
