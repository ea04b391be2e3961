import FairwayCore
import FairwayControlJSON
import FairwayRuntime
import FairwayTestSupport
import FairwayWire
import Foundation
import XCTest

/// Tier (c): the built executables as real processes on loopback, killed with SIGKILL.
final class MultiProcessClusterTests: XCTestCase {
    func testClusterComesUpSurvivesEdgeKillAndCoordinatorRestart() async throws {
        // Real CLI: `fairwayctl cluster up` starts the processes and prints the coordinator URL.
        try await withProcessCluster("mp", ["--edges", "2", "--agents", "10"]) { try await exercise(dir: $0, printedURL: $1) }
    }

    func exercise(dir: String, printedURL url: String) async throws {
        var cluster = try LocalCluster.load(directory: dir)
        XCTAssertEqual(url, cluster.coordinatorURL)

        // 13 alive nodes within 10 s.
        await eventually(10, "13 alive nodes") {
            guard let nodes = await statusJSON(url) else { return false }
            return nodes.count == 13 && nodes.allSatisfy { $0.state == "alive" }
        }
        let nodes = await statusJSON(url) ?? []
        XCTAssertEqual(Dictionary(grouping: nodes, by: \.role).mapValues(\.count),
                       ["cloud-coordinator": 1, "edge-server": 2, "edge-agent": 10])
        XCTAssertTrue(nodes.allSatisfy { $0.version == FairwayVersion.current && $0.last_heartbeat_unix_ms > 0 })

        // kill -9 edge-1: dead within the configured timeout; its agents re-join through edge-2.
        let plan = LocalCluster.Plan(directory: dir)
        let deadTimeout = Double(plan.heartbeatIntervalMilliseconds * Int64(plan.deadAfterMisses)) / 1000
        try cluster.signal("edge-1", SIGKILL)
        let elapsed = await eventually(deadTimeout + 5, "edge-1 reported dead") {
            await statusJSON(url)?.named("edge-1")?.state == "dead"
        }
        if let elapsed {
            // Not before the silence can have reached the timeout (the last heartbeat is at most one
            // interval old at the kill), and within the timeout plus polling slack.
            print("edge-1 reported dead \(elapsed) after SIGKILL (configured dead timeout \(deadTimeout)s)")
            XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(Int64(deadTimeout * 1000) - plan.heartbeatIntervalMilliseconds - 100))
            XCTAssertLessThanOrEqual(elapsed, .milliseconds(Int64(deadTimeout * 1000) + 1500), "dead after \(elapsed)")
        }
        await eventually(10, "every agent alive via edge-2") {
            guard let nodes = await statusJSON(url), let edge2 = nodes.named("edge-2") else { return false }
            let agents = nodes.filter { $0.role == "edge-agent" }
            return agents.count == 10 && agents.allSatisfy { $0.state == "alive" && $0.via == edge2.id }
        }

        // Restarted with the same data directory, edge-1 is alive again.
        try cluster.restart("edge-1")
        await eventually(10, "edge-1 alive again") {
            await statusJSON(url)?.named("edge-1")?.state == "alive"
        }

        // kill -9 the coordinator: restarted on its data directory, it still knows all 13 nodes.
        try cluster.signal("coordinator", SIGKILL)
        try await Task.sleep(for: .milliseconds(300))
        try cluster.restart("coordinator")
        await eventually(10, "restarted coordinator knows 13 nodes, all alive") {
            guard let nodes = await statusJSON(url) else { return false }
            return nodes.count == 13 && nodes.allSatisfy { $0.state == "alive" }
        }

        // Hostile bytes to each real listening socket get an error reply; the daemons keep serving.
        for target in [url] + cluster.edgeURLs {
            let c = try RequestClient(url: target, identity: NodeKey(), settings: TransportSettings())
            defer { c.close() }
            let reply = try SessionFrame.decode(try await c.exchange(Array("\u{0}garbage\u{FF}".utf8)), maxBytes: 1 << 22)
            guard case .error(let e) = reply else { XCTFail("\(target) accepted garbage"); continue }
            XCTAssertEqual(e.code, .malformed)
            guard case .pong = try await c.call(.ping) else { XCTFail("\(target) stopped serving"); continue }
        }

        // `fairwayctl cluster down` stops every process, each gracefully on SIGTERM.
        let (downCode, _, downErr) = try await runTool("fairwayctl", ["cluster", "down", "--dir", dir])
        XCTAssertEqual(downCode, 0, downErr)
        XCTAssertFalse(downErr.contains("killed after the grace period"), downErr)
        cluster = try LocalCluster.load(directory: dir)
        for p in cluster.processes {
            XCTAssertFalse(ProcessSpawner.isAlive(p.pid), "\(p.name) still running")
        }
    }

    func testDaemonsRefuseBadConfigurationWithAClearError() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-cfg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bad = dir.appendingPathComponent("bad.yaml")
        try "membership:\n  heartbeat_interval_ms: 0\n".write(to: bad, atomically: true, encoding: .utf8)
        let (code, _, err) = try await runTool("cloud-coordinator", ["--config", bad.path, "--data-dir", dir.path])
        XCTAssertNotEqual(code, 0)
        XCTAssertTrue(err.contains("membership.heartbeat_interval_ms"), err)
        let (code2, _, err2) = try await runTool("edge-agent", ["--count", "0", "--data-dir", dir.path])
        XCTAssertNotEqual(code2, 0)
        XCTAssertTrue(err2.contains("count"), err2)
    }
}
