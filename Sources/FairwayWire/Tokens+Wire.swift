import FairwayCore
import Foundation

extension TokenLease {
    init(wire w: Fairway_V1_TokenLease, field: String) throws {
        guard w.used <= w.tokens else {
            throw FairwayError(.invalidField, "used \(w.used) exceeds the lease's \(w.tokens) tokens", field: "\(field).used")
        }
        self.init(id: w.id, agent: try NodeID(w.agentID, field: "\(field).agent_id"), edge: try NodeID(w.edgeID, field: "\(field).edge_id"),
                  epoch: w.epoch, tokens: w.tokens, used: w.used, settled: w.settled)
    }

    var wire: Fairway_V1_TokenLease {
        var w = Fairway_V1_TokenLease()
        w.id = id
        w.agentID = agent.rawValue
        w.edgeID = edge.rawValue
        w.epoch = epoch
        w.tokens = tokens
        w.used = used
        w.settled = settled
        return w
    }
}

func decodeLeases(_ ws: [Fairway_V1_TokenLease], field: String) throws -> [TokenLease] {
    try checkedCount(ws.count, field: field)
    return try ws.enumerated().map { try TokenLease(wire: $1, field: "\(field)[\($0)]") }
}

extension GrantRequest {
    init(wire w: Fairway_V1_GrantRequest) throws {
        try checkedCount(w.agentIds.count, field: "grant_request.agent_ids")
        self.init(agentIDs: try w.agentIds.enumerated().map { try NodeID($1, field: "grant_request.agent_ids[\($0)]") })
    }

    var wire: Fairway_V1_GrantRequest {
        var w = Fairway_V1_GrantRequest()
        w.agentIds = agentIDs.map(\.rawValue)
        return w
    }
}

extension GrantReply {
    init(wire w: Fairway_V1_GrantReply) throws {
        guard w.nextEpochAtUnixMs >= 0 else {
            throw FairwayError(.invalidField, "must be ≥ 0 ms, got \(w.nextEpochAtUnixMs)", field: "grant_reply.next_epoch_at_unix_ms")
        }
        self.init(epoch: w.epoch, leases: try decodeLeases(w.leases, field: "grant_reply.leases"),
                  nextEpochAt: Timestamp(unixMilliseconds: w.nextEpochAtUnixMs))
    }

    var wire: Fairway_V1_GrantReply {
        var w = Fairway_V1_GrantReply()
        w.epoch = epoch
        w.leases = leases.map(\.wire)
        w.nextEpochAtUnixMs = nextEpochAt.unixMilliseconds
        return w
    }
}

extension UsageReport {
    init(wire w: Fairway_V1_UsageReport) throws {
        try checkedCount(w.usages.count, field: "usage_report.usages")
        self.init(usages: w.usages.map { LeaseUsage(leaseID: $0.leaseID, usedTotal: $0.usedTotal, final: $0.final) })
    }

    var wire: Fairway_V1_UsageReport {
        var w = Fairway_V1_UsageReport()
        w.usages = usages.map {
            var u = Fairway_V1_LeaseUsage()
            u.leaseID = $0.leaseID
            u.usedTotal = $0.usedTotal
            u.final = $0.final
            return u
        }
        return w
    }
}

extension UsageAck {
    init(wire w: Fairway_V1_UsageAck) throws {
        self.init(leases: try decodeLeases(w.leases, field: "usage_ack.leases"))
    }

    var wire: Fairway_V1_UsageAck {
        var w = Fairway_V1_UsageAck()
        w.leases = leases.map(\.wire)
        return w
    }
}

extension InferenceRequest {
    init(wire w: Fairway_V1_InferenceRequest) throws {
        guard w.cost >= 1 else {
            throw FairwayError(.invalidField, "an inference costs at least 1 token, got \(w.cost)", field: "inference_request.cost")
        }
        guard w.cost <= 1 << 32 else {
            throw FairwayError(.invalidField, "cost \(w.cost) is absurd (limit 2^32 tokens)", field: "inference_request.cost")
        }
        guard w.input.count <= InferenceRequest.maxInputBytes else {
            throw FairwayError(.invalidField, "input must be at most \(InferenceRequest.maxInputBytes) bytes, got \(w.input.count)", field: "inference_request.input")
        }
        guard w.features.count <= InferenceRequest.maxFeatures else {
            throw FairwayError(.invalidField, "at most \(InferenceRequest.maxFeatures) features, got \(w.features.count)", field: "inference_request.features")
        }
        if let i = w.features.firstIndex(where: { !$0.isFinite }) {
            throw FairwayError(.invalidField, "feature \(i) is not finite (\(w.features[i]))", field: "inference_request.features[\(i)]")
        }
        self.init(cost: w.cost, input: [UInt8](w.input), features: w.features)
    }

    var wire: Fairway_V1_InferenceRequest {
        var w = Fairway_V1_InferenceRequest()
        w.cost = cost
        w.input = Data(input)
        w.features = features
        return w
    }
}

extension InferenceReply {
    init(wire w: Fairway_V1_InferenceReply) throws {
        guard w.output.count <= InferenceRequest.maxInputBytes else {
            throw FairwayError(.invalidField, "output must be at most \(InferenceRequest.maxInputBytes) bytes, got \(w.output.count)", field: "inference_reply.output")
        }
        guard w.label >= -1 else {
            throw FairwayError(.invalidField, "label must be -1 (none) or ≥ 0, got \(w.label)", field: "inference_reply.label")
        }
        guard w.confidence.isFinite, w.confidence >= 0, w.confidence <= 1 else {
            throw FairwayError(.invalidField, "confidence must be a probability in [0, 1], got \(w.confidence)", field: "inference_reply.confidence")
        }
        self.init(charged: w.charged, remaining: w.remaining, output: [UInt8](w.output), label: w.label, confidence: w.confidence,
                  moduleVersion: w.moduleVersion)
        servedByCloud = w.servedByCloud
    }

    var wire: Fairway_V1_InferenceReply {
        var w = Fairway_V1_InferenceReply()
        w.charged = charged
        w.remaining = remaining
        w.output = Data(output)
        w.label = label
        w.confidence = confidence
        w.moduleVersion = moduleVersion
        w.servedByCloud = servedByCloud
        return w
    }
}

extension EpochRecord {
    init(wire w: Fairway_V1_EpochRecord, field: String) throws {
        guard w.granted <= w.totalTokens else {
            throw FairwayError(.invalidField, "granted \(w.granted) exceeds V = \(w.totalTokens)", field: "\(field).granted")
        }
        guard w.startedAtUnixMs >= 0 else {
            throw FairwayError(.invalidField, "must be ≥ 0 ms, got \(w.startedAtUnixMs)", field: "\(field).started_at_unix_ms")
        }
        self.init(epoch: w.epoch, startedAt: Timestamp(unixMilliseconds: w.startedAtUnixMs), totalTokens: w.totalTokens,
                  granted: w.granted, allocator: try checkedString(w.allocator, field: "\(field).allocator", max: 64), agents: w.agents)
    }

    var wire: Fairway_V1_EpochRecord {
        var w = Fairway_V1_EpochRecord()
        w.epoch = epoch
        w.startedAtUnixMs = startedAt.unixMilliseconds
        w.totalTokens = totalTokens
        w.granted = granted
        w.allocator = allocator
        w.agents = agents
        return w
    }
}
