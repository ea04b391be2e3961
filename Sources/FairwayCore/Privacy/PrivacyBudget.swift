/// One agent identity's (ε, δ) budget across all its releases (invariant I5): every release is a
/// Gaussian mechanism charged to a Rényi-DP accountant before it happens, and a release that
/// would take the composed ε above the budget is refused, saying what is spent and what is left.
public struct PrivacyBudget: Sendable, Hashable {
    /// The budget: total ε at δ over the identity's lifetime.
    public let epsilon: Double
    public let delta: Double
    /// Every release charged so far, in order (the durable record the accountant is rebuilt from).
    public private(set) var charged: [RDPAccountant.Mechanism] = []
    private var accountant = RDPAccountant()

    /// A release the budget cannot pay for.
    public struct Exhausted: Error, Sendable, Equatable, CustomStringConvertible {
        /// ε spent so far, and what this release would have made it.
        public var spent, wouldBe: Double
        /// ε left (budget − spent).
        public var remaining: Double
        public var budget: Double
        public var description: String {
            "privacy budget exhausted: ε spent \(spent) of \(budget) (remaining \(remaining)); this release would make it \(wouldBe)"
        }
    }

    /// - Parameter charged: the releases already made (restored from storage after a restart).
    public init(epsilon: Double, delta: Double, charged: [RDPAccountant.Mechanism] = []) {
        precondition(epsilon > 0 && epsilon.isFinite && delta > 0 && delta < 1, "a budget needs ε > 0 and 0 < δ < 1")
        self.epsilon = epsilon
        self.delta = delta
        for m in charged { self.accountant.compose(m) }
        self.charged = charged
    }

    /// ε spent so far (RDP, converted at the budget's δ).
    public var spent: Double { charged.isEmpty ? 0 : accountant.epsilon(delta: delta).epsilon }
    /// ε left.
    public var remaining: Double { max(0, epsilon - spent) }

    /// Charges `count` releases with noise multiplier z = σ/Δ, or throws `Exhausted` and changes
    /// nothing. The caller makes the new `charged` durable before the release leaves.
    public mutating func charge(_ m: RDPAccountant.Mechanism) throws(Exhausted) {
        var next = accountant
        next.compose(m)
        let wouldBe = next.epsilon(delta: delta).epsilon
        guard wouldBe <= epsilon else {
            throw Exhausted(spent: spent, wouldBe: wouldBe, remaining: remaining, budget: epsilon)
        }
        accountant = next
        charged.append(m)
    }
}
