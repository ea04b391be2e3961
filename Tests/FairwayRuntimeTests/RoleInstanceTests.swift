import CloudCoordinator
import EdgeAgent
import EdgeServer
import FairwayCore
import FairwayRuntime
import FairwayWire
import XCTest

/// Tier (a): the role instances driven with manual time, no sockets.
final class RoleInstanceTests: XCTestCase {
    let t0 = Timestamp(unixMilliseconds: 5_000_000)
    let coordinatorKey = testKey(1), edgeKey = testKey(2), agentKey = testKey(3)
    var coordinatorID: NodeID { coordinatorKey.nodeID }
    var edge: NodeID { edgeKey.nodeID }
    var agent: NodeID { agentKey.nodeID }

    func env(_ sender: NodeID, _ payload: Payload) -> Envelope { Envelope(sender: sender, sentAt: t0, payload: payload) }

    func coordinator(_ settings: CoordinatorSettings = CoordinatorSettings()) -> CoordinatorInstance {
        CoordinatorInstance(settings: settings, id: coordinatorID, publicKey: coordinatorKey.publicKey, now: t0)
    }

    var edgeJoin: JoinRequest {
        JoinRequest(nodeID: edge, role: .edgeServer, address: "tcp://e:1", version: "0.1.0", name: "edge-1", publicKey: edgeKey.publicKey)
    }

    /// An agent's join as the edge relays it: with the agent's own signed envelope as proof.
    func agentJoin(via: NodeID?, signedBy key: NodeKey? = nil, bucketSize: UInt32 = 4, signedAt: Timestamp? = nil) -> JoinRequest {
        var j = JoinRequest(nodeID: agent, role: .edgeAgent, address: "", version: "0.1.0", bucketSize: 4, name: "agent-0", publicKey: agentKey.publicKey)
        let signer = key ?? agentKey
        var signedJoin = j
        signedJoin.nodeID = signer.nodeID
        signedJoin.publicKey = signer.publicKey
        j.agentProof = WireCodec.seal(Envelope(sender: signer.nodeID, sentAt: signedAt ?? t0, payload: .join(signedJoin)), signedBy: signer)
        j.via = via
        j.bucketSize = bucketSize
        return j
    }

    // MARK: coordinator

    func testCoordinatorAdmitsAgentsOnlyThroughALiveEdge() {
        var c = coordinator()
        let agentJoin = agentJoin(via: edge)
        // Edge not joined yet: the relayed join is refused and nothing is persisted.
        var (reply, directives) = c.onRequest(env(edge, .join(agentJoin)), now: t0)
        guard case .error(let e) = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(e.code, .unknownSender)
        XCTAssertTrue(directives.isEmpty)
        XCTAssertNil(c.membership.members[agent])

        (reply, directives) = c.onRequest(env(edge, .join(edgeJoin)), now: t0)
        guard case .joinAccepted = reply else { return XCTFail("\(reply)") }
        XCTAssertTrue(directives.contains { if case .persistMember(let m) = $0 { m.id == edge } else { false } })

        // An agent cannot join for itself, bypassing an edge.
        (reply, _) = c.onRequest(env(agent, .join(agentJoin)), now: t0)
        guard case .error(let e2) = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(e2.code, .unknownSender)

        (reply, _) = c.onRequest(env(edge, .join(agentJoin)), now: t0)
        guard case .joinAccepted = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(c.membership.members[agent]?.via, edge)
    }

    func testCoordinatorRefusesImpersonationAndUnexpectedPayloads() {
        var c = coordinator()
        _ = c.onRequest(env(edge, .join(edgeJoin)), now: t0)
        let before = c.membership.members
        let cases: [(Envelope, FairwayError.Code, String)] = [
            (env(NodeID(unchecked: "mallory"), .heartbeat(Heartbeat(nodeID: edge))), .invalidField, "heartbeat.node_id"),
            (env(NodeID(unchecked: "mallory"), .heartbeat(Heartbeat(nodeID: NodeID(unchecked: "mallory")))), .unknownSender, "heartbeat.node_id"),
            (env(NodeID(unchecked: "mallory"), .join(JoinRequest(nodeID: edge, role: .edgeServer, address: "x", version: "0.1.0"))), .invalidField, "join.node_id"),
            (env(edge, .join(JoinRequest(nodeID: edge, role: .cloudCoordinator, address: "x", version: "0.1.0"))), .invalidField, "join.role"),
            (env(edge, .pong(Pong(nodeID: edge, role: .edgeServer, version: "0.1.0"))), .unexpectedPayload, "envelope.payload"),
        ]
        for (request, code, field) in cases {
            let (reply, directives) = c.onRequest(request, now: t0)
            guard case .error(let e) = reply else { XCTFail("accepted \(request.payload)"); continue }
            XCTAssertEqual(e.code, code, "\(e)")
            XCTAssertEqual(e.field, field, "\(e)")
            XCTAssertTrue(directives.isEmpty)
        }
        XCTAssertEqual(c.membership.members, before, "refused requests change no state")
    }

