#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FairwayCore

/// The edge's estimate of its elasticities γ^ρ and γ^α (Fair-Synergy eq. 7: accuracy ≈
/// c·compute^{γ^ρ}·labels^{γ^α}) by least squares on the logarithms of its own training
/// results. With two regressors that both vary it fits both; when only one varies it fits that
/// one and keeps the default for the other; with fewer than two distinct points it keeps the
/// defaults. Estimates are clamped to [0.01, 0.99] (the paper's γ ∈ (0, 1)).
public struct ElasticityFit: Sendable, Hashable {
    public struct Point: Sendable, Hashable {
        /// Minibatch steps the module was trained for (rounds × steps per round).
        public var compute: Double
        /// Labelled samples it was trained on.
        public var labels: Double
        /// Its held-out accuracy, in (0, 1].
        public var accuracy: Double
    }

    public private(set) var points: [Point] = []
    /// Points kept (the most recent).
    public static let capacity = 64

    public init() {}

    public mutating func add(compute: Double, labels: Double, accuracy: Double) {
        guard compute > 0, labels > 0, accuracy > 0, accuracy.isFinite else { return }
        points.append(Point(compute: compute, labels: labels, accuracy: min(1, accuracy)))
        if points.count > Self.capacity { points.removeFirst(points.count - Self.capacity) }
    }

    /// (γ^ρ, γ^α, points used); the defaults where the data cannot say.
    public func estimate(defaultCompute: Double, defaultLabels: Double) -> (compute: Double, labels: Double, points: Int) {
        let xs = points.map { log($0.compute) }, zs = points.map { log($0.labels) }, ys = points.map { log($0.accuracy) }
        func varies(_ v: [Double]) -> Bool { Set(v.map { ($0 * 1e9).rounded() }).count >= 2 }
        func clamp(_ g: Double) -> Double { g.isFinite ? min(0.99, max(0.01, g)) : 0.3 }
        func slope(_ x: [Double], _ y: [Double]) -> Double {
            let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
            var sxy = 0.0, sxx = 0.0
            for i in x.indices { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx) }
            return sxy / sxx
        }
        switch (varies(xs), varies(zs)) {
        case (true, true) where points.count >= 3:
            // Two-regressor OLS on centred data.
            let n = Double(points.count)
            let mx = xs.reduce(0, +) / n, mz = zs.reduce(0, +) / n, my = ys.reduce(0, +) / n
            var sxx = 0.0, szz = 0.0, sxz = 0.0, sxy = 0.0, szy = 0.0
            for i in xs.indices {
                let x = xs[i] - mx, z = zs[i] - mz, y = ys[i] - my
                sxx += x * x; szz += z * z; sxz += x * z; sxy += x * y; szy += z * y
            }
            let det = sxx * szz - sxz * sxz
            guard abs(det) > 1e-12 * max(1, sxx * szz) else { return (clamp(slope(xs, ys)), defaultLabels, points.count) }
            return (clamp((szz * sxy - sxz * szy) / det), clamp((sxx * szy - sxz * sxy) / det), points.count)
        case (true, _): return (clamp(slope(xs, ys)), defaultLabels, points.count)
        case (_, true): return (defaultCompute, clamp(slope(zs, ys)), points.count)
        default: return (defaultCompute, defaultLabels, 0)
        }
    }
}
