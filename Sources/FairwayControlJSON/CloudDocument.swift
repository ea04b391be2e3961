import FairwayCore

/// `fairwayctl cloud --json`: the cloud's budgets, the allocator, and every edge's report,
/// shares and use in the allocation in force.
public struct CloudDocument: Codable, Sendable, Equatable {
    public struct Edge: Codable, Sendable, Equatable {
        public var edge_id: String
        public var name: String
        /// What the edge reported (its own capacity, compute, labels and fitted elasticities).
        public var local_inference_rps: Double
        public var local_training_steps: Double
        public var labelled_samples: UInt64
        public var shard_samples: UInt64
        public var gamma_inference: Double
        public var gamma_compute: Double
        public var gamma_labels: Double
        public var gamma_points: UInt32
        /// The epoch of its shares: `epoch`, or 0 when it reported after the last boundary and
        /// has no share yet.
        public var share_epoch: UInt64
        /// Its shares in `share_epoch`.
        public var inference_rps: Double
        public var inference_quota: UInt64
        public var inference_used: UInt64
        public var training_steps: Double
        public var labels: UInt64
        /// Offloads served and refused since the coordinator started.
        public var offloaded_total: UInt64
        public var refused_total: UInt64
    }

    /// The epoch whose boundary computed the shares (0 = none yet).
    public var epoch: UInt64
    public var allocator: String
    public var inference_rps: Double
    public var training_steps: Double
    public var labelling_budget: UInt64
    /// Σ eq. 3 and Σ eq. 7 at these shares (resources in units of the cloud's budget, uncapped).
    public var inference_utility: Double
    public var training_utility: Double
    public var edges: [Edge]

    public init(_ s: CloudStatus) {
        epoch = s.epoch
        allocator = s.allocator
        inference_rps = s.inferenceRPS
        training_steps = s.trainingSteps
        labelling_budget = s.labellingBudget
        inference_utility = s.inferenceUtility
        training_utility = s.trainingUtility
        edges = s.edges.map { r in
            let rep = r.reported
            return Edge(edge_id: r.edgeID.rawValue, name: r.name, local_inference_rps: rep?.inferenceRPS ?? 0, local_training_steps: rep?.trainingSteps ?? 0,
                        labelled_samples: rep?.labelledSamples ?? 0, shard_samples: rep?.shardSamples ?? 0, gamma_inference: rep?.gammaInference ?? 0,
                        gamma_compute: rep?.gammaCompute ?? 0, gamma_labels: rep?.gammaLabels ?? 0, gamma_points: rep?.gammaPoints ?? 0,
                        share_epoch: r.share.epoch, inference_rps: r.share.inferenceRPS, inference_quota: r.share.inferenceQuota, inference_used: r.share.inferenceUsed,
                        training_steps: r.share.trainingSteps, labels: r.share.labels, offloaded_total: r.offloadedTotal, refused_total: r.refusedTotal)
        }
    }
}
