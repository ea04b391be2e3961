#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SeededGenerator {
    /// A standard normal draw by Marsaglia's polar method (the pair's second value is
    /// discarded, so a draw depends only on the generator's state, not on earlier calls).
    public mutating func nextStandardNormal() -> Double {
        while true {
            let x = 2 * nextUnit() - 1, y = 2 * nextUnit() - 1
            let s = x * x + y * y
            if s > 0, s < 1 { return x * (-2 * log(s) / s).squareRoot() }
        }
    }

    /// A Gamma(shape, 1) draw by Marsaglia & Tsang (2000); for shape < 1 the boost
    /// Gamma(shape + 1) · U^(1/shape). Precondition: shape > 0 and finite.
    public mutating func nextGamma(shape: Double) -> Double {
        precondition(shape > 0 && shape.isFinite, "Gamma shape must be positive and finite")
        if shape < 1 {
            let boost = pow(nextOpenUnit(), 1 / shape)
            return nextGamma(shape: shape + 1) * boost
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = nextStandardNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextOpenUnit()
            if u < 1 - 0.0331 * (x * x) * (x * x) { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// A draw from the symmetric Dirichlet(α, …, α) distribution over `count` categories:
    /// independent Gamma(α, 1) draws normalised to sum 1. Used for heterogeneous data values
    /// in the paper's experiments (α small = a few agents hold most of the value).
    public mutating func nextDirichlet(alpha: Double, count: Int) -> [Double] {
        var g = [Double](repeating: 0, count: count)
        var sum = 0.0
        repeat {
            sum = 0
            for i in 0..<count {
                g[i] = nextGamma(shape: alpha)
                sum += g[i]
            }
        } while sum == 0 && count > 0
        for i in 0..<count { g[i] /= sum }
        return g
    }
}
