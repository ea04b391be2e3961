import FairwayCore
import FairwayWire
import Foundation

/// Real messages of every payload kind, as the seed corpus of the fuzzer.
enum SeedCorpus {
    static func envelopes() -> [Envelope] {
        let now = Timestamp(unixMilliseconds: 1_764_000_000_000)
        let edgeKey = key(1), agentKey = key(2)
        let edge = edgeKey.nodeID, agent = agentKey.nodeID, coordinator = key(3).nodeID
        var ids = SplitMix(seed: 7)
        let contribution = Contribution(prototypes: [Prototype(image: [0.6, -0.8, 0, 0], text: [0.5, 0.5, 0.5, -0.5], count: 41.7)], mode: .multimodal,
                                        epsilon: 1, delta: 1e-6, noiseMultiplier: 3.9, sequence: 1, records: 40)
        let receipt = ContributionReceipt(agentID: agent, contributionID: Array(repeating: 9, count: 16), leafIndex: 4, credit: 41, novelSamples: 41,
                                          normalSamples: 0, noiseSamples: 0, agentValue: 4.7, treeSize: 5)
        // One real message of every payload kind; the switch is exhaustive, so a new kind needs a seed.
        let payloads: [Payload] = Payload.Kind.allCases.map { kind in
            switch kind {
            case .join:
                .join(JoinRequest(nodeID: edge, role: .edgeServer, address: "tcp://edge-1:7410", version: "0.1.0", name: "edge-1", publicKey: edgeKey.publicKey))
            case .joinAccepted: .joinAccepted(JoinAccepted(coordinatorID: coordinator, heartbeatIntervalMilliseconds: 1000, epoch: 3))
            case .heartbeat: .heartbeat(Heartbeat(nodeID: edge, agentIDs: [agent, NodeID(unchecked: "agent-1")]))
            case .heartbeatAck: .heartbeatAck(HeartbeatAck(epoch: 3, unknownAgentIDs: [agent]))
            case .statusRequest: .statusRequest
            case .statusReply:
                .statusReply(StatusReply(reporterID: coordinator, reporterRole: .cloudCoordinator, nodes: [
                    NodeStatus(id: edge, role: .edgeServer, address: "tcp://edge-1:7410", state: .alive, lastHeartbeat: now, version: "0.1.0"),
                    NodeStatus(id: agent, role: .edgeAgent, address: "", state: .suspect, lastHeartbeat: now, version: "0.1.0", via: edge),
                ], epoch: 3))
            case .epochAnnouncement: .epochAnnouncement(EpochAnnouncement(epoch: 3, startedAt: now, aliveMembers: 13))
            case .ping: .ping
            case .pong: .pong(Pong(nodeID: edge, role: .edgeServer, version: "0.1.0", name: "edge-1"))
            case .grantRequest: .grantRequest(GrantRequest(agentIDs: [agent]))
            case .grantReply:
                .grantReply(GrantReply(epoch: 3, leases: [TokenLease(id: 7, agent: agent, edge: edge, epoch: 3, tokens: 20, used: 4)], nextEpochAt: now))
            case .usageReport:
                .usageReport(UsageReport(usages: [LeaseUsage(leaseID: 7, usedTotal: 9, final: false), LeaseUsage(leaseID: 6, usedTotal: 20, final: true)]))
            case .usageAck: .usageAck(UsageAck(leases: [TokenLease(id: 7, agent: agent, edge: edge, epoch: 3, tokens: 20, used: 9)]))
            case .inferenceRequest: .inferenceRequest(InferenceRequest(cost: 3, input: Array("digits".utf8), features: (0..<64).map { Double($0 % 17) }))
            case .inferenceReply: .inferenceReply(InferenceReply(charged: 3, remaining: 11, label: 7, confidence: 0.93, moduleVersion: 4))
            case .epochsRequest: .epochsRequest(limit: 20)
            case .epochsReply:
                .epochsReply([EpochRecord(epoch: 3, startedAt: now, totalTokens: 1000, granted: 743, allocator: "proportional", agents: 500)])
            case .error: .error(FairwayError(.invalidField, "must be ≥ 0", field: "heartbeat.agent_ids[1]", retryAfterMilliseconds: 100))
            case .contribution: .contribution(contribution)
            case .contributionReceipt: .contributionReceipt(receipt)
            case .contributionBatch:
                .contributionBatch(ContributionBatch(contributions: [WireCodec.seal(Envelope(messageID: .random(using: &ids), sender: agent, sentAt: now,
                                                                                             payload: .contribution(contribution)), signedBy: agentKey)]))
            case .contributionBatchAck: .contributionBatchAck([receipt])
            case .valuationRequest: .valuationRequest([agent])
            case .valuationReply:
                .valuationReply(ValuationReply(agents: [AgentValuation(agentID: agent, value: 3.2, contributions: 2, novelSamples: 50, normalSamples: 30,
                                                                       noiseSamples: 4, epsilonSpent: 1.7, delta: 1e-5)], catalogClusters: 10))
            case .ledgerRequest: .ledgerRequest(start: 0, limit: 100)
            case .ledgerReply:
                .ledgerReply(LedgerReply(treeSize: 1, leaves: [Array(repeating: 7, count: 40)],
                                         heads: [SignedTreeHead(treeSize: 1, rootHash: Array(repeating: 1, count: 32), timestamp: now, epoch: 3,
                                                                signature: Array(repeating: 2, count: 64), publicKey: edgeKey.publicKey)]))
            case .ledgerProofRequest: .ledgerProofRequest(LedgerProofRequest(index: 3, treeSize: 7, firstSize: 4))
            case .ledgerProofReply:
                .ledgerProofReply(LedgerProofReply(index: 3, treeSize: 7, leaf: [1, 2, 3], rootHash: Array(repeating: 1, count: 32),
                                                   inclusionPath: [Array(repeating: 4, count: 32)], firstSize: 4, consistencyProof: [Array(repeating: 5, count: 32)]))
            case .contractOfferRequest: .contractOfferRequest
            case .contractOffer:
                .contractOffer(ContractOffer(round: 2, period: 2, opensEpoch: 30, deadlineEpoch: 40,
                                             items: [ContractItem(index: 0, rounds: 4, reward: 2.5), ContractItem(index: 1, rounds: 9, reward: 6.25)],
                                             thetas: [0.8, 1.3], costPerRound: 0.2, fixedCost: 0.5, selected: .item(1), nextChunk: 3, integrated: false,
                                             accuracy: 0, qualityBar: 0.8, period1Item: 0))
            case .contractSelection: .contractSelection(ContractSelection(round: 2, period: 1, choice: .declined))
            case .moduleUpload:
                .moduleUpload(ModuleUpload(round: 2, period: 1, chunkIndex: 1, chunkCount: 3, chunk: Array(repeating: 0x5a, count: 64),
                                           moduleDigest: Array(repeating: 6, count: 32), samples: 120))
            case .moduleUploadAck: .moduleUploadAck(ModuleUploadAck(nextChunk: 3, integrated: false, accuracy: 0.62, refused: "held-out accuracy 0.62 is below the quality bar 0.8"))
            case .moduleRequest: .moduleRequest(chunkIndex: 2)
            case .moduleReply:
                .moduleReply(ModuleReply(version: 4, chunkIndex: 2, chunkCount: 3, chunk: Array(repeating: 0x33, count: 48),
                                         moduleDigest: Array(repeating: 8, count: 32), accuracy: 0.91))
            case .contractStatusRequest: .contractStatusRequest
            case .contractStatus:
                .contractStatus(ContractStatus(round: 2, period: 2, opensEpoch: 30, deadlineEpoch: 40,
                                               terms: ContractTerms(T1: [3, 7], T2: [[4, 9], [5, 11]], R1: [1.5, 4.75], R2: [[2.5, 6.25], [3, 7.5]]),
                                               scheme: "exact", edges: [ContractEdgeState(edgeID: edge, period1: .item(0), period2: .declined, accuracy1: 0.88,
                                                                                          integrated1: true, paid1: 1.5)],
                                               moduleVersion: 4, moduleAccuracy: 0.91, totalPaid: 1.5))
            case .cloudInferenceRequest:
                .cloudInferenceRequest(CloudInferenceRequest(requestID: Array(repeating: 7, count: 16), agentID: agent, cost: 1, features: [0, 3, 16, 9]))
            case .cloudInferenceReply: .cloudInferenceReply(CloudInferenceReply(label: 7, confidence: 0.93, moduleVersion: 2, quotaRemaining: 11, epoch: 5))
            case .cloudStatusRequest: .cloudStatusRequest
            case .cloudStatus:
                .cloudStatus(CloudStatus(epoch: 5, inferenceRPS: 20, trainingSteps: 10, labellingBudget: 200, allocator: "fair-synergy",
                                         inferenceUtility: 1.7, trainingUtility: 1.2,
                                         edges: [CloudStatus.Row(edgeID: edge, name: "edge-1", reported: Self.resources,
                                                                 share: CloudShare(epoch: 5, inferenceRPS: 7.5, inferenceQuota: 37, inferenceUsed: 12, trainingSteps: 3.2, labels: 64),
                                                                 offloadedTotal: 40, refusedTotal: 3)]))
            case .drainRequest: .drainRequest(drain: true)
            case .drainReply: .drainReply(DrainReply(edgeID: edge, draining: true, attachedAgents: 3))
            }
        } + [
            // An edge's heartbeat with its resources, and the ack carrying its cloud share.
            .heartbeat(Heartbeat(nodeID: edge, agentIDs: [agent], resources: Self.resources)),
            .heartbeatAck(HeartbeatAck(epoch: 5, cloudShare: CloudShare(epoch: 5, inferenceRPS: 7.5, inferenceQuota: 37, inferenceUsed: 1, trainingSteps: 3.2, labels: 64))),
            // An agent's join as an edge relays it (with a proof), beside the edge's own.
            .join(JoinRequest(nodeID: agent, role: .edgeAgent, address: "", version: "0.1.0", via: edge, bucketSize: 4,
                              name: "agent-0", publicKey: agentKey.publicKey, agentProof: [0x0a, 0x02, 0x08, 0x01])),
        ]
        var generator = SplitMix(seed: 42)
        return payloads.map { Envelope(messageID: .random(using: &generator), sender: edge, sentAt: now, inReplyTo: nil, payload: $0) }
    }

