/// An edge's resources for the cloud's Fair-Synergy allocation, reported in its heartbeat
/// (`fairway.v1.EdgeResources`).
public struct EdgeResources: Sendable, Hashable, Codable {
    /// Own inference capacity, requests per second (ρ⁰ of Problem 1).
    public var inferenceRPS: Double
    /// Own training compute, minibatch steps per training round (ρ⁰ of Problem 2).
    public var trainingSteps: Double
    /// Labelled samples held (α⁰ of Problem 2).
    public var labelledSamples: UInt64
    /// Samples in the training shard, labelled or not.
    public var shardSamples: UInt64
    /// Estimated elasticities (eq. 3's γ; eq. 7's γ^ρ and γ^α), each in [0, 1].
    public var gammaInference: Double
    public var gammaCompute: Double
    public var gammaLabels: Double
    /// Training results the estimate rests on (0 = the documented defaults).
    public var gammaPoints: UInt32

    public init(inferenceRPS: Double, trainingSteps: Double, labelledSamples: UInt64, shardSamples: UInt64,
                gammaInference: Double, gammaCompute: Double, gammaLabels: Double, gammaPoints: UInt32 = 0) {
        self.inferenceRPS = inferenceRPS
        self.trainingSteps = trainingSteps
        self.labelledSamples = labelledSamples
        self.shardSamples = shardSamples
        self.gammaInference = gammaInference
        self.gammaCompute = gammaCompute
        self.gammaLabels = gammaLabels
        self.gammaPoints = gammaPoints
    }

    /// Throws `invalidField` naming the first field out of its domain.
    public func validate(field prefix: String = "heartbeat.resources") throws {
        for (name, v) in [("inference_rps", inferenceRPS), ("training_steps", trainingSteps)] where !(v.isFinite && v >= 0 && v <= 1e12) {
            throw FairwayError(.invalidField, "must be a finite number in [0, 1e12] (got \(v))", field: "\(prefix).\(name)")
        }
        for (name, g) in [("gamma_inference", gammaInference), ("gamma_compute", gammaCompute), ("gamma_labels", gammaLabels)] where !(g >= 0 && g <= 1) {
            throw FairwayError(.invalidField, "must lie in [0, 1] (got \(g))", field: "\(prefix).\(name)")
        }
        guard labelledSamples <= shardSamples else {
            throw FairwayError(.invalidField, "labelled_samples (\(labelledSamples)) exceeds shard_samples (\(shardSamples))", field: "\(prefix).labelled_samples")
        }
    }
}

/// An edge's shares in one allocation epoch (`fairway.v1.CloudShare`).
public struct CloudShare: Sendable, Hashable, Codable {
    /// The epoch whose boundary computed the shares (0 = none yet).
    public var epoch: UInt64
    /// Cloud inference capacity, requests per second.
    public var inferenceRPS: Double
    /// Offloads allowed in the epoch (⌊rps × epoch length⌋) and made so far.
    public var inferenceQuota: UInt64
    public var inferenceUsed: UInt64
    /// Cloud training compute: extra minibatch steps per training round.
    public var trainingSteps: Double
    /// Samples of the edge's shard the cloud labels for its next training period.
    public var labels: UInt64

    public init(epoch: UInt64 = 0, inferenceRPS: Double = 0, inferenceQuota: UInt64 = 0, inferenceUsed: UInt64 = 0, trainingSteps: Double = 0, labels: UInt64 = 0) {
        self.epoch = epoch
        self.inferenceRPS = inferenceRPS
        self.inferenceQuota = inferenceQuota
        self.inferenceUsed = inferenceUsed
        self.trainingSteps = trainingSteps
        self.labels = labels
    }

    public var inferenceRemaining: UInt64 { inferenceQuota > inferenceUsed ? inferenceQuota - inferenceUsed : 0 }
}

/// Edge → coordinator: serve this inference in the cloud (`fairway.v1.CloudInferenceRequest`).
public struct CloudInferenceRequest: Sendable, Hashable {
    /// The agent request's message id: a resend within the epoch does not count twice.
    public var requestID: [UInt8]
    public var agentID: NodeID
    public var cost: UInt64
    public var features: [Double]

    public init(requestID: [UInt8], agentID: NodeID, cost: UInt64, features: [Double]) {
        self.requestID = requestID
        self.agentID = agentID
        self.cost = cost
        self.features = features
    }
}

/// Coordinator → edge (`fairway.v1.CloudInferenceReply`).
public struct CloudInferenceReply: Sendable, Hashable {
    /// Label −1 and version 0 when no module is integrated yet.
    public var label: Int32
    public var confidence: Double
    public var moduleVersion: UInt64
    public var quotaRemaining: UInt64
    public var epoch: UInt64

    public init(label: Int32 = -1, confidence: Double = 0, moduleVersion: UInt64 = 0, quotaRemaining: UInt64 = 0, epoch: UInt64 = 0) {
        self.label = label
        self.confidence = confidence
        self.moduleVersion = moduleVersion
        self.quotaRemaining = quotaRemaining
        self.epoch = epoch
    }
}

/// The coordinator's view of cloud allocation (`fairway.v1.CloudStatus`, `fairwayctl cloud`).
public struct CloudStatus: Sendable, Hashable, Codable {
    public struct Row: Sendable, Hashable, Codable {
        public var edgeID: NodeID
        public var name: String
        public var reported: EdgeResources?
        public var share: CloudShare
        public var offloadedTotal: UInt64
        public var refusedTotal: UInt64

        public init(edgeID: NodeID, name: String, reported: EdgeResources?, share: CloudShare, offloadedTotal: UInt64, refusedTotal: UInt64) {
            self.edgeID = edgeID
            self.name = name
            self.reported = reported
            self.share = share
            self.offloadedTotal = offloadedTotal
            self.refusedTotal = refusedTotal
        }
    }

    public var epoch: UInt64
    public var inferenceRPS: Double
    public var trainingSteps: Double
    public var labellingBudget: UInt64
    public var allocator: String
    public var inferenceUtility: Double
    public var trainingUtility: Double
    public var edges: [Row]

    public init(epoch: UInt64, inferenceRPS: Double, trainingSteps: Double, labellingBudget: UInt64, allocator: String,
                inferenceUtility: Double, trainingUtility: Double, edges: [Row]) {
        self.epoch = epoch
        self.inferenceRPS = inferenceRPS
        self.trainingSteps = trainingSteps
        self.labellingBudget = labellingBudget
        self.allocator = allocator
        self.inferenceUtility = inferenceUtility
        self.trainingUtility = trainingUtility
        self.edges = edges
    }
}
