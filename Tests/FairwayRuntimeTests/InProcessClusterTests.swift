import CloudCoordinator
import EdgeAgent
import EdgeServer
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
import FairwayWire
import Foundation
import XCTest

/// Tier (b): real daemons' shells in one process over nng inproc:// and ipc://.
final class InProcessClusterTests: XCTestCase {
    func coordinatorSettings(_ base: String, dir: String) -> CoordinatorSettings {
        var s = CoordinatorSettings()
        s.controlURL = "\(base)-control"
        s.epochURL = "\(base)-epoch"
        s.dataDirectory = dir
        s.membership.heartbeatIntervalMilliseconds = 100
        s.membership.suspectAfterMisses = 3
        s.membership.deadAfterMisses = 6
        return s
    }

    func edgeSettings(_ id: String, base: String, coordinator: CoordinatorSettings, dir: String) throws -> EdgeServerSettings {
        var e = EdgeServerSettings()
        e.name = id
        e.listenURL = "\(base)-\(id)"
        e.coordinatorURL = coordinator.controlURL
        e.coordinatorEpochURL = coordinator.epochURL
        e.dataDirectory = dir
        e.heartbeatIntervalMilliseconds = 100
        return e
    }

    /// A coordinator and `edges` edge servers on `base`-named sockets, data under `dir` (not started).
    func nodes(base: String, dir: String, edges: Int) throws -> (CoordinatorSettings, CoordinatorNode, [EdgeServerNode]) {
        let cs = coordinatorSettings(base, dir: "\(dir)/coordinator")
        let edgeNodes = try (1...edges).map { i in
            try EdgeServerNode(settings: try edgeSettings("edge-\(i)", base: base, coordinator: cs, dir: "\(dir)/e\(i)"), logger: quietLogger)
        }
        return (cs, try CoordinatorNode(settings: cs, logger: quietLogger), edgeNodes)
    }

    func testClusterFormsOverInprocAndAgentsFailOverWhenTheirEdgeStops() async throws {
        let dir = temporaryDirectory()
        let base = "inproc://fw-\(UUID().uuidString.prefix(8))"
        let (cs, coordinator, edges) = try nodes(base: base, dir: dir, edges: 2)
        let (e1, e2) = (edges[0], edges[1])
        var a = EdgeAgentSettings()
        a.count = 6
        a.namePrefix = "a"
        a.edges = ["\(base)-edge-1", "\(base)-edge-2"]
        a.dataDirectory = "\(dir)/agents"
        a.heartbeatIntervalMilliseconds = 100
        // Long enough that a relayed join on a loaded 2-core CI machine does not time out (a
        // timed-out join fails over, and with 200 ms every identity once ended on edge-2).
        a.transport.requestTimeoutMilliseconds = 750
        let agents = try AgentHost(settings: a, logger: quietLogger)

        try await coordinator.start()  // inproc: listeners must exist before dialers connect
        var running = [Running { try await coordinator.run() }, Running { try await e2.run() }]
        let edge1 = Running { try await e1.run() }
        let ctl = try client(cs.controlURL)
        defer { ctl.close() }
        // Agents come once both edges serve, so that identities spread over them.
        await eventually(10, "both edges registered") { try await status(ctl).filter { $0.role == .edgeServer && $0.state == .alive }.count == 2 }
        running.append(Running { try await agents.run() })

        await eventually(10, "1 coordinator + 2 edges + 6 agents alive") {
            let nodes = try await status(ctl)
            return nodes.count == 9 && nodes.allSatisfy { $0.state == .alive }
        }
        let before = try await status(ctl)
        // Identity i prefers edge i mod 2; under load a join that times out fails over to the other
        // edge, which is correct, so only require that edge-1 has agents to move.
        XCTAssertGreaterThan(before.filter { $0.via == e1.identity.nodeID }.count, 0, "some identities joined through edge-1")

        await edge1.stop()
        await eventually(10, "edge-1 dead, all agents alive via edge-2") {
            let nodes = try await status(ctl)
            let edge = nodes.first { $0.name == "edge-1" }
            let agents = nodes.filter { $0.role == .edgeAgent }
            return edge?.state == .dead && agents.count == 6 && agents.allSatisfy { $0.state == .alive && $0.via == e2.identity.nodeID }
        }
        for r in running { await r.stop() }
    }

    func testRestartedCoordinatorKnowsItsClusterFromSQLite() async throws {
        let dir = temporaryDirectory()
        let (cs, c1, edges) = try nodes(base: "ipc://\(dir)/fw", dir: dir, edges: 1)
        let edge = edges[0]
        let r1 = Running { try await c1.run() }
        let re = Running { try await edge.run() }
        let ctl = try client(cs.controlURL)
        defer { ctl.close() }
        await eventually(10, "edge joined") { try await status(ctl).contains { $0.name == "edge-1" && $0.state == .alive } }
        await r1.stop()

        // A new coordinator process on the same data directory.
        let c2 = try CoordinatorNode(settings: cs, logger: quietLogger)
        let restored = await c2.status()
        XCTAssertTrue(restored.contains { $0.name == "edge-1" && $0.role == .edgeServer }, "membership survives a restart")
        let r2 = Running { try await c2.run() }
        await eventually(10, "edge keeps heartbeating to the new coordinator") {
            try await status(ctl).contains { $0.name == "edge-1" && $0.state == .alive }
        }
        await re.stop()
        await r2.stop()
    }
}
