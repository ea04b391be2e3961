import FairwayCore
import Foundation

/// Maximum length of an nng URL or version string accepted from the wire, bytes.
let maxShortStringBytes = 512
/// Maximum number of agent ids in one heartbeat or rows in one status reply.
let maxListCount = 100_000

func checkedString(_ s: String, field: String, max: Int = maxShortStringBytes) throws -> String {
    guard s.utf8.count <= max else {
        throw FairwayError(.invalidField, "must be at most \(max) bytes, got \(s.utf8.count)", field: field)
    }
    return s
}

func checkedCount(_ n: Int, field: String) throws {
    guard n <= maxListCount else {
        throw FairwayError(.invalidField, "at most \(maxListCount) entries, got \(n)", field: field)
    }
}

/// Maximum size of a relayed agent proof (a signed join envelope), bytes.
let maxProofBytes = 4096

/// Display names: at most 128 bytes, printable, no control characters.
func checkedName(_ s: String, field: String) throws -> String {
    guard s.utf8.count <= 128 else {
        throw FairwayError(.invalidField, "name must be at most 128 bytes, got \(s.utf8.count)", field: field)
    }
    guard !s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
        throw FairwayError(.invalidField, "name contains a control character", field: field)
    }
    return s
}

func optionalNodeID(_ s: String, field: String) throws -> NodeID? {
    s.isEmpty ? nil : try NodeID(s, field: field)
}

extension NodeRole {
    init(wire: Fairway_V1_NodeRole, field: String) throws {
        switch wire {
        case .cloudCoordinator: self = .cloudCoordinator
        case .edgeServer: self = .edgeServer
        case .edgeAgent: self = .edgeAgent
        default: throw FairwayError(.invalidField, "role must be one of \(NodeRole.allCases.map(\.rawValue)), got \(wire)", field: field)
        }
    }

    var wire: Fairway_V1_NodeRole {
        switch self {
        case .cloudCoordinator: .cloudCoordinator
        case .edgeServer: .edgeServer
        case .edgeAgent: .edgeAgent
        }
    }
}

extension MemberState {
    init(wire: Fairway_V1_MemberState, field: String) throws {
        switch wire {
        case .alive: self = .alive
        case .suspect: self = .suspect
        case .dead: self = .dead
        default: throw FairwayError(.invalidField, "state must be alive, suspect or dead, got \(wire)", field: field)
        }
    }

    var wire: Fairway_V1_MemberState {
        switch self {
        case .alive: .alive
        case .suspect: .suspect
        case .dead: .dead
        }
    }
}

extension JoinRequest {
    init(wire w: Fairway_V1_JoinRequest) throws {
        let role = try NodeRole(wire: w.role, field: "join.role")
        let via = try optionalNodeID(w.via, field: "join.via")
        guard role == .edgeAgent || w.bucketSize == 0 else {
            throw FairwayError(.invalidField, "only agents have a bucket size, got \(w.bucketSize) for \(role.rawValue)", field: "join.bucket_size")
        }
        let nodeID = try NodeID(w.nodeID, field: "join.node_id")
        guard w.publicKey.count == NodeKey.publicKeyLength else {
            throw FairwayError(.invalidField, "public key must be \(NodeKey.publicKeyLength) bytes, got \(w.publicKey.count)", field: "join.public_key")
        }
        let publicKey = [UInt8](w.publicKey)
        guard NodeAddress.of(publicKey: publicKey) == nodeID else {
            throw FairwayError(.invalidField, "node id \(nodeID) is not the address of the public key (\(NodeAddress.of(publicKey: publicKey)))", field: "join.node_id")
        }
        guard w.agentProof.count <= maxProofBytes else {
            throw FairwayError(.invalidField, "agent proof must be at most \(maxProofBytes) bytes, got \(w.agentProof.count)", field: "join.agent_proof")
        }
        self.init(nodeID: nodeID, role: role,
                  address: try checkedString(w.address, field: "join.address"),
                  version: try checkedString(w.version, field: "join.version", max: 64),
                  via: via, bucketSize: w.bucketSize,
                  name: try checkedName(w.name, field: "join.name"),
                  publicKey: publicKey, agentProof: [UInt8](w.agentProof))
    }

    var wire: Fairway_V1_JoinRequest {
        var w = Fairway_V1_JoinRequest()
        w.nodeID = nodeID.rawValue
        w.role = role.wire
        w.address = address
        w.version = version
        w.via = via?.rawValue ?? ""
        w.bucketSize = bucketSize
        w.name = name
        w.publicKey = Data(publicKey)
        w.agentProof = Data(agentProof)
        return w
    }
}

