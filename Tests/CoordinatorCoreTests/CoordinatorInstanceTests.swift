import CoordinatorCore
import FairwayCore
import FairwayTestSupport
import FairwayWire
import XCTest

/// Tier (a): the coordinator instance driven with manual time, no sockets.
final class CoordinatorInstanceTests: XCTestCase {
    let cast = Cast()
    var t0: Timestamp { cast.t0 }
    let coordinatorKey = testKey(1), edgeKey = testKey(2), agentKey = testKey(3)
    var edge: NodeID { edgeKey.nodeID }
    var agent: NodeID { agentKey.nodeID }

    func coordinator(_ settings: CoordinatorInstance.Settings = .init()) -> CoordinatorInstance {
        CoordinatorInstance(settings: settings, key: coordinatorKey, now: t0)
    }

    var edgeJoin: JoinRequest { cast.edgeJoin(edgeKey) }

    func agentJoin(via: NodeID?, signedBy key: NodeKey? = nil, bucketSize: UInt32? = nil, signedAt: Timestamp? = nil) -> JoinRequest {
        cast.agentJoin(agentKey, via: via, signedBy: key, bucketSize: bucketSize, signedAt: signedAt)
    }

    func testCoordinatorAdmitsAgentsOnlyThroughALiveEdge() {
        var c = coordinator()
        let agentJoin = agentJoin(via: edge)
        // Edge not joined yet: the relayed join is refused and nothing is persisted.
        var (reply, directives) = c.onRequest(cast.env(edge, .join(agentJoin)), now: t0)
        guard case .error(let e) = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(e.code, .unknownSender)
        XCTAssertTrue(directives.isEmpty)
        XCTAssertNil(c.membership.members[agent])

        (reply, directives) = c.onRequest(cast.env(edge, .join(edgeJoin)), now: t0)
        guard case .joinAccepted = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(directives.persistedMembers.map(\.id), [edge])

        // An agent cannot join for itself, bypassing an edge.
        (reply, _) = c.onRequest(cast.env(agent, .join(agentJoin)), now: t0)
        guard case .error(let e2) = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(e2.code, .unknownSender)

        (reply, _) = c.onRequest(cast.env(edge, .join(agentJoin)), now: t0)
        guard case .joinAccepted = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(c.membership.members[agent]?.via, edge)
    }

