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
        try ConfigFile.apply(repoFile("configs/cloud-coordinator.yaml"), to: &c)
        try c.validate()
        var e = EdgeServerSettings()
        try ConfigFile.apply(repoFile("configs/edge-server.yaml"), to: &e)
        try e.validate()
        var a = EdgeAgentSettings()
        try ConfigFile.apply(repoFile("configs/edge-agent.yaml"), to: &a)
        try a.validate()
    }

    func testYAMLOverlaysDefaults() throws {
        let yaml = """
        name: coord-a
        membership:
          heartbeat_interval_ms: 250
        tokens:
          values: {fw0000000000000000000000000000000000000001: 2.5}
        valuation:
          source: configured
        transport:
          workers: 3
        """
        var s = CoordinatorSettings()
        try ConfigFile.apply(yaml: yaml, to: &s)
        XCTAssertEqual(s.name, "coord-a")
        XCTAssertEqual(s.membership.heartbeatIntervalMilliseconds, 250)
        XCTAssertEqual(s.membership.deadAfterMisses, CoordinatorSettings().membership.deadAfterMisses)
        XCTAssertEqual(s.valuation.configured.values[NodeID(unchecked: "fw0000000000000000000000000000000000000001")], 2.5)
        XCTAssertEqual(s.valuation.source, .configured)
        XCTAssertEqual(s.transport.workers, 3)
        XCTAssertEqual(s.controlURL, CoordinatorSettings().controlURL)
    }

    func testUnknownKeyIsRefusedByName() {
        var s = CoordinatorSettings()
        XCTAssertThrowsError(try ConfigFile.apply(yaml: "membership:\n  heartbeat_intervall_ms: 5\n", to: &s)) {
            XCTAssertEqual(($0 as? ConfigError)?.field, "membership.heartbeat_intervall_ms")
        }
        XCTAssertEqual(s, CoordinatorSettings(), "a refused file changes nothing it did not reach")
    }

    func testWrongTypeNamesTheField() {
        var a = EdgeAgentSettings()
        XCTAssertThrowsError(try ConfigFile.apply(yaml: "count: many\n", to: &a)) {
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
        var c = CoordinatorSettings()
        c.membership.deadAfterMisses = c.membership.suspectAfterMisses
        XCTAssertThrowsError(try c.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "membership.dead_after_misses") }
        c = CoordinatorSettings()
        c.admission.allowedKeys = [[UInt8](repeating: 1, count: 32)]
        XCTAssertThrowsError(try c.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "admission.allowed_keys") }
    }

    func testEmptyFileMeansDefaults() throws {
        var e = EdgeServerSettings()
        try ConfigFile.apply(yaml: "", to: &e)
        XCTAssertEqual(e, EdgeServerSettings())
    }

    /// Every setting is declared once: the YAML keys, the flags and validation all come from
    /// the same list, so a flag sets exactly what the YAML key does.
    func testFlagsAndYAMLKeysAreTheSameSettings() throws {
        let fromFlags: CoordinatorSettings = try DaemonStartup.resolve(configPath: nil, flags: [
            "--epoch-ms", "2500", "--tokens-per-epoch=77", "--allocator", "max-min", "--heartbeat-interval-ms", "300",
            "--admission-bucket-tiers", "4,16", "--transport-workers", "2",
        ])
        var fromYAML = CoordinatorSettings()
        try ConfigFile.apply(yaml: """
            epoch_ms: 2500
            tokens: {per_epoch: 77, allocator: max-min}
            membership: {heartbeat_interval_ms: 300}
            admission: {bucket_tiers: [4, 16]}
            transport: {workers: 2}
            """, to: &fromYAML)
        XCTAssertEqual(fromFlags, fromYAML)
        XCTAssertEqual(fromFlags.tokens.allocator, .maxMin)
        XCTAssertEqual(fromFlags.admission.bucketTiers, [4, 16])
        XCTAssertThrowsError(try DaemonStartup.resolve(configPath: nil, flags: ["--epoch-msx", "1"]) as CoordinatorSettings) {
            XCTAssertEqual(($0 as? ConfigError)?.field, "--epoch-msx")
        }
        XCTAssertThrowsError(try DaemonStartup.resolve(configPath: nil, flags: ["--allocator", "fair"]) as CoordinatorSettings) {
            XCTAssertEqual(($0 as? ConfigError)?.field, "--allocator")
        }
        for key in CoordinatorSettings.knownKeys.union(EdgeServerSettings.knownKeys).union(EdgeAgentSettings.knownKeys) {
            XCTAssertFalse(key.contains(".."), key)
        }
        XCTAssertEqual(EdgeAgentSettings.key(forFlag: "inference-rate"), "workload.rate_per_second")
        XCTAssertEqual(EdgeServerSettings.key(forFlag: "coordinator"), "coordinator_url")
    }
}
