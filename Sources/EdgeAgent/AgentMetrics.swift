import FairwayCore
import FairwayRuntime
import FairwayWire
import Metrics

/// An agent process's exported metrics (`FairwayMetrics`), updated by `AgentHost`: inference
/// outcomes and tokens charged as the edges answered, and each identity's privacy budget spent
/// once its charge is durable in `privacy.sqlite`. Handles only (made at start), so Sendable.
final class AgentMetrics: Sendable {
    private let admitted, refused, unanswered: Counter
    private let charged: Counter
    private let spent: [NodeID: Gauge]

    /// - Parameter node: the process's name prefix (identities are `<node>-<i>`).
    init(node: String, identities: [AgentIdentity], budgets: [NodeID: PrivacyBudget]) {
        admitted = FairwayMetrics.counter(FairwayMetrics.agentInferences, node, "admitted")
        refused = FairwayMetrics.counter(FairwayMetrics.agentInferences, node, "refused")
        unanswered = FairwayMetrics.counter(FairwayMetrics.agentInferences, node, "unanswered")
        charged = FairwayMetrics.counter(FairwayMetrics.agentTokensCharged, node)
        var spent: [NodeID: Gauge] = [:]
        for identity in identities {
            let gauge = FairwayMetrics.gauge(FairwayMetrics.privacyEpsilonSpent, node, identity.name)
            spent[identity.id] = gauge
            if let budget = budgets[identity.id] {
                FairwayMetrics.gauge(FairwayMetrics.privacyEpsilonBudget, node, identity.name).record(budget.epsilon)
                gauge.record(budget.spent)
            }
        }
        self.spent = spent
    }

    /// An edge's answer to an inference request.
    func inference(_ result: Result<Payload, FairwayError>) {
        switch result {
        case .success(.inferenceReply(let r)):
            admitted.increment()
            charged.increment(by: Int64(r.charged))
        case .failure(let e) where e.code == .noReply:
            unanswered.increment()
        case .success, .failure:
            refused.increment()
        }
    }

    /// `identity`'s budget after a charge committed.
    func charged(_ identity: NodeID, _ budget: PrivacyBudget) { spent[identity]?.record(budget.spent) }
}
