#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// NUM (paper §IV; Kelly's proportional fairness): max Σ log(x⁰_i + x_i) s.t. Σ x ≤ B — the
/// classic water-filling x_i = max(0, L − x⁰_i) with Σ x = B, which is also the optimum for any
/// common exponent. It sees the agents' own resources but not their hardness; for two resources
/// each is water-filled separately (log utility separates). Evaluated with the true exponents.
public enum NUMWaterFilling {
    /// The shares and the water level L (nil when the budget is 0 or there are no agents).
    public static func shares(offsets: [Double], budget: Double) -> (x: [Double], level: Double?) {
        let n = offsets.count
        guard n > 0, budget > 0 else { return ([Double](repeating: 0, count: n), nil) }
        let level = ExponentialLevel(a: [Double](repeating: 0, count: n), k: [Double](repeating: 1, count: n), b: offsets)
        let (s, x) = level.solve(budget: budget)
        return (x, exp(s))
    }
}
