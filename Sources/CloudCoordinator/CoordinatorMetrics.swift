import CoordinatorCore
import FairwayCore
import FairwayRuntime
import Metrics

/// The coordinator's exported metrics (`FairwayMetrics`), updated by `CoordinatorNode` from
/// committed batches only: the directives `perform` receives after the commit, and the
/// committed instance it samples at each wake-up. Owned by the node's actor.
final class CoordinatorMetrics {
    private let node: String
    private let epoch: Gauge
    private let epochsCompleted: Counter
    private let epochDuration: Metrics.Timer
    private let tokensGranted: Counter
    private let tokensUsed: Counter
    private let ledgerRecords: Gauge
    private let payments: Counter
    private let rewards: FloatingPointCounter
    private var members: [String: Gauge] = [:]
    private var shares: [NodeID: (inference: Gauge, training: Gauge, labels: Gauge)] = [:]
    /// The committed start of the current epoch (its duration is measured at the next boundary).
    private var epochStartedAt: Timestamp?
    /// Tokens used in the book when last sampled (the counter counts increases after start).
    private var usedInBook: UInt64?

    init(node: String, restoredEpochStart: Timestamp?) {
        self.node = node
        epoch = FairwayMetrics.gauge(FairwayMetrics.epoch, node)
        epochsCompleted = FairwayMetrics.counter(FairwayMetrics.epochsCompleted, node)
        epochDuration = FairwayMetrics.timer(FairwayMetrics.epochDuration, node)
        tokensGranted = FairwayMetrics.counter(FairwayMetrics.tokensGranted, node)
        tokensUsed = FairwayMetrics.counter(FairwayMetrics.tokensUsed, node)
        ledgerRecords = FairwayMetrics.gauge(FairwayMetrics.ledgerRecords, node)
        payments = FairwayMetrics.counter(FairwayMetrics.contractPayments, node)
        rewards = FairwayMetrics.floatingCounter(FairwayMetrics.contractRewards, node)
        epochStartedAt = restoredEpochStart
        // Every state of every role is exported, 0 included, so a state that empties shows 0.
        for role in NodeRole.allCases {
            for state in MemberState.allCases { members[key(role, state)] = FairwayMetrics.gauge(FairwayMetrics.members, node, role.rawValue, state.rawValue) }
        }
    }

    private func key(_ role: NodeRole, _ state: MemberState) -> String { "\(role.rawValue)/\(state.rawValue)" }

    /// Counts what a committed batch did.
    func committed(_ directives: [CoordinatorInstance.Directive]) {
        for d in directives {
            switch d {
            case .epoch(.persist(let number, let startedAt)):
                epoch.record(Int64(number))
                if let previous = epochStartedAt, startedAt > previous {
                    epochsCompleted.increment()
                    epochDuration.recordNanoseconds(startedAt.milliseconds(since: previous) * 1_000_000)
                }
                epochStartedAt = startedAt
            case .tokens(.persistGrants(let record, _, _)):
                tokensGranted.increment(by: Int64(record.granted))
            case .contracts(.pay(let payment)):
                payments.increment()
                rewards.increment(by: payment.reward)
            case .cloud(.persist(let record)):
                let now = Set(record.rows.map(\.edge))
                for (edge, g) in shares where !now.contains(edge) {
                    g.inference.record(0.0)
                    g.training.record(0.0)
                    g.labels.record(0.0)
                }
                for row in record.rows {
                    let g = gauges(row.edge)
                    g.inference.record(row.share.inferenceRPS)
                    g.training.record(row.share.trainingSteps)
                    g.labels.record(Int64(row.share.labels))
                }
            default:
                break
            }
        }
    }

    private func gauges(_ edge: NodeID) -> (inference: Gauge, training: Gauge, labels: Gauge) {
        if let g = shares[edge] { return g }
        let g = (FairwayMetrics.gauge(FairwayMetrics.cloudShareInference, node, edge.rawValue),
                 FairwayMetrics.gauge(FairwayMetrics.cloudShareTraining, node, edge.rawValue),
                 FairwayMetrics.gauge(FairwayMetrics.cloudShareLabels, node, edge.rawValue))
        shares[edge] = g
        return g
    }

    /// What the committed instance holds now: members by role and state, the ledger's size, the
    /// epoch and tokens used in the book.
    func sample(_ s: Sample) {
        for role in NodeRole.allCases {
            for state in MemberState.allCases { members[key(role, state)]?.record(Int64(s.members[key(role, state)] ?? 0)) }
        }
        ledgerRecords.record(Int64(s.ledgerSize))
        epoch.record(Int64(s.epoch))
        if let before = usedInBook, s.tokensUsed > before { tokensUsed.increment(by: Int64(s.tokensUsed - before)) }
        usedInBook = s.tokensUsed
    }

    /// The part of the committed instance the metrics show, read in one `state.read`.
    struct Sample: Sendable {
        var members: [String: Int] = [:]
        var ledgerSize: UInt64 = 0
        var epoch: UInt64 = 0
        var tokensUsed: UInt64 = 0

        init(_ instance: CoordinatorInstance) {
            for row in instance.membership.status() { members["\(row.role.rawValue)/\(row.state.rawValue)", default: 0] += 1 }
            ledgerSize = instance.ledger.size
            epoch = instance.epoch
            let book = instance.tokens
            tokensUsed = book.accounts.reduce(0) { $0 + ($1.granted - min($1.granted, book.remaining($1.agent))) }
        }
    }
}
