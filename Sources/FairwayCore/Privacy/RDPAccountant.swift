#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rényi-DP accounting of composed Gaussian mechanisms, as Google's dp-accounting
/// `RdpAccountant` does it (add-or-remove-one neighbours, its 156 default orders, its
/// conversion to (ε, δ)), so its numbers can be checked against that library's.
///
/// A Gaussian mechanism with noise multiplier z = σ/Δ has RDP α/(2z²) at every order α;
/// RDP adds up under composition. Conversion (Canonne, Kamath & Steinke 2020, Prop. 12;
/// Asoodeh et al. 2020): ε(α) = r + ln(1 − 1/α) − ln(δ·α)/(α − 1), ε = max(0, min_α ε(α)).
public struct RDPAccountant: Sendable, Hashable {
    /// k releases of a Gaussian mechanism with noise multiplier z = σ/Δ.
    public struct Mechanism: Sendable, Hashable, Codable {
        public var noiseMultiplier: Double
        public var count: Int
        public init(noiseMultiplier: Double, count: Int) {
            self.noiseMultiplier = noiseMultiplier
            self.count = count
        }
    }

    /// dp-accounting's `DEFAULT_RDP_ORDERS`: 1.1, 1.2, …, 10.9, 11, 12, …, 63, 128, 256, 512, 1024.
    public static let defaultOrders: [Double] =
        (1...99).map { 1 + Double($0) / 10 } + (11...63).map(Double.init) + [128, 256, 512, 1024]

    public let orders: [Double]
    /// Accumulated RDP at each order.
    public private(set) var rdp: [Double]

    public init(orders: [Double] = RDPAccountant.defaultOrders) {
        self.orders = orders
        self.rdp = [Double](repeating: 0, count: orders.count)
    }

    /// Composes `count` releases with noise multiplier z (z = 0 is no privacy at all: ∞).
    /// Zero releases compose nothing, whatever z (a stored release without DP noise records
    /// z = 0 and count 0, and must not make the budget infinite).
    public mutating func compose(noiseMultiplier z: Double, count: Int = 1) {
        guard count > 0 else { return }
        for (i, a) in orders.enumerated() {
            rdp[i] += z == 0 ? .infinity : Double(count) * a / (2 * z * z)
        }
    }

    public mutating func compose(_ m: Mechanism) { compose(noiseMultiplier: m.noiseMultiplier, count: m.count) }

    /// The ε of everything composed so far at `delta`, and the order that gives it.
    public func epsilon(delta: Double) -> (epsilon: Double, order: Double) {
        var best = Double.infinity, bestOrder = orders.first ?? .nan
        for (a, r) in zip(orders, rdp) {
            let e: Double
            if delta * delta + expm1(-r) > 0 {
                e = 0
            } else if a > 1.01 {
                e = r + log1p(-1 / a) - log(delta * a) / (a - 1)
            } else {
                e = .infinity
            }
            if e < best { best = e; bestOrder = a }
        }
        return (max(0, best), bestOrder)
    }

    /// The δ of everything composed so far at `epsilon`, and the order that gives it.
    public func delta(epsilon: Double) -> (delta: Double, order: Double) {
        var best = Double.infinity, bestOrder = orders.first ?? .nan
        for (a, r) in zip(orders, rdp) {
            var logd = r > 0 ? 0.5 * log1p(-exp(-r)) : -Double.infinity
            if a > 1.01 { logd = min(logd, (a - 1) * (r - epsilon + log1p(-1 / a)) - log(a)) }
            if logd < best { best = logd; bestOrder = a }
        }
        return (min(exp(best), 1), bestOrder)
    }
}
