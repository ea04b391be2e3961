import FairwayCore
import FairwayWire
import Foundation

/// Real messages of every payload kind, as the seed corpus of the fuzzer.
enum SeedCorpus {
    static func envelopes() -> [Envelope] {
        let now = Timestamp(unixMilliseconds: 1_764_000_000_000)
        let edge = NodeID(unchecked: "edge-1"), agent = NodeID(unchecked: "agent-0"), coordinator = NodeID(unchecked: "coordinator")
        let payloads: [Payload] = [
            .join(JoinRequest(nodeID: edge, role: .edgeServer, address: "tcp://edge-1:7410", version: "0.1.0")),
            .join(JoinRequest(nodeID: agent, role: .edgeAgent, address: "", version: "0.1.0", via: edge, bucketSize: 4)),
            .joinAccepted(JoinAccepted(coordinatorID: coordinator, heartbeatIntervalMilliseconds: 1000, epoch: 3)),
            .heartbeat(Heartbeat(nodeID: edge, agentIDs: [agent, NodeID(unchecked: "agent-1")])),
            .heartbeatAck(HeartbeatAck(epoch: 3, unknownAgentIDs: [agent])),
            .statusRequest,
            .statusReply(StatusReply(reporterID: coordinator, reporterRole: .cloudCoordinator, nodes: [
                NodeStatus(id: edge, role: .edgeServer, address: "tcp://edge-1:7410", state: .alive, lastHeartbeat: now, version: "0.1.0"),
                NodeStatus(id: agent, role: .edgeAgent, address: "", state: .suspect, lastHeartbeat: now, version: "0.1.0", via: edge),
            ], epoch: 3)),
            .epochAnnouncement(EpochAnnouncement(epoch: 3, startedAt: now, aliveMembers: 13)),
            .ping,
            .pong(Pong(nodeID: edge, role: .edgeServer, version: "0.1.0")),
            .error(FairwayError(.invalidField, "must be ≥ 0", field: "heartbeat.agent_ids[1]", retryAfterMilliseconds: 100)),
        ]
        var generator = SplitMix(seed: 42)
        return payloads.map { Envelope(messageID: .random(using: &generator), sender: edge, sentAt: now, inReplyTo: nil, payload: $0) }
    }

    static func write(to directory: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let all = envelopes()
        for (i, e) in all.enumerated() {
            let path = (directory as NSString).appendingPathComponent(String(format: "seed-%02d-%@", i, e.payload.kind))
            try Data(WireCodec.encode(e)).write(to: URL(fileURLWithPath: path))
        }
        return all.count
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
