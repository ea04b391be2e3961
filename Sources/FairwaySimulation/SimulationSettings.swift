import FairwayCore

/// Everything one simulated run is decided by, besides its seed (`fairway-lab simulate`).
/// Times are simulated milliseconds; rates are probabilities per event or per simulated second.
public struct SimulationSettings: Sendable, Hashable {
    /// The one seed every random decision of the run is drawn from.
    public var seed: UInt64 = 1
    /// Events to process (each delivery, timer, timeout and fault is one step).
    public var steps = 100_000
    /// Edge servers (each its own node, crashing alone).
    public var edges = 3
    /// Agent identities (each its own node, with its simulated privacy store).
    public var agents = 6
    /// Deliberately broken behaviours, for checking the checker.
    public var breaks: Set<TestBreak> = []

    /// Heartbeat interval of every node, ms. Default 200.
    public var heartbeatMilliseconds: Int64 = 200
    /// Epoch length, ms. Default 1000.
    public var epochMilliseconds: Int64 = 1000
    /// V, tokens granted per epoch. Default 40.
    public var tokensPerEpoch: UInt64 = 40
    /// B_n of every agent. Default 12.
    public var bucketSize: UInt32 = 12
    /// Inference requests per second per agent. Default 8.
    public var inferenceRate = 8.0
    /// DP releases each agent tries (its budget stops it sooner). Default 20.
    public var releases = 20
    /// Time between an agent's releases, ms. Default 400.
    public var releaseIntervalMilliseconds: Int64 = 400
    /// Noise multiplier z = σ/Δ of every release. Default 2.
    public var noiseMultiplier = 2.0
    /// Releases an agent's (ε, δ) budget pays for (ε is set so that this many fit). Default 3.
    public var releasesPerBudget = 3
    /// δ of the budget. Default 1e-5.
    public var budgetDelta = 1e-5

    /// Largest clock skew of a node against simulated time, ± ms. Default 150.
    public var maxSkewMilliseconds: Int64 = 150
    /// One-way network delay, uniform in [min, max] ms (so messages reorder).
    public var minDelayMilliseconds: Int64 = 1
    public var maxDelayMilliseconds: Int64 = 40
    /// Probability a message is lost / delivered twice.
    public var lossRate = 0.02
    public var duplicateRate = 0.03
    /// A request unanswered this long fails with `no-reply`, ms (nng's send timeout). Default 700.
    public var requestTimeoutMilliseconds: Int64 = 700
    /// A request unanswered this long is resent with the same bytes, ms (nng REQ resend). Default 250.
    public var resendMilliseconds: Int64 = 250

    /// Crashes per simulated second, over the whole cluster. Default 0.4.
    public var crashRate = 0.4
    /// Share of crashes that hit the coordinator (the rest split over edges and agents). Default 0.35.
    public var coordinatorCrashShare = 0.35
    /// Probability that handling one request ends in a crash, before or after its commit. Default 0.002.
    public var crashInHandlerRate = 0.002
    /// Down time after a crash, uniform in [min, max] ms.
    public var minDownMilliseconds: Int64 = 50
    public var maxDownMilliseconds: Int64 = 2000
    /// Partitions per simulated second. Default 0.15; each heals after 0.2–4 s.
    public var partitionRate = 0.15

    /// Epochs per contract period (with `SimulationContracts`). Default 3.
    public var contractPeriodEpochs: UInt64 = 3
    /// Probability that an edge's training yields a module below the quality bar. Default 0.3.
    public var badModuleRate = 0.3

    /// Trace events kept for a failure report. Default 60.
    public var traceLength = 60

    public init() {}
}
