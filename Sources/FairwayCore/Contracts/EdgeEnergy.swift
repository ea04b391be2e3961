#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An edge server's energy per contract item (paper 4, eqs. 2–5), with Table II's constants and
/// the unit conversions of `contracts.json` `meta.unit_conversions`:
///
/// - perceiving (eq. 2): E_per = ς·Υ_Per·D_Fea·f² joules, with D_Fea = 1 MB = 8e6 bits (decimal MB;
///   a binary MiB would give 34.3597 J instead of 32.768 J);
/// - creating (eq. 3): ρ·Υ_Cre·f² joules per training round (49.152 J; no data size enters, as
///   printed);
/// - uploading (eq. 4): E_upl = P_W · D_Agent / r bits per second, P_W = 10^((P_dBm − 30)/10),
///   D_Agent = 10 MB = 8e7 bits, r = r_Mbps · 1e6.
///
/// In the utility θR − cT − E the per-round cost is c = σ·ρ·Υ_Cre·f² and the fixed cost is
/// E = σ·(E_per + E_upl), σ being the unit cost of energy (Table II: [0.5, 1]).
public enum EdgeEnergy {
    /// ς: hardware constant of the ES (Table II, 1e-23).
    public static let varsigma = 1e-23
    /// Υ_Per: CPU cycles per bit of perceived feature data.
    public static let cyclesPerBitPerceive = 100.0
    /// f: CPU speed in Hz (64 MHz).
    public static let cpuHz = 64e6
    /// D_Fea: feature data perceived, in bits (1 MB decimal).
    public static let featureBits = megabytesToBits(1)
    /// ρ: effective switched capacitance (1e-16).
    public static let rho = 1e-16
    /// Υ_Cre: CPU cycles per bit of agent module created.
    public static let cyclesPerBitCreate = 120.0
    /// D_Agent: agent-module size, in bits (10 MB decimal).
    public static let agentBits = megabytesToBits(10)

    /// P_W = 10^((P_dBm − 30)/10).
    public static func dBmToWatts(_ dBm: Double) -> Double { pow(10, (dBm - 30) / 10) }
    /// 1 MB = 10^6 bytes = 8e6 bits.
    public static func megabytesToBits(_ megabytes: Double) -> Double { megabytes * 8e6 }
    /// r_bps = r_Mbps · 1e6.
    public static func mbpsToBitsPerSecond(_ mbps: Double) -> Double { mbps * 1e6 }

    /// E_per in joules (eq. 2): 32.768 J with Table II's values.
    public static var perceiveJoules: Double { varsigma * cyclesPerBitPerceive * featureBits * cpuHz * cpuHz }
    /// Energy of one training round in joules (eq. 3): 49.152 J.
    public static var createJoulesPerRound: Double { rho * cyclesPerBitCreate * cpuHz * cpuHz }
    /// E_upl in joules (eq. 4) at transmit power `dBm` and link rate `mbps`.
    public static func uploadJoules(dBm: Double, mbps: Double) -> Double {
        dBmToWatts(dBm) * agentBits / mbpsToBitsPerSecond(mbps)
    }

    /// c = σ·ρ·Υ_Cre·f² (cost per training round, in σ-weighted joules).
    public static func costPerRound(sigma: Double) -> Double { sigma * createJoulesPerRound }
    /// E = σ·(E_per + E_upl) (fixed cost per item, in σ-weighted joules).
    public static func fixedCost(sigma: Double, dBm: Double, mbps: Double) -> Double {
        sigma * (perceiveJoules + uploadJoules(dBm: dBm, mbps: mbps))
    }
}
