import FairwayCore
import FairwayWire

/// The room of Fair-Synergy cloud allocation (paper 3): the coordinator's shares of its cloud
/// inference capacity, training compute and labelling among the edge servers.
///
/// - Edges report their resources in heartbeats (`onReport`; soft state, re-sent every beat).
/// - At each epoch boundary (`onEpochBoundary`) the live edges that have reported get new shares
///   (`CloudSharePlan`), recorded durably before any edge can see them.
/// - A saturated edge offloads inference (`onOffload`): served while its epoch quota lasts,
///   each use durable before the reply; beyond it refused with `capacityExhausted` and a
///   retry-after until the next epoch. A request id already served this epoch is answered again
///   without counting twice.
///
/// It is passed what it needs (the live edges, the epoch, its length); it never reads membership.
public struct CloudAllocation: Sendable {
    public enum Directive: Sendable, Hashable {
        /// Record this epoch's allocation (every row, usage 0).
        case persist(CloudAllocationRecord)
        /// Record an edge's offload count in the allocation of `epoch`.
        case persistUsage(epoch: UInt64, edge: NodeID, used: UInt64)
    }

    public let settings: Settings
    /// The latest report of each edge (not durable: edges re-send it every heartbeat).
    public private(set) var reports: [NodeID: EdgeResources] = [:]
    /// The allocation in force (restored from storage after a restart).
    public private(set) var current: CloudAllocationRecord?
    /// Offloads served and refused per edge since this process started.
    public private(set) var served: [NodeID: UInt64] = [:]
    public private(set) var refused: [NodeID: UInt64] = [:]
    private struct RequestKey: Sendable, Hashable {
        var edge: NodeID
        var id: [UInt8]
    }
    /// Request ids served in the current allocation epoch.
    private var servedIDs: Set<RequestKey> = []

    public init(settings: Settings, restored: CloudAllocationRecord? = nil) {
        self.settings = settings
        self.current = restored
    }

    /// An edge's heartbeat report (already validated by the wire layer).
    public mutating func onReport(_ resources: EdgeResources, from edge: NodeID) {
        reports[edge] = resources
    }

    /// A dead or departed edge's report no longer counts.
    public mutating func onEdgeGone(_ edge: NodeID) {
        reports.removeValue(forKey: edge)
    }

    /// New shares for the live edges that have reported.
    public mutating func onEpochBoundary(epoch: UInt64, liveEdges: [NodeID], epochMilliseconds: Int64) -> [Directive] {
        let reporting = liveEdges.sorted().compactMap { edge in reports[edge].map { (edge: edge, resources: $0) } }
        let record = CloudSharePlan.shares(reports: reporting, settings: settings, epoch: epoch, epochMilliseconds: epochMilliseconds)
        current = record
        servedIDs = []
        return [.persist(record)]
    }

    /// The edge's share in force (with its use), or nil if it has none.
    public func share(for edge: NodeID) -> CloudShare? {
        current?.rows.first { $0.edge == edge }?.share
    }

    /// An offload from `edge`: the quota left after it, or `capacityExhausted` (changing nothing)
    /// with a retry-after until the next epoch at `nextEpochAt`.
    public mutating func onOffload(_ request: CloudInferenceRequest, from edge: NodeID, now: Timestamp, nextEpochAt: Timestamp) throws -> (remaining: UInt64, epoch: UInt64, directives: [Directive]) {
        guard let record = current, let i = record.rows.firstIndex(where: { $0.edge == edge }) else {
            refused[edge, default: 0] += 1
            throw FairwayError(.capacityExhausted, "edge \(edge) has no cloud share yet (shares are computed at each epoch boundary from the resources edges report in heartbeats)",
                               field: "cloud_inference_request", peer: edge.rawValue, retryAfterMilliseconds: max(50, nextEpochAt.milliseconds(since: now)))
        }
        let key = RequestKey(edge: edge, id: request.requestID)
        var share = record.rows[i].share
        if !request.requestID.isEmpty, servedIDs.contains(key) {
            return (share.inferenceRemaining, record.epoch, [])
        }
        guard share.inferenceUsed < share.inferenceQuota else {
            refused[edge, default: 0] += 1
            let wait = max(50, nextEpochAt.milliseconds(since: now))
            throw FairwayError(.capacityExhausted,
                               "edge \(edge) used its cloud share of epoch \(record.epoch): \(share.inferenceUsed) of \(share.inferenceQuota) offloads (\(Self.rounded(share.inferenceRPS)) requests/s); new shares in about \(wait) ms",
                               field: "cloud_inference_request", peer: edge.rawValue, retryAfterMilliseconds: wait)
        }
        share.inferenceUsed += 1
        current!.rows[i].share = share
        if !request.requestID.isEmpty { servedIDs.insert(key) }
        served[edge, default: 0] += 1
        return (share.inferenceRemaining, record.epoch, [.persistUsage(epoch: record.epoch, edge: edge, used: share.inferenceUsed)])
    }

    /// The view `fairwayctl cloud` prints.
    public func status(epoch: UInt64, names: [NodeID: String]) -> CloudStatus {
        let utilities = current.map { CloudSharePlan.utilities($0, settings: settings) } ?? (0, 0)
        var rows: [CloudStatus.Row] = current?.rows.map {
            CloudStatus.Row(edgeID: $0.edge, name: names[$0.edge] ?? "", reported: $0.reported, share: $0.share,
                            offloadedTotal: served[$0.edge] ?? 0, refusedTotal: refused[$0.edge] ?? 0)
        } ?? []
        // Edges that reported since the last boundary but have no share yet.
        let allocated = Set(rows.map(\.edgeID))
        for (edge, resources) in reports.sorted(by: { $0.key < $1.key }) where !allocated.contains(edge) {
            rows.append(CloudStatus.Row(edgeID: edge, name: names[edge] ?? "", reported: resources, share: CloudShare(),
                                        offloadedTotal: served[edge] ?? 0, refusedTotal: refused[edge] ?? 0))
        }
        return CloudStatus(epoch: current?.epoch ?? 0, inferenceRPS: settings.inferenceRPS, trainingSteps: settings.trainingSteps,
                           labellingBudget: settings.labellingBudget, allocator: settings.allocator.rawValue,
                           inferenceUtility: utilities.0, trainingUtility: utilities.1, edges: rows)
    }

    static func rounded(_ x: Double) -> Double { (x * 100).rounded() / 100 }
}
