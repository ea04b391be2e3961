import CoordinatorCore
import EdgeAgentCore
import EdgeServerCore
import FairwayCore
import FairwayWire

/// Messages of a small cast (a coordinator, edges, agents with fixed keys) for tier (a) tests
/// that drive role instances by hand, with manual time.
public struct Cast: Sendable {
    public let t0: Timestamp

    public init(t0: Timestamp = Timestamp(unixMilliseconds: 5_000_000)) { self.t0 = t0 }

    /// An envelope from `sender`, sent at `t` (default `t0`).
    public func env(_ sender: NodeID, _ payload: Payload, at t: Timestamp? = nil) -> Envelope {
        Envelope(sender: sender, sentAt: t ?? t0, payload: payload)
    }

    /// An edge server's own join.
    public func edgeJoin(_ key: NodeKey, _ name: String = "edge-1") -> JoinRequest {
        JoinRequest(nodeID: key.nodeID, role: .edgeServer, address: "tcp://\(name):1", version: "0.1.0", name: name, publicKey: key.publicKey)
    }

    /// An agent's join as an edge relays it: with the agent's own signed envelope as proof.
    /// - Parameters:
    ///   - signer: who signed the proof (default the agent: another key is an edge inventing agents).
    ///   - bucketSize: B in the relayed join (`signedBucketSize` is what the agent signed).
    public func agentJoin(_ agentKey: NodeKey, via edge: NodeID?, signedBy signer: NodeKey? = nil, signedBucketSize: UInt32 = 4,
                          bucketSize: UInt32? = nil, signedAt: Timestamp? = nil) -> JoinRequest {
        let signer = signer ?? agentKey
        var signed = JoinRequest(nodeID: signer.nodeID, role: .edgeAgent, address: "", version: "0.1.0", bucketSize: signedBucketSize,
                                 name: "agent-0", publicKey: signer.publicKey)
        var j = signed
        j.nodeID = agentKey.nodeID
        j.publicKey = agentKey.publicKey
        signed.via = nil
        j.agentProof = WireCodec.seal(Envelope(sender: signer.nodeID, sentAt: signedAt ?? t0, payload: .join(signed)), signedBy: signer)
        j.via = edge
        j.bucketSize = bucketSize ?? signedBucketSize
        return j
    }
}

extension CoordinatorInstance {
    /// A coordinator whose identity is `key`.
    public init(settings: Settings = Settings(), key: NodeKey, now: Timestamp) {
        self.init(settings: settings, identity: NodeIdentity(id: key.nodeID, publicKey: key.publicKey, name: "coordinator"), now: now)
    }

    /// `onRequest` for an envelope, with its relayed proof verified as the shell does.
    public mutating func onRequest(_ envelope: Envelope, now: Timestamp) -> (reply: Payload, directives: [Directive]) {
        onRequest(VerifiedRequest(envelope), now: now)
    }
}

extension EdgeInstance {
    /// An edge whose identity is `key`.
    public init(settings: Settings = Settings(), key: NodeKey, name: String = "edge-1", restoredLeases: EdgeLeases = EdgeLeases()) {
        self.init(settings: settings, identity: NodeIdentity(id: key.nodeID, publicKey: key.publicKey, name: name, address: "tcp://\(name):1"),
                  restoredLeases: restoredLeases)
    }

    /// `onAgentRequest` for an envelope (joins go through `onAgentJoin`).
    public mutating func onAgentRequest(_ envelope: Envelope, now: Timestamp) -> (reply: Payload, directives: [Directive]) {
        onAgentRequest(VerifiedRequest(envelope), now: now)
    }

    public func onAgentJoin(_ envelope: Envelope) -> Result<JoinRequest, FairwayError> { onAgentJoin(VerifiedRequest(envelope)) }

    /// Answers every call in `directives` with `answer` (in order) and returns the directives
    /// the results produced.
    @discardableResult
    public mutating func answer(_ directives: [Directive], now: Timestamp,
                                _ answer: (CoordinatorCall.Request) -> Result<Payload, FairwayError>) -> [Directive] {
        var out: [Directive] = []
        for case .call(let call) in directives { out += onCallResult(call.id, answer(call.request), now: now) }
        return out
    }

    /// Ticks at `now` and, if it asks to join, accepts (as `coordinator`, at `epoch`).
    public mutating func register(coordinator: NodeID, epoch: UInt64 = 4, heartbeatMilliseconds: Int64 = 1000, now: Timestamp) {
        answer(onTick(now: now), now: now) { _ in .success(.joinAccepted(JoinAccepted(coordinatorID: coordinator, heartbeatIntervalMilliseconds: heartbeatMilliseconds, epoch: epoch))) }
    }
}

extension Array where Element == EdgeInstance.Directive {
    /// The link's calls among these directives (contract calls are in `contractCalls`).
    public var calls: [CoordinatorCall.Request] { compactMap { if case .call(let c) = $0, !c.request.isContract { c.request } else { nil } } }
    /// The contract work's calls (offer and module polls, selections, uploads).
    public var contractCalls: [ContractWork.Request] { compactMap { if case .call(let c) = $0, case .contract(let r) = c.request { r } else { nil } } }
    /// Everything but wake-ups.
    public var effects: [EdgeInstance.Directive] { filter { if case .wake = $0 { false } else { true } } }
}

extension Array where Element == CoordinatorInstance.Directive {
    /// The members these directives persist.
    public var persistedMembers: [Member] { compactMap { if case .membership(.persist(let m)) = $0 { m } else { nil } } }
    /// The epoch grants these directives persist.
    public var grants: (record: EpochRecord, grants: [NodeID: UInt64])? {
        for case .tokens(.persistGrants(let r, let g, _)) in self { return (r, g) }
        return nil
    }
    /// Everything but wake-ups and logs.
    public var effects: [CoordinatorInstance.Directive] { filter { if case .wake = $0 { false } else if case .log = $0 { false } else { true } } }
}

extension Array where Element == AgentInstance.Directive {
    /// Everything but wake-ups.
    public var effects: [AgentInstance.Directive] { filter { if case .wake = $0 { false } else { true } } }
}