extension JoinAccepted {
    init(wire w: Fairway_V1_JoinAccepted) throws {
        guard w.heartbeatIntervalMs > 0 else {
            throw FairwayError(.invalidField, "heartbeat interval must be > 0 ms, got \(w.heartbeatIntervalMs)", field: "join_accepted.heartbeat_interval_ms")
        }
        for (value, name) in [(w.epochMs, "epoch_ms"), (w.replayWindowMs, "replay_window_ms"), (w.maxClockSkewMs, "max_clock_skew_ms")] where value < 0 {
            throw FairwayError(.invalidField, "must be ≥ 0 ms, got \(value)", field: "join_accepted.\(name)")
        }
        guard w.epochURL.utf8.count <= 1024 else {
            throw FairwayError(.invalidField, "at most 1024 bytes, got \(w.epochURL.utf8.count)", field: "join_accepted.epoch_url")
        }
        self.init(coordinatorID: try NodeID(w.coordinatorID, field: "join_accepted.coordinator_id"),
                  heartbeatIntervalMilliseconds: w.heartbeatIntervalMs, epoch: w.epoch, epochMilliseconds: w.epochMs,
                  epochURL: w.epochURL, replayWindowMilliseconds: w.replayWindowMs, maxClockSkewMilliseconds: w.maxClockSkewMs)
    }

    var wire: Fairway_V1_JoinAccepted {
        var w = Fairway_V1_JoinAccepted()
        w.coordinatorID = coordinatorID.rawValue
        w.heartbeatIntervalMs = heartbeatIntervalMilliseconds
        w.epoch = epoch
        w.epochMs = epochMilliseconds
        w.epochURL = epochURL
        w.replayWindowMs = replayWindowMilliseconds
        w.maxClockSkewMs = maxClockSkewMilliseconds
        return w
    }
}

extension Heartbeat {
    init(wire w: Fairway_V1_Heartbeat) throws {
        try checkedCount(w.agentIds.count, field: "heartbeat.agent_ids")
        self.init(nodeID: try NodeID(w.nodeID, field: "heartbeat.node_id"),
                  agentIDs: try w.agentIds.enumerated().map { try NodeID($1, field: "heartbeat.agent_ids[\($0)]") },
                  resources: w.hasResources ? try EdgeResources(wire: w.resources, field: "heartbeat.resources") : nil)
    }

    var wire: Fairway_V1_Heartbeat {
        var w = Fairway_V1_Heartbeat()
        w.nodeID = nodeID.rawValue
        w.agentIds = agentIDs.map(\.rawValue)
        if let resources { w.resources = resources.wire }
        return w
    }
}

extension HeartbeatAck {
    init(wire w: Fairway_V1_HeartbeatAck) throws {
        try checkedCount(w.unknownAgentIds.count, field: "heartbeat_ack.unknown_agent_ids")
        self.init(epoch: w.epoch,
                  unknownAgentIDs: try w.unknownAgentIds.enumerated().map { try NodeID($1, field: "heartbeat_ack.unknown_agent_ids[\($0)]") },
                  cloudShare: w.hasCloudShare ? try CloudShare(wire: w.cloudShare, field: "heartbeat_ack.cloud_share") : nil)
    }

    var wire: Fairway_V1_HeartbeatAck {
        var w = Fairway_V1_HeartbeatAck()
        w.epoch = epoch
        w.unknownAgentIds = unknownAgentIDs.map(\.rawValue)
        if let cloudShare { w.cloudShare = cloudShare.wire }
        return w
    }
}

extension NodeStatus {
    init(wire w: Fairway_V1_NodeStatus, field: String) throws {
        guard w.lastHeartbeatUnixMs >= 0 else {
            throw FairwayError(.invalidField, "must be ≥ 0 ms, got \(w.lastHeartbeatUnixMs)", field: "\(field).last_heartbeat_unix_ms")
        }
        self.init(id: try NodeID(w.nodeID, field: "\(field).node_id"),
                  role: try NodeRole(wire: w.role, field: "\(field).role"),
                  address: try checkedString(w.address, field: "\(field).address"),
                  state: try MemberState(wire: w.state, field: "\(field).state"),
                  lastHeartbeat: Timestamp(unixMilliseconds: w.lastHeartbeatUnixMs),
                  version: try checkedString(w.version, field: "\(field).version", max: 64),
                  via: try optionalNodeID(w.via, field: "\(field).via"),
                  name: try checkedName(w.name, field: "\(field).name"))
        guard w.tokensUsed <= w.tokensGranted, w.tokensRemaining <= w.tokensGranted else {
            throw FairwayError(.invalidField, "token counts inconsistent: used \(w.tokensUsed), remaining \(w.tokensRemaining), granted \(w.tokensGranted)", field: "\(field).tokens_used")
        }
        tokensGranted = w.tokensGranted
        tokensUsed = w.tokensUsed
        tokensRemaining = w.tokensRemaining
    }

