#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calibrating the Gaussian mechanism: the noise σ that makes adding N(0, σ²) to a query of
/// L2 sensitivity Δ (ε, δ)-differentially private.
///
/// - `analytic` (default): Balle & Wang (ICML 2018, Thm 8): the smallest σ whose exact privacy
///   curve gives δ(σ) ≤ δ, where
///   δ(σ) = Φ(Δ/(2σ) − εσ/Δ) − e^ε Φ(−Δ/(2σ) − εσ/Δ), decreasing in σ. Found by bisection to
///   the resolution of a double and rounded up, so it is never less private than asked.
/// - `classical`: the token-scheduling paper's eq. 21 (Dwork & Roth 2014, Thm A.1),
///   σ = Δ √(2 ln(1.25/δ)) / ε. Dwork & Roth prove it only for ε < 1; for large ε it is not
///   (ε, δ)-DP at all (e.g. above ε ≈ 8.42 at δ = 1e-5). It is refused wherever the exact
///   curve says δ(σ_classical) > δ, with the exact δ it would give.
public enum GaussianMechanism {
    public enum Calibration: String, Sendable, CaseIterable {
        case analytic, classical
    }

    /// Why a calibration is refused.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var description: String { "\(field): \(message)" }
    }

    /// σ for (ε, δ)-DP with L2 sensitivity `sensitivity`.
    /// - Throws: `Refusal` for parameters out of range (ε > 0, 0 < δ < 1, Δ > 0, all finite),
    ///   and for `classical` where its σ is not (ε, δ)-DP.
    public static func sigma(epsilon: Double, delta: Double, sensitivity: Double, calibration: Calibration = .analytic) throws -> Double {
        guard epsilon.isFinite, epsilon > 0 else { throw Refusal(field: "epsilon", message: "must be a finite ε > 0, got \(epsilon)") }
        guard delta.isFinite, delta > 0, delta < 1 else { throw Refusal(field: "delta", message: "must be 0 < δ < 1, got \(delta)") }
        guard sensitivity.isFinite, sensitivity > 0 else { throw Refusal(field: "sensitivity", message: "must be a finite Δ > 0, got \(sensitivity)") }
        switch calibration {
        case .classical:
            let sigma = classicalSigma(epsilon: epsilon, delta: delta, sensitivity: sensitivity)
            let exact = exactDelta(sigma: sigma, epsilon: epsilon, sensitivity: sensitivity)
            guard exact <= delta else {
                throw Refusal(field: "epsilon", message: """
                    the classical σ = \(sigma) (eq. 21) is not (\(epsilon), \(delta))-DP: at this σ the exact δ is \(exact) > \(delta) \
                    (Dwork & Roth prove it for ε < 1 only); use the analytic calibration
                    """)
            }
            return sigma
        case .analytic:
            return analyticSigma(epsilon: epsilon, delta: delta, sensitivity: sensitivity)
        }
    }

    /// Eq. 21 as printed: Δ √(2 ln(1.25/δ)) / ε, whether or not it is private.
    public static func classicalSigma(epsilon: Double, delta: Double, sensitivity: Double) -> Double {
        sensitivity * (2 * log(1.25 / delta)).squareRoot() / epsilon
    }

    /// The exact δ of the Gaussian mechanism with noise σ at ε (Balle & Wang, Thm 8).
    public static func exactDelta(sigma: Double, epsilon: Double, sensitivity: Double) -> Double {
        let a = sensitivity / (2 * sigma), b = epsilon * sigma / sensitivity
        return StandardNormal.cdf(a - b) - exp(epsilon) * StandardNormal.cdf(-a - b)
    }

    /// The smallest σ with exactDelta(σ) ≤ δ, to the resolution of a double (rounded up).
    static func analyticSigma(epsilon: Double, delta: Double, sensitivity: Double) -> Double {
        func ok(_ s: Double) -> Bool { exactDelta(sigma: s, epsilon: epsilon, sensitivity: sensitivity) <= delta }
        // Bracket: shrink lo until not private, grow hi until private.
        var lo = sensitivity * 1e-3, hi = max(classicalSigma(epsilon: epsilon, delta: delta, sensitivity: sensitivity), sensitivity)
        while ok(lo) && lo > 1e-300 { lo /= 2 }
        while !ok(hi) { hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            guard mid > lo, mid < hi else { break }
            if ok(mid) { hi = mid } else { lo = mid }
        }
        return hi
    }
}
