#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Quality of an agent module after T training rounds (paper 4, eq. 1):
/// Q(T) = 1 − 2^(−a_Q·T), with a_Q = (2 − L·δ)·δ·ε / 2 (Table II: δ = 0.02, L = 8, ε = 2,
/// so a_Q = 0.0368). Dimensionless, in [0, 1); T is a count of rounds.
public enum AgentModuleQuality {
    /// δ of Table II (learning-rate-like hyperparameter).
    public static let delta = 0.02
    /// L of Table II (smoothness constant).
    public static let smoothness = 8.0
    /// ε of Table II.
    public static let epsilon = 2.0
    /// a_Q = (2 − L·δ)·δ·ε / 2 = 0.0368 per round.
    public static let aQ = (2 - smoothness * delta) * delta * epsilon / 2

    /// Q(T) = 1 − 2^(−a_Q·T) (eq. 1).
    public static func quality(_ rounds: Double, aQ: Double = aQ) -> Double {
        1 - pow(2, -aQ * rounds)
    }

    /// Q(0), Q(1), …, Q(maxRounds): the table the integer optimisers read.
    public static func table(maxRounds: Int, aQ: Double = aQ) -> [Double] {
        (0...maxRounds).map { quality(Double($0), aQ: aQ) }
    }
}