    var wire: Fairway_V1_NodeStatus {
        var w = Fairway_V1_NodeStatus()
        w.nodeID = id.rawValue
        w.role = role.wire
        w.address = address
        w.state = state.wire
        w.lastHeartbeatUnixMs = lastHeartbeat.unixMilliseconds
        w.version = version
        w.via = via?.rawValue ?? ""
        w.name = name
        w.tokensGranted = tokensGranted
        w.tokensUsed = tokensUsed
        w.tokensRemaining = tokensRemaining
        return w
    }
}

extension StatusReply {
    init(wire w: Fairway_V1_StatusReply) throws {
        try checkedCount(w.nodes.count, field: "status_reply.nodes")
        self.init(reporterID: try NodeID(w.reporterID, field: "status_reply.reporter_id"),
                  reporterName: try checkedName(w.reporterName, field: "status_reply.reporter_name"),
                  reporterRole: try NodeRole(wire: w.reporterRole, field: "status_reply.reporter_role"),
                  nodes: try w.nodes.enumerated().map { try NodeStatus(wire: $1, field: "status_reply.nodes[\($0)]") },
                  epoch: w.epoch)
    }

    var wire: Fairway_V1_StatusReply {
        var w = Fairway_V1_StatusReply()
        w.reporterID = reporterID.rawValue
        w.reporterName = reporterName
        w.reporterRole = reporterRole.wire
        w.nodes = nodes.map(\.wire)
        w.epoch = epoch
        return w
    }
}

extension EpochAnnouncement {
    init(wire w: Fairway_V1_EpochAnnouncement) throws {
        guard w.startedAtUnixMs >= 0 else {
            throw FairwayError(.invalidField, "must be ≥ 0 ms, got \(w.startedAtUnixMs)", field: "epoch_announcement.started_at_unix_ms")
        }
        guard w.nextEpochAtUnixMs >= 0 else {
            throw FairwayError(.invalidField, "must be ≥ 0 ms, got \(w.nextEpochAtUnixMs)", field: "epoch_announcement.next_epoch_at_unix_ms")
        }
        self.init(epoch: w.epoch, startedAt: Timestamp(unixMilliseconds: w.startedAtUnixMs), aliveMembers: w.aliveMembers,
                  nextEpochAt: Timestamp(unixMilliseconds: w.nextEpochAtUnixMs))
    }

    var wire: Fairway_V1_EpochAnnouncement {
        var w = Fairway_V1_EpochAnnouncement()
        w.epoch = epoch
        w.startedAtUnixMs = startedAt.unixMilliseconds
        w.aliveMembers = aliveMembers
        w.nextEpochAtUnixMs = nextEpochAt.unixMilliseconds
        return w
    }
}

extension Pong {
    init(wire w: Fairway_V1_Pong) throws {
        self.init(nodeID: try NodeID(w.nodeID, field: "pong.node_id"),
                  role: try NodeRole(wire: w.role, field: "pong.role"),
                  version: try checkedString(w.version, field: "pong.version", max: 64),
                  name: try checkedName(w.name, field: "pong.name"))
    }

    var wire: Fairway_V1_Pong {
        var w = Fairway_V1_Pong()
        w.nodeID = nodeID.rawValue
        w.role = role.wire
        w.version = version
        w.name = name
        return w
    }
}

extension DrainReply {
    init(wire w: Fairway_V1_DrainReply) throws {
        self.init(edgeID: try NodeID(w.edgeID, field: "drain_reply.edge_id"), draining: w.draining, attachedAgents: w.attachedAgents)
    }

    var wire: Fairway_V1_DrainReply {
        var w = Fairway_V1_DrainReply()
        w.edgeID = edgeID.rawValue
        w.draining = draining
        w.attachedAgents = attachedAgents
        return w
    }
}
