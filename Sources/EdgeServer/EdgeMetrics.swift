import FairwayCore
import FairwayRuntime
import FairwayWire
import Metrics

/// The edge server's exported metrics (`FairwayMetrics`), updated by `EdgeServerNode` after
/// its batches commit: tokens debited by admitted inference, and the agents attached.
/// Handles only, so it may be used off the node's actor.
final class EdgeMetrics: Sendable {
    private let debitedLocal: Counter
    private let debitedCloud: Counter
    private let agents: Gauge
    private let epochToLease: Gauge
    private let leaseEpoch: Gauge

    init(node: String) {
        debitedLocal = FairwayMetrics.counter(FairwayMetrics.edgeTokensDebited, node, "local")
        debitedCloud = FairwayMetrics.counter(FairwayMetrics.edgeTokensDebited, node, "cloud")
        agents = FairwayMetrics.gauge(FairwayMetrics.edgeAgents, node)
        epochToLease = FairwayMetrics.gauge(FairwayMetrics.edgeEpochToLease, node)
        leaseEpoch = FairwayMetrics.gauge(FairwayMetrics.edgeLeaseEpoch, node)
    }

    /// A request's reply, committed with its debit: counts the tokens an admitted inference cost.
    func committed(_ reply: Payload) {
        guard case .inferenceReply(let r) = reply, r.charged > 0 else { return }
        (r.servedByCloud ? debitedCloud : debitedLocal).increment(by: Int64(r.charged))
    }

    func attachedAgents(_ count: Int) { agents.record(Int64(count)) }

    /// Every attached agent held a committed lease of `epoch` `seconds` after the epoch began.
    func leasesCovered(epoch: UInt64, seconds: Double) {
        epochToLease.record(seconds)
        leaseEpoch.record(Int64(epoch))
    }
}