    func testCoordinatorAdvancesEpochsAndAnnounces() {
        var s = CoordinatorSettings()
        s.epochMilliseconds = 1000
        var c = coordinator(s)
        let first = c.onTick(now: t0)
        XCTAssertTrue(first.contains { if case .publish = $0 { true } else { false } })
        XCTAssertEqual(c.epoch, 0)
        let next = c.onTick(now: t0.adding(milliseconds: 1000))
        XCTAssertEqual(c.epoch, 1)
        XCTAssertTrue(next.contains { if case .persistEpoch(let r, _, _) = $0 { r.epoch == 1 && r.startedAt == t0.adding(milliseconds: 1000) } else { false } })
    }

    func testCoordinatorChecksTheAgentsOwnSignatureOnRelayedJoins() {
        var c = coordinator()
        _ = c.onRequest(env(edge, .join(edgeJoin)), now: t0)
        let before = c.membership.members
        var noProof = agentJoin(via: edge)
        noProof.agentProof = []
        var tampered = agentJoin(via: edge)
        tampered.agentProof[tampered.agentProof.count - 1] ^= 1
        let cases: [(JoinRequest, FairwayError.Code, String)] = [
            (noProof, .unauthenticated, "no proof at all"),
            (tampered, .unauthenticated, "signature broken"),
            (agentJoin(via: edge, signedBy: testKey(9)), .unauthenticated, "signed by another key (the edge inventing an agent)"),
            (agentJoin(via: edge, bucketSize: 400), .unauthenticated, "edge changed the bucket size the agent asked for"),
            (agentJoin(via: edge, signedAt: t0.adding(milliseconds: -10 * 60_000)), .stale, "an old proof replayed"),
        ]
        for (join, code, what) in cases {
            let (reply, directives) = c.onRequest(env(edge, .join(join)), now: t0)
            guard case .error(let e) = reply else { XCTFail("accepted: \(what)"); continue }
            XCTAssertEqual(e.code, code, "\(what): \(e)")
            XCTAssertEqual(e.field, "join.agent_proof", "\(what): \(e)")
            XCTAssertTrue(directives.isEmpty, what)
        }
        XCTAssertEqual(c.membership.members, before, "refused joins change no state")
    }

    func testAllowListAdmitsOnlyListedKeys() {
        var s = CoordinatorSettings()
        s.admission = .allowList([edgeKey.publicKey])
        var c = coordinator(s)
        guard case .joinAccepted = c.onRequest(env(edge, .join(edgeJoin)), now: t0).reply else { return XCTFail("listed edge refused") }
        let (reply, directives) = c.onRequest(env(edge, .join(agentJoin(via: edge))), now: t0)
        guard case .error(let e) = reply else { return XCTFail("unlisted agent admitted") }
        XCTAssertEqual(e.code, .notAdmitted)
        XCTAssertEqual(e.field, "join.public_key")
        XCTAssertTrue(directives.isEmpty)
        XCTAssertNil(c.membership.members[agent])
    }

    func testEdgeBelievesEpochAnnouncementsOnlyFromItsCoordinator() {
        var e = registeredEdge()
        let epoch = e.epoch
        XCTAssertFalse(e.onEpochAnnouncement(EpochAnnouncement(epoch: 99, startedAt: t0, aliveMembers: 1), from: testKey(9).nodeID, now: t0))
        XCTAssertEqual(e.epoch, epoch)
        XCTAssertTrue(e.onEpochAnnouncement(EpochAnnouncement(epoch: epoch + 1, startedAt: t0, aliveMembers: 1), from: coordinatorID, now: t0))
        XCTAssertEqual(e.epoch, epoch + 1)
    }

    // MARK: edge

    func registeredEdge() -> EdgeInstance {
        var e = EdgeInstance(settings: EdgeServerSettings(), id: edge, publicKey: edgeKey.publicKey)
        let d = e.onTick(now: t0)
        guard case .joinCoordinator = d.first else { XCTFail("\(d)"); return e }
        _ = e.onCoordinatorResult(.success(.joinAccepted(JoinAccepted(coordinatorID: coordinatorID, heartbeatIntervalMilliseconds: 1000, epoch: 4))), now: t0)
        XCTAssertTrue(e.registered)
        return e
    }

    func testEdgeRefusesAgentsUntilRegisteredThenRelaysWithItselfAsVia() {
        var e = EdgeInstance(settings: EdgeServerSettings(), id: edge, publicKey: edgeKey.publicKey)
        let join = JoinRequest(nodeID: agent, role: .edgeAgent, address: "", version: "0.1.0", bucketSize: 4)
        guard case .reply(.error(let err)) = e.onAgentRequest(env(agent, .join(join)), now: t0) else { return XCTFail() }
        XCTAssertEqual(err.code, .unavailable)
        XCTAssertGreaterThan(err.retryAfterMilliseconds, 0)

        e = registeredEdge()
        guard case .relayJoin(let relayed) = e.onAgentRequest(env(agent, .join(join)), now: t0) else { return XCTFail() }
        XCTAssertEqual(relayed.via, e.id)
        // Heartbeat before the coordinator accepted the join: unknown.
        guard case .reply(.error(let unknown)) = e.onAgentRequest(env(agent, .heartbeat(Heartbeat(nodeID: agent))), now: t0) else { return XCTFail() }
        XCTAssertEqual(unknown.code, .unknownSender)
        let reply = e.onAgentJoinResult(relayed, result: .success(JoinAccepted(coordinatorID: coordinatorID, heartbeatIntervalMilliseconds: 1000, epoch: 4)), now: t0)
        guard case .joinAccepted = reply else { return XCTFail("\(reply)") }
        guard case .reply(.heartbeatAck) = e.onAgentRequest(env(agent, .heartbeat(Heartbeat(nodeID: agent))), now: t0) else { return XCTFail() }
    }

