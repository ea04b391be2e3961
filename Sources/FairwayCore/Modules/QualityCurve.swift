#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Least-squares fits of the paper's quality curve to measured (T, accuracy) pairs (paper 4,
/// eq. 1; `docs/modules.md`).
///
/// - `fitRate`: Q(T) = 1 − 2^(−a·T), one parameter a ≥ 0 (the paper's form; it tends to 1).
/// - `fitScaledRate`: Q(T) = A·(1 − 2^(−a·T)), a ≥ 0 and the plateau A free. For a fixed a the
///   best A is closed form, A(a) = Σ yᵢgᵢ / Σ gᵢ² with gᵢ = 1 − 2^(−a·Tᵢ), so this is a 1-D
///   problem in a as well (variable projection).
///
/// Minimisation (both): the sum of squared residuals S(a) is evaluated on a log-spaced grid of
/// `gridPoints` values of a in [`minimumRate`, `maximumRate`] (plus a = 0); the best grid point's
/// neighbours bracket the minimum, which golden-section search then narrows until the bracket is
/// below 1e-14 relative (≈ 70 iterations, machine precision for a). S is smooth and, on a
/// bracket this narrow, unimodal, so the result is the exact least-squares a to rounding —
/// unless S has two minima closer than one grid step, which the grid (4000 points over 10
/// decades) makes irrelevant for curves of this shape.
public enum QualityCurve {
    /// Smallest and largest positive a searched, per round.
    public static let minimumRate = 1e-6
    public static let maximumRate = 1e4
    /// Grid points of the initial scan.
    public static let gridPoints = 4000

    /// A fitted curve.
    public struct Fit: Sendable, Hashable {
        /// a, per round.
        public var rate: Double
        /// A: the plateau (1 for `fitRate`).
        public var plateau: Double
        /// Σ (yᵢ − Q(Tᵢ))².
        public var sumOfSquares: Double
        /// √(sumOfSquares / count): the root-mean-square residual, in accuracy units.
        public var rmsResidual: Double
        /// Number of (T, y) pairs fitted.
        public var count: Int

        /// Q(T) under this fit.
        public func quality(_ rounds: Double) -> Double { plateau * (1 - pow(2, -rate * rounds)) }
    }

    /// Fits Q(T) = 1 − 2^(−a·T).
    /// - Throws: `ModuleError` `.invalidArgument` for no points, unequal lengths, a negative or
    ///   non-finite T, or a non-finite y.
    public static func fitRate(rounds: [Double], values: [Double]) throws -> Fit {
        try check(rounds, values)
        let a = minimise { sumOfSquares(rounds, values, rate: $0, plateau: 1) }
        return fit(rounds, values, rate: a, plateau: 1)
    }

    /// Fits Q(T) = A·(1 − 2^(−a·T)) with A free.
    /// - Throws: as `fitRate`; also when every T is 0 (A is then undetermined).
    public static func fitScaledRate(rounds: [Double], values: [Double]) throws -> Fit {
        try check(rounds, values)
        guard rounds.contains(where: { $0 > 0 }) else {
            throw ModuleError(.invalidArgument, "every T is 0: the plateau A is undetermined")
        }
        let a = minimise { sumOfSquares(rounds, values, rate: $0, plateau: bestPlateau(rounds, values, rate: $0)) }
        return fit(rounds, values, rate: a, plateau: bestPlateau(rounds, values, rate: a))
    }

    /// A(a) = Σ yᵢgᵢ / Σ gᵢ² (0 when every gᵢ is 0, i.e. a = 0).
    static func bestPlateau(_ t: [Double], _ y: [Double], rate: Double) -> Double {
        var num = 0.0, den = 0.0
        for i in t.indices {
            let g = 1 - pow(2, -rate * t[i])
            num += y[i] * g
            den += g * g
        }
        return den > 0 ? num / den : 0
    }

    static func sumOfSquares(_ t: [Double], _ y: [Double], rate: Double, plateau: Double) -> Double {
        var s = 0.0
        for i in t.indices {
            let r = y[i] - plateau * (1 - pow(2, -rate * t[i]))
            s += r * r
        }
        return s
    }

    static func fit(_ t: [Double], _ y: [Double], rate: Double, plateau: Double) -> Fit {
        let s = sumOfSquares(t, y, rate: rate, plateau: plateau)
        return Fit(rate: rate, plateau: plateau, sumOfSquares: s, rmsResidual: (s / Double(t.count)).squareRoot(), count: t.count)
    }

    static func check(_ t: [Double], _ y: [Double]) throws {
        guard !t.isEmpty, t.count == y.count else {
            throw ModuleError(.invalidArgument, "need equally many T and values, at least one; got \(t.count) and \(y.count)")
        }
        guard t.allSatisfy({ $0.isFinite && $0 >= 0 }), y.allSatisfy(\.isFinite) else {
            throw ModuleError(.invalidArgument, "T must be finite and ≥ 0, values finite")
        }
    }

    /// The minimiser of `s` over a ∈ {0} ∪ [minimumRate, maximumRate]: grid scan, then golden
    /// section on the bracket around the best grid point.
    static func minimise(_ s: (Double) -> Double) -> Double {
        var grid = [0.0]
        let lo = log(minimumRate), hi = log(maximumRate)
        for i in 0..<gridPoints { grid.append(exp(lo + (hi - lo) * Double(i) / Double(gridPoints - 1))) }
        let values = grid.map(s)
        var best = 0
        for i in values.indices where values[i] < values[best] { best = i }
        var a = grid[max(0, best - 1)], b = grid[min(grid.count - 1, best + 1)]
        let ratio = (5.0.squareRoot() - 1) / 2
        var c = b - ratio * (b - a), d = a + ratio * (b - a)
        var fc = s(c), fd = s(d)
        var iterations = 0
        while b - a > 1e-14 * max(abs(b), 1e-300), iterations < 400 {
            if fc <= fd {
                b = d; d = c; fd = fc
                c = b - ratio * (b - a); fc = s(c)
            } else {
                a = c; c = d; fc = fd
                d = a + ratio * (b - a); fd = s(d)
            }
            iterations += 1
        }
        let candidates = [(grid[best], values[best]), (c, fc), (d, fd), ((a + b) / 2, s((a + b) / 2))]
        return candidates.min { $0.1 < $1.1 }!.0
    }
}
