import FairwayCore
import FairwayWire

/// The edge server's side of Fair-Synergy (paper 3): what it reports, how it routes inference
/// between its own capacity and its cloud share, and what the cloud's labelling and compute
/// shares add to its training.
///
/// - Local capacity is a token bucket of `inference_rps` per second (depth `burst`); a request
///   that finds it empty is offloaded to the coordinator while the edge's share lasts (the
///   coordinator enforces the share; the edge only avoids asking when its last known share is
///   used up), and refused with `capacityExhausted` otherwise.
/// - Its report carries its own capacity, training compute and labels, the configured γ of
///   inference, and γ^ρ, γ^α fitted to its own training results (`ElasticityFit`).
/// - The labelling share is real: the next training uses the edge's own labelled samples plus
///   the cloud's labels (more samples of its shard); the compute share adds minibatch steps per
///   training round.
public struct CloudUse: Sendable {
    public enum Route: Sendable, Hashable {
        /// Serve on this edge (a local slot was taken).
        case local
        /// Ask the cloud.
        case offload
        /// Neither: refuse with this error (changes nothing).
        case refuse(FairwayError)
    }

    public let settings: Settings
    /// Samples in the training shard (0 when the edge does not train).
    public let shardSamples: UInt64
    /// Minibatch steps per contracted round on the edge's own hardware.
    public let trainingSteps: Int
    /// The share the coordinator last sent (with the use it had counted then).
    public private(set) var share: CloudShare?
    public private(set) var fit = ElasticityFit()
    public private(set) var servedLocally: UInt64 = 0
    public private(set) var offloaded: UInt64 = 0
    public private(set) var refused: UInt64 = 0
    private var bucket: Double
    private var refilledAt: Timestamp = .zero

    public init(settings: Settings, shardSamples: UInt64, trainingSteps: Int) {
        self.settings = settings
        self.shardSamples = shardSamples
        self.trainingSteps = trainingSteps
        self.bucket = settings.localBurst
    }

    /// Labelled samples the edge holds itself (never more than its shard).
    public var labelledSamples: UInt64 {
        shardSamples == 0 ? 0 : settings.labelledSamples == 0 ? shardSamples : min(settings.labelledSamples, shardSamples)
    }

    /// What the edge reports in its heartbeat.
    public var resources: EdgeResources {
        let g = fit.estimate(defaultCompute: settings.defaultGammaCompute, defaultLabels: settings.defaultGammaLabels)
        // γ of inference stays configured: the edge has no measurements of inference accuracy
        // against compute (it serves the same module whatever its compute), and borrowing the
        // training elasticity would let a plateauing training curve decide inference shares.
        return EdgeResources(inferenceRPS: settings.inferenceRPS, trainingSteps: Double(trainingSteps), labelledSamples: labelledSamples,
                             shardSamples: shardSamples, gammaInference: settings.defaultGammaInference, gammaCompute: g.compute, gammaLabels: g.labels,
                             gammaPoints: UInt32(g.points))
    }

    /// Samples the next training uses: own labels plus the cloud's (0 = the whole shard, when
    /// the edge holds no shard size).
    public var trainingLabels: UInt64 {
        guard shardSamples > 0 else { return 0 }
        return min(shardSamples, labelledSamples + (share?.labels ?? 0))
    }

    /// Minibatch steps per round the next training uses: own plus the cloud's compute share.
    public var trainingStepsWithCloud: Int { trainingSteps + Int((share?.trainingSteps ?? 0).rounded(.down)) }

    public mutating func onShare(_ s: CloudShare) {
        share = s
    }

    /// Where an inference arriving at `now` goes. `epoch` is the coordinator's current epoch as
    /// the edge knows it: a share of an older epoch says nothing about the new one, so the edge
    /// asks (the coordinator decides) until the heartbeat brings the new share.
    public mutating func route(now: Timestamp, nextEpochAt: Timestamp, epoch: UInt64 = 0) -> Route {
        refill(now)
        if bucket >= 1 {
            bucket -= 1
            servedLocally += 1
            return .local
        }
        let localWait = settings.inferenceRPS > 0 ? Int64(((1 - bucket) / settings.inferenceRPS * 1000).rounded(.up)) : Int64.max
        let epochWait = nextEpochAt == .zero ? 1000 : max(50, nextEpochAt.milliseconds(since: now))
        if settings.offload, share.map({ $0.inferenceRemaining > 0 || $0.epoch < epoch }) ?? true {
            return .offload
        }
        refused += 1
        let why = settings.offload
            ? "its cloud share of epoch \(share?.epoch ?? 0) is used up (\(share?.inferenceUsed ?? 0) of \(share?.inferenceQuota ?? 0) offloads)"
            : "offloading is off"
        return .refuse(FairwayError(.capacityExhausted, "edge is saturated (local capacity \(settings.inferenceRPS) requests/s) and \(why)",
                                    field: "inference_request", retryAfterMilliseconds: max(50, min(localWait, epochWait))))
    }

    /// The cloud answered an offload: `remaining` offloads are left in its epoch.
    public mutating func onOffloaded(remaining: UInt64, epoch: UInt64) {
        offloaded += 1
        if var s = share, s.epoch == epoch {
            s.inferenceUsed = s.inferenceQuota >= remaining ? s.inferenceQuota - remaining : s.inferenceUsed
            share = s
        }
    }

    /// The cloud refused an offload (share used up): the refusal to pass on to the agent.
    public mutating func onOffloadRefused(_ e: FairwayError, now: Timestamp) -> FairwayError {
        refused += 1
        if var s = share { s.inferenceUsed = s.inferenceQuota; share = s }
        refill(now)
        let localWait = settings.inferenceRPS > 0 ? Int64(((1 - bucket) / settings.inferenceRPS * 1000).rounded(.up)) : e.retryAfterMilliseconds
        return FairwayError(.capacityExhausted, "edge is saturated (local capacity \(settings.inferenceRPS) requests/s) and the cloud refused: \(e.message)",
                            field: "inference_request", retryAfterMilliseconds: max(50, min(localWait, e.retryAfterMilliseconds)))
    }

    /// A finished training run: its resources and held-out accuracy feed the elasticity fit.
    public mutating func onTrainingResult(rounds: Int, stepsPerRound: Int, labels: UInt64, accuracy: Double) {
        fit.add(compute: Double(rounds * stepsPerRound), labels: Double(labels), accuracy: accuracy)
    }

    private mutating func refill(_ now: Timestamp) {
        if refilledAt != .zero, now > refilledAt {
            bucket = min(settings.localBurst, bucket + Double(now.milliseconds(since: refilledAt)) / 1000 * settings.inferenceRPS)
        }
        refilledAt = now
    }
}
