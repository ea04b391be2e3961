import CloudCoordinator
import EdgeAgent
import EdgeServer
import FairwayCore
import FairwayRuntime
import Foundation
import XCTest

final class ConfigTests: XCTestCase {
    func repoFile(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(path).path
    }

    func testShippedConfigsLoadAndValidate() throws {
        var c = CoordinatorSettings()
        try c.apply(try ConfigFile.load(CoordinatorConfig.self, from: repoFile("configs/cloud-coordinator.yaml"), knownKeys: CoordinatorConfig.knownKeys))
        try c.validate()
        var e = EdgeServerSettings()
        try e.apply(try ConfigFile.load(EdgeServerConfig.self, from: repoFile("configs/edge-server.yaml"), knownKeys: EdgeServerConfig.knownKeys))
        try e.validate()
        var a = EdgeAgentSettings()
        try a.apply(try ConfigFile.load(EdgeAgentConfig.self, from: repoFile("configs/edge-agent.yaml"), knownKeys: EdgeAgentConfig.knownKeys))
        try a.validate()
    }

    func testYAMLOverlaysDefaults() throws {
        let yaml = """
        name: coord-a
        membership:
          heartbeat_interval_ms: 250
        transport:
          workers: 3
        """
        var s = CoordinatorSettings()
        try s.apply(try ConfigFile.decode(CoordinatorConfig.self, yaml: yaml, knownKeys: CoordinatorConfig.knownKeys))
        XCTAssertEqual(s.name, "coord-a")
        XCTAssertEqual(s.membership.heartbeatIntervalMilliseconds, 250)
        XCTAssertEqual(s.membership.deadAfterMisses, Membership.Settings().deadAfterMisses)
        XCTAssertEqual(s.transport.workers, 3)
        XCTAssertEqual(s.controlURL, CoordinatorSettings().controlURL)
    }

    func testUnknownKeyIsRefusedByName() {
        XCTAssertThrowsError(try ConfigFile.decode(CoordinatorConfig.self, yaml: "membership:\n  heartbeat_intervall_ms: 5\n", knownKeys: CoordinatorConfig.knownKeys)) {
            XCTAssertEqual(($0 as? ConfigError)?.field, "membership.heartbeat_intervall_ms")
        }
    }

    func testWrongTypeNamesTheField() {
        XCTAssertThrowsError(try ConfigFile.decode(EdgeAgentConfig.self, yaml: "count: many\n", knownKeys: EdgeAgentConfig.knownKeys)) {
            XCTAssertEqual(($0 as? ConfigError)?.field, "count", "\($0)")
        }
    }

    func testOutOfRangeValuesAreRefusedAtValidation() {
        var a = EdgeAgentSettings()
        a.count = 0
        XCTAssertThrowsError(try a.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "count") }
        a = EdgeAgentSettings()
        a.edges = ["http://x"]
        XCTAssertThrowsError(try a.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "edges[0]") }
        var t = TransportSettings()
        t.maxMessageBytes = 0
        XCTAssertThrowsError(try t.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "transport.max_message_bytes") }
    }

    func testEmptyFileMeansDefaults() throws {
        let c = try ConfigFile.decode(EdgeServerConfig.self, yaml: "", knownKeys: EdgeServerConfig.knownKeys)
        XCTAssertNil(c.name)
    }
}
