import CoordinatorCore
import FairwayCore
import XCTest

final class MembershipTests: XCTestCase {
    let t0 = Timestamp(unixMilliseconds: 1_000_000)
    var settings: Membership.Settings {
        var s = Membership.Settings()
        s.heartbeatIntervalMilliseconds = 1000
        s.suspectAfterMisses = 3
        s.deadAfterMisses = 5
        return s
    }

    func coordinator(_ now: Timestamp) -> Member {
        Member(id: NodeID(unchecked: "coordinator"), role: .cloudCoordinator, address: "tcp://c:1", version: "0.1.0", lastHeartbeat: now, joinedAt: now)
    }

    func edgeJoin(_ id: String) -> JoinRequest {
        JoinRequest(nodeID: NodeID(unchecked: id), role: .edgeServer, address: "tcp://\(id):7410", version: "0.1.0")
    }

    func agentJoin(_ id: String, via: String) -> JoinRequest {
        JoinRequest(nodeID: NodeID(unchecked: id), role: .edgeAgent, address: "", version: "0.1.0", via: NodeID(unchecked: via), bucketSize: 4)
    }

    func state(_ m: Membership, _ id: String) -> MemberState? { m.members[NodeID(unchecked: id)]?.state }

    func testSilenceMovesAliveToSuspectToDeadAtConfiguredThresholds() {
        var m = Membership(settings: settings, coordinator: coordinator(t0), now: t0)
        let persisted = m.onJoin(edgeJoin("edge-1"), now: t0)
        XCTAssertEqual(persisted.count, 1)
        XCTAssertEqual(state(m, "edge-1"), .alive)
        _ = m.onTick(now: t0.adding(milliseconds: 2999))
        XCTAssertEqual(state(m, "edge-1"), .alive)
        let toSuspect = m.onTick(now: t0.adding(milliseconds: 3000))
        XCTAssertEqual(state(m, "edge-1"), .suspect)
        XCTAssertTrue(toSuspect.contains(.transition(NodeID(unchecked: "edge-1"), from: .alive, to: .suspect)))
        _ = m.onTick(now: t0.adding(milliseconds: 4999))
        XCTAssertEqual(state(m, "edge-1"), .suspect)
        _ = m.onTick(now: t0.adding(milliseconds: 5000))
        XCTAssertEqual(state(m, "edge-1"), .dead)
        // The coordinator itself never goes silent.
        XCTAssertEqual(state(m, "coordinator"), .alive)
        // No repeated transitions once dead.
        XCTAssertTrue(m.onTick(now: t0.adding(milliseconds: 60_000)).isEmpty)
    }

    func testHeartbeatRevivesAndJoinIsIdempotent() throws {
        var m = Membership(settings: settings, coordinator: coordinator(t0), now: t0)
        _ = m.onJoin(edgeJoin("edge-1"), now: t0)
        _ = m.onTick(now: t0.adding(milliseconds: 6000))
        XCTAssertEqual(state(m, "edge-1"), .dead)
        let (_, d) = try m.onHeartbeat(Heartbeat(nodeID: NodeID(unchecked: "edge-1")), now: t0.adding(milliseconds: 6100))
        XCTAssertEqual(state(m, "edge-1"), .alive)
        XCTAssertTrue(d.contains(.transition(NodeID(unchecked: "edge-1"), from: .dead, to: .alive)))
        _ = m.onJoin(edgeJoin("edge-1"), now: t0.adding(milliseconds: 7000))
        XCTAssertEqual(m.members.count, 2)
        XCTAssertEqual(m.members[NodeID(unchecked: "edge-1")]?.joinedAt, t0, "re-join keeps the first join time")
    }

    func testHeartbeatFromUnknownNodeIsRefusedAndChangesNothing() {
        var m = Membership(settings: settings, coordinator: coordinator(t0), now: t0)
        let before = m.members
        XCTAssertThrowsError(try m.onHeartbeat(Heartbeat(nodeID: NodeID(unchecked: "stranger")), now: t0)) { error in
            XCTAssertEqual((error as? FairwayError)?.code, .unknownSender)
            XCTAssertEqual((error as? FairwayError)?.field, "heartbeat.node_id")
        }
        XCTAssertEqual(m.members, before)
    }

