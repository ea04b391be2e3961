/// What a simulated run did.
public struct SimulationStats: Sendable, Hashable, Codable {
    public var messages = 0, lost = 0, duplicated = 0, resends = 0, partitionDrops = 0
    public var crashes = 0, partitions = 0
    /// Requests answered from a journal or cache (resends and duplicates).
    public var replayedReplies = 0
    public var inferencesServed = 0, releases = 0, contributionsAcknowledged = 0
    public init() {}
}

/// The outcome of `Simulation.run`: how far it got and, on a violation, the seed to replay
/// and the last events that led to it.
public struct SimulationResult: Sendable, Hashable, Codable {
    public var seed: UInt64
    public var steps: Int
    public var simulatedMilliseconds: Int64
    public var violation: Violation?
    /// The last events of the run (before the violation, if any), oldest first.
    public var trace: [String]
    public var stats: SimulationStats
    /// Checks performed, by invariant.
    public var checks: [String: Int]

    public var passed: Bool { violation == nil }
}