    func testEdgeVouchesForRecentAgentsAndForgetsSilentOnes() {
        var e = registeredEdge()
        let join = JoinRequest(nodeID: agent, role: .edgeAgent, address: "", version: "0.1.0", via: e.id, bucketSize: 4)
        _ = e.onAgentJoinResult(join, result: .success(JoinAccepted(coordinatorID: coordinatorID, heartbeatIntervalMilliseconds: 1000, epoch: 4)), now: t0)
        let d = e.onTick(now: t0.adding(milliseconds: 1000))
        XCTAssertEqual(d.first, .heartbeatCoordinator(Heartbeat(nodeID: e.id, agentIDs: [agent])))
        XCTAssertTrue(d.contains(.fetchGrants(GrantRequest(agentIDs: [agent]))), "a new agent's tokens are fetched")
        for r in d.dropFirst() { _ = e.onCoordinatorResult(.success(.grantReply(GrantReply(epoch: 4, leases: [], nextEpochAt: t0))), for: r, now: t0) }
        // No second heartbeat while the first is in flight.
        XCTAssertEqual(e.onTick(now: t0.adding(milliseconds: 2500)), [])
        _ = e.onCoordinatorResult(.success(.heartbeatAck(HeartbeatAck(epoch: 4))), now: t0.adding(milliseconds: 2500))
        let d2 = e.onTick(now: t0.adding(milliseconds: 2600))
        XCTAssertEqual(d2, [.heartbeatCoordinator(Heartbeat(nodeID: e.id, agentIDs: []))], "silent for 2 intervals: no longer vouched")
        _ = e.onCoordinatorResult(.success(.heartbeatAck(HeartbeatAck(epoch: 4))), now: t0.adding(milliseconds: 2600))
        _ = e.onTick(now: t0.adding(milliseconds: 5000))
        XCTAssertNil(e.agents[agent], "forgotten after agent_expiry_misses intervals")
    }

    func testEdgeReJoinsWhenTheCoordinatorForgotIt() {
        var e = registeredEdge()
        _ = e.onTick(now: t0.adding(milliseconds: 1000))
        _ = e.onCoordinatorResult(.failure(FairwayError(.unknownSender, "who?")), now: t0.adding(milliseconds: 1000))
        XCTAssertFalse(e.registered)
        guard case .joinCoordinator = e.onTick(now: t0.adding(milliseconds: 1001)).first else { return XCTFail() }
    }

    // MARK: agent

    func testAgentFailsOverAfterSilenceButNotAfterOneRefusal() {
        var s = EdgeAgentSettings()
        s.edges = ["tcp://a:1", "tcp://b:1"]
        s.failoverAfterFailures = 2
        var a = AgentInstance(id: agent, settings: s, firstEdge: 0)
        guard case .send(0, .join) = a.onTick(now: t0).first else { return XCTFail() }
        _ = a.onReply(.failure(FairwayError(.unavailable, "not registered")), now: t0)
        XCTAssertEqual(a.edge, 0, "a refusal alone does not move the agent")
        var now = t0
        for _ in 0..<2 {
            now = now.adding(milliseconds: 1000)
            guard case .send(let edge, _) = a.onTick(now: now).first else { return XCTFail() }
            XCTAssertEqual(edge, 0)
            _ = a.onReply(.failure(FairwayError(.noReply, "timeout")), now: now)
        }
        XCTAssertEqual(a.edge, 1, "two silent exchanges move it to the next edge")
        guard case .send(1, .join) = a.onTick(now: now).first else { return XCTFail("re-joins at once on the new edge") }
        _ = a.onReply(.success(.joinAccepted(JoinAccepted(coordinatorID: NodeID(unchecked: "c"), heartbeatIntervalMilliseconds: 250, epoch: 0))), now: now)
        XCTAssertTrue(a.joined)
        XCTAssertEqual(a.heartbeatIntervalMilliseconds, 250)
        XCTAssertEqual(a.onTick(now: now.adding(milliseconds: 249)), [])
        guard case .send(1, .heartbeat) = a.onTick(now: now.adding(milliseconds: 250)).first else { return XCTFail() }
        _ = a.onReply(.failure(FairwayError(.unknownSender, "edge restarted")), now: now)
        XCTAssertFalse(a.joined)
        XCTAssertEqual(a.edge, 1, "unknown-sender means re-join the same edge")
    }
}