    func testEdgeVouchesOnlyForItsOwnAgents() throws {
        var m = Membership(settings: settings, coordinator: coordinator(t0), now: t0)
        _ = m.onJoin(edgeJoin("edge-1"), now: t0)
        _ = m.onJoin(edgeJoin("edge-2"), now: t0)
        _ = m.onJoin(agentJoin("a", via: "edge-1"), now: t0)
        _ = m.onJoin(agentJoin("b", via: "edge-2"), now: t0)
        let later = t0.adding(milliseconds: 2500)
        let (unknown, _) = try m.onHeartbeat(Heartbeat(nodeID: NodeID(unchecked: "edge-1"), agentIDs: [NodeID(unchecked: "a"), NodeID(unchecked: "b"), NodeID(unchecked: "ghost")]), now: later)
        XCTAssertEqual(unknown, [NodeID(unchecked: "b"), NodeID(unchecked: "ghost")])
        XCTAssertEqual(m.members[NodeID(unchecked: "a")]?.lastHeartbeat, later)
        XCTAssertEqual(m.members[NodeID(unchecked: "b")]?.lastHeartbeat, t0, "edge-1 cannot keep edge-2's agent alive")
    }

    func testAgentFailoverMovesItUnderTheNewEdge() throws {
        var m = Membership(settings: settings, coordinator: coordinator(t0), now: t0)
        _ = m.onJoin(edgeJoin("edge-1"), now: t0)
        _ = m.onJoin(edgeJoin("edge-2"), now: t0)
        _ = m.onJoin(agentJoin("a", via: "edge-1"), now: t0)
        _ = m.onJoin(agentJoin("a", via: "edge-2"), now: t0.adding(milliseconds: 100))
        XCTAssertEqual(m.members[NodeID(unchecked: "a")]?.via, NodeID(unchecked: "edge-2"))
        let (unknown, _) = try m.onHeartbeat(Heartbeat(nodeID: NodeID(unchecked: "edge-1"), agentIDs: [NodeID(unchecked: "a")]), now: t0.adding(milliseconds: 200))
        XCTAssertEqual(unknown, [NodeID(unchecked: "a")])
    }

    func testRestoredMembersGetAGracePeriodButDeadStayDead() {
        let old = t0.adding(milliseconds: -60_000)
        let restored = [
            Member(id: NodeID(unchecked: "edge-1"), role: .edgeServer, address: "x", version: "0.1.0", state: .alive, lastHeartbeat: old, joinedAt: old),
            Member(id: NodeID(unchecked: "edge-2"), role: .edgeServer, address: "y", version: "0.1.0", state: .dead, lastHeartbeat: old, joinedAt: old),
        ]
        var m = Membership(settings: settings, coordinator: coordinator(t0), restored: restored, now: t0)
        _ = m.onTick(now: t0.adding(milliseconds: 100))
        XCTAssertEqual(state(m, "edge-1"), .alive)
        XCTAssertEqual(state(m, "edge-2"), .dead)
        _ = m.onTick(now: t0.adding(milliseconds: 5000))
        XCTAssertEqual(state(m, "edge-1"), .dead, "a restored member that never heartbeats again still dies")
    }

    func testSettingsValidation() {
        var s = Membership.Settings()
        XCTAssertNoThrow(try s.validate())
        s.deadAfterMisses = s.suspectAfterMisses
        XCTAssertThrowsError(try s.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "membership.dead_after_misses") }
        s = Membership.Settings()
        s.heartbeatIntervalMilliseconds = 0
        XCTAssertThrowsError(try s.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "membership.heartbeat_interval_ms") }
    }

    func testStatusOrdersCoordinatorEdgesAgents() {
        var m = Membership(settings: settings, coordinator: coordinator(t0), now: t0)
        _ = m.onJoin(agentJoin("a", via: "edge-1"), now: t0)
        _ = m.onJoin(edgeJoin("edge-1"), now: t0)
        XCTAssertEqual(m.status().map(\.role), [.cloudCoordinator, .edgeServer, .edgeAgent])
    }
}