    /// A fixed key, so the corpus is the same on every run.
    static let resources = EdgeResources(inferenceRPS: 5, trainingSteps: 5, labelledSamples: 100, shardSamples: 360,
                                         gammaInference: 0.3, gammaCompute: 0.3, gammaLabels: 0.4, gammaPoints: 2)

    static func key(_ n: UInt8) -> NodeKey { try! NodeKey(privateKey: [UInt8](repeating: n, count: NodeKey.privateKeyLength)) }

    /// Writes every seed twice (the inner envelope and the sealed, signed message) and one frame
    /// of every session-layer kind.
    static func write(to directory: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let all = envelopes()
        let signer = key(1)
        for (i, e) in all.enumerated() {
            let path = (directory as NSString).appendingPathComponent(String(format: "seed-%02d-%@", i, e.payload.kind.rawValue))
            try Data(WireCodec.encode(e)).write(to: URL(fileURLWithPath: path))
            try Data(WireCodec.seal(e, signedBy: signer)).write(to: URL(fileURLWithPath: path + "-sealed"))
        }
        let frames = SessionFuzz.seedFrames()
        for (name, bytes) in frames {
            try Data(bytes).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("frame-" + name)))
        }
        return 2 * all.count + frames.count
    }
}

/// Deterministic generator so the seed corpus is the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