    func testCoordinatorRefusesImpersonationAndUnexpectedPayloads() {
        var c = coordinator()
        _ = c.onRequest(cast.env(edge, .join(edgeJoin)), now: t0)
        let before = c.membership.members
        let mallory = testKey(7).nodeID
        let cases: [(Envelope, FairwayError.Code, String)] = [
            (cast.env(mallory, .heartbeat(Heartbeat(nodeID: edge))), .invalidField, "heartbeat.node_id"),
            (cast.env(mallory, .heartbeat(Heartbeat(nodeID: mallory))), .unknownSender, "heartbeat.node_id"),
            (cast.env(mallory, .join(JoinRequest(nodeID: edge, role: .edgeServer, address: "x", version: "0.1.0"))), .invalidField, "join.node_id"),
            (cast.env(edge, .join(JoinRequest(nodeID: edge, role: .cloudCoordinator, address: "x", version: "0.1.0"))), .invalidField, "join.role"),
            (cast.env(edge, .join(JoinRequest(nodeID: edge, role: .edgeServer, address: "x", version: ""))), .invalidField, "join.version"),
            (cast.env(edge, .pong(Pong(nodeID: edge, role: .edgeServer, version: "0.1.0"))), .unexpectedPayload, "envelope.payload"),
            // A usage report or grant request from a key that never joined (even an empty one).
            (cast.env(mallory, .usageReport(UsageReport(usages: []))), .unknownSender, "envelope.sender"),
            (cast.env(mallory, .grantRequest(GrantRequest(agentIDs: []))), .unknownSender, "envelope.sender"),
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

    func testAgentJoinsAreBoundedBySubscriptionTiersAndCarryNoAddress() {
        var s = CoordinatorInstance.Settings()
        s.admission.bucketTiers = [4, 16]
        var c = coordinator(s)
        _ = c.onRequest(cast.env(edge, .join(edgeJoin)), now: t0)
        var withAddress = agentJoin(via: edge)
        withAddress.address = "tcp://agent:1"
        let cases: [(JoinRequest, String, String)] = [
            (cast.agentJoin(agentKey, via: edge, signedBucketSize: 0), "join.bucket_size", "B = 0"),
            (cast.agentJoin(agentKey, via: edge, signedBucketSize: 4_000_000_000), "join.bucket_size", "B = 4·10^9"),
            (cast.agentJoin(agentKey, via: edge, signedBucketSize: 8), "join.bucket_size", "B not a tier"),
            (withAddress, "join.address", "an agent with an address"),
        ]
        for (join, field, what) in cases {
            let (reply, directives) = c.onRequest(cast.env(edge, .join(join)), now: t0)
            guard case .error(let e) = reply else { XCTFail("accepted \(what)"); continue }
            XCTAssertEqual(e.code, .invalidField, what)
            XCTAssertEqual(e.field, field, what)
            XCTAssertTrue(directives.isEmpty, what)
        }
        XCTAssertNil(c.membership.members[agent])
        guard case .joinAccepted = c.onRequest(cast.env(edge, .join(cast.agentJoin(agentKey, via: edge, signedBucketSize: 16))), now: t0).reply else {
            return XCTFail("a tier was refused")
        }
    }

    func testCoordinatorAdvancesEpochsAndAnnouncesAndAsksToBeWoken() {
        var s = CoordinatorInstance.Settings()
        s.epochMilliseconds = 1000
        var c = coordinator(s)
        let first = c.onTick(now: t0)
        XCTAssertTrue(first.contains { if case .epoch(.announce) = $0 { true } else { false } })
        XCTAssertEqual(c.epoch, 0)
        guard case .wake(let wake)? = first.last else { return XCTFail("no wake-up: \(first)") }
        XCTAssertEqual(wake, t0.adding(milliseconds: 1000), "next: the boundary (announcements come every heartbeat, 1000 ms)")
        let next = c.onTick(now: t0.adding(milliseconds: 1000))
        XCTAssertEqual(c.epoch, 1)
        XCTAssertTrue(next.contains(.epoch(.persist(epoch: 1, startedAt: t0.adding(milliseconds: 1000)))))
        XCTAssertEqual(next.grants?.record.epoch, 1)
        let persist = next.firstIndex { if case .epoch(.persist) = $0 { true } else { false } }!
        let announce = next.firstIndex { if case .epoch(.announce) = $0 { true } else { false } }!
        XCTAssertLessThan(persist, announce, "the epoch is persisted before it is announced")
    }

    func testFailureDeadlinesWakeTheCoordinator() {
        var s = CoordinatorInstance.Settings()
        s.epochMilliseconds = 60_000
        s.membership.heartbeatIntervalMilliseconds = 10_000
        var c = coordinator(s)
        _ = c.onTick(now: t0)
        _ = c.onRequest(cast.env(edge, .join(edgeJoin)), now: t0)
        XCTAssertEqual(c.nextWake, t0.adding(milliseconds: 10_000), "the announcement comes first")
        s.membership.heartbeatIntervalMilliseconds = 1000
        s.membership.suspectAfterMisses = 1
        s.membership.deadAfterMisses = 2
        var d = coordinator(s)
        _ = d.onTick(now: t0)
        _ = d.onRequest(cast.env(edge, .join(edgeJoin)), now: t0.adding(milliseconds: 100))
        _ = d.onTick(now: t0.adding(milliseconds: 1000))
        XCTAssertEqual(d.nextWake, t0.adding(milliseconds: 1100), "suspicion at 1100 comes before the announcement at 2000")
        _ = d.onTick(now: t0.adding(milliseconds: 1100))
        XCTAssertEqual(d.membership.members[edge]?.state, .suspect)
        XCTAssertEqual(d.nextWake, t0.adding(milliseconds: 2000), "announcement at 2000, death at 2100")
    }

    func testCoordinatorChecksTheAgentsOwnSignatureOnRelayedJoins() {
        var c = coordinator()
        _ = c.onRequest(cast.env(edge, .join(edgeJoin)), now: t0)
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
            let (reply, directives) = c.onRequest(cast.env(edge, .join(join)), now: t0)
            guard case .error(let e) = reply else { XCTFail("accepted: \(what)"); continue }
            XCTAssertEqual(e.code, code, "\(what): \(e)")
            XCTAssertEqual(e.field, "join.agent_proof", "\(what): \(e)")
            XCTAssertTrue(directives.isEmpty, what)
        }
        XCTAssertEqual(c.membership.members, before, "refused joins change no state")
    }

    func testAllowListAdmitsOnlyListedKeys() {
        var s = CoordinatorInstance.Settings()
        s.admission.policy = .allowList([edgeKey.publicKey])
        var c = coordinator(s)
        guard case .joinAccepted = c.onRequest(cast.env(edge, .join(edgeJoin)), now: t0).reply else { return XCTFail("listed edge refused") }
        let (reply, directives) = c.onRequest(cast.env(edge, .join(agentJoin(via: edge))), now: t0)
        guard case .error(let e) = reply else { return XCTFail("unlisted agent admitted") }
        XCTAssertEqual(e.code, .notAdmitted)
        XCTAssertEqual(e.field, "join.public_key")
        XCTAssertTrue(directives.isEmpty)
        XCTAssertNil(c.membership.members[agent])
    }

    func testTheEpochBoundaryGrantsFromTheValuesValuationReturns() {
        var s = CoordinatorInstance.Settings()
        s.epochMilliseconds = 1000
        s.tokens.tokensPerEpoch = 9
        s.valuation.source = .configured
        s.valuation.configured.values = [agent: 2]
        s.valuation.configured.defaultValue = 1
        var c = coordinator(s)
        let other = testKey(4)
        _ = c.onRequest(cast.env(edge, .join(edgeJoin)), now: t0)
        _ = c.onRequest(cast.env(edge, .join(cast.agentJoin(agentKey, via: edge, signedBucketSize: 100))), now: t0)
        _ = c.onRequest(cast.env(edge, .join(cast.agentJoin(other, via: edge, signedBucketSize: 100))), now: t0)
        let values = c.valuation.onEpochBoundary(epoch: 1, agents: [agent, other.nodeID])
        XCTAssertEqual(values, [agent: 2, other.nodeID: 1])
        let grants = c.onTick(now: t0.adding(milliseconds: 1000)).grants?.grants
        XCTAssertEqual(grants, [agent: 6, other.nodeID: 3], "V = 9 split 2 : 1 (eq. 15)")
    }
}
