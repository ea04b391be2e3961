#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fair-Synergy's accuracy model: eq. 3 (inference, U = (ρ⁰ + ρ)^γ) and eq. 7 (training,
/// U = (ρ⁰ + ρ)^{γ^ρ} (α⁰ + α)^{γ^α}). Resources are in the paper's normalised units, so U is
/// an accuracy the model does not cap: the paper reports it uncapped, and `capped` reports
/// min(1, U), an accuracy a classifier can reach. Always evaluated with the agents' true
/// exponents, whatever an allocator assumed.
public enum CobbDouglasUtility {
    /// Eq. 3: (ρ⁰ + ρ)^γ.
    @inline(__always)
    public static func inference(rho0: Double, gamma: Double, rho: Double) -> Double {
        pow(rho0 + rho, gamma)
    }

    /// Eq. 7: (ρ⁰ + ρ)^{γ^ρ} · (α⁰ + α)^{γ^α}.
    @inline(__always)
    public static func training(rho0: Double, alpha0: Double, gammaRho: Double, gammaAlpha: Double, rho: Double, alpha: Double) -> Double {
        pow(rho0 + rho, gammaRho) * pow(alpha0 + alpha, gammaAlpha)
    }

    /// min(1, u): the accuracy capped at 1.
    @inline(__always)
    public static func capped(_ u: Double) -> Double { min(1, u) }
}

/// Per-agent utilities of an allocation and their totals, uncapped (as the paper) and capped at 1.
public struct UtilityReport: Sendable, Equatable {
    public var utilities: [Double]
    public var total: Double
    public var totalCapped: Double
    public var mean: Double { utilities.isEmpty ? 0 : total / Double(utilities.count) }
    public var minimum: Double { utilities.min() ?? 0 }

    public init(_ utilities: [Double]) {
        self.utilities = utilities
        total = utilities.reduce(0, +)
        totalCapped = utilities.reduce(0) { $0 + CobbDouglasUtility.capped($1) }
    }
}
