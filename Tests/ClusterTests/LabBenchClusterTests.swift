import Foundation
import XCTest

/// Issue 14: `fairway-lab bench cluster` as a process, small: a coordinator, 4 edges and 40
/// agent identities in two agent processes, all real. Every identity must end alive at the
/// coordinator and attached at an edge, the edges must serve heartbeats and admissions, and
/// the epoch-to-lease figure must come from at least one epoch.
final class LabBenchClusterTests: XCTestCase {
    struct Result: Decodable {
        var agents, aliveAtCoordinator, attachedAtEdges, epochsMeasured: Int
        var heartbeatsPerSecond, admissionsPerSecond, rawRequestsPerSecond, clusterMicrosecondsPerRequest: Double
        var bytesPerIdentityAgent: Double
        var epochToLeaseMax: Double
        var daemons: [Daemon]
        struct Daemon: Decodable { var name: String; var cores, residentMiB: Double }
    }

    func testSmallClusterLoadReportsEveryAgentAliveAndTheFigures() async throws {
        let (status, out, err) = try await runTool("fairway-lab", ["bench", "cluster", "--agents", "40", "--seconds", "4", "--epoch-ms", "1000", "--json"],
                                                   timeout: .seconds(150))
        XCTAssertEqual(status, 0, "stderr:\n\(err)")
        let line = try XCTUnwrap(out.split(separator: "\n").last, "no JSON line:\n\(out)\n\(err)")
        let r = try JSONDecoder().decode(Result.self, from: Data(line.utf8))
        XCTAssertEqual(r.agents, 40)
        XCTAssertGreaterThanOrEqual(r.aliveAtCoordinator, 40)
        XCTAssertGreaterThanOrEqual(r.attachedAtEdges, 40)
        XCTAssertGreaterThan(r.heartbeatsPerSecond, 10, "40 agents heartbeat every 500 ms")
        XCTAssertGreaterThan(r.admissionsPerSecond, 10, "the workload spends tokens")
        XCTAssertGreaterThan(r.rawRequestsPerSecond, r.heartbeatsPerSecond, "the raw baseline is a capacity, not a load")
        XCTAssertGreaterThan(r.clusterMicrosecondsPerRequest, 0)
        XCTAssertGreaterThan(r.bytesPerIdentityAgent, 0)
        XCTAssertGreaterThanOrEqual(r.epochsMeasured, 1, "edges report epoch-to-lease")
        XCTAssertTrue(r.epochToLeaseMax.isFinite && r.epochToLeaseMax >= 0 && r.epochToLeaseMax < 10, "\(r.epochToLeaseMax)")
        XCTAssertEqual(Set(r.daemons.map(\.name)), ["coordinator", "edge-1", "edge-2", "edge-3", "edge-4", "load-1", "load-2", "reference"])
        XCTAssertTrue(r.daemons.allSatisfy { $0.residentMiB > 1 && $0.cores >= 0 })
    }
}
