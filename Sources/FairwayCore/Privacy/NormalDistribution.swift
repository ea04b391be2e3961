#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard normal distribution's CDF, accurate in the tails.
public enum StandardNormal {
    /// Φ(x) = ½ erfc(−x/√2). For negative x this keeps full relative precision (erfc does), so
    /// tail probabilities such as Φ(−8) ≈ 6e-16 are exact to the last digits.
    public static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }
}
