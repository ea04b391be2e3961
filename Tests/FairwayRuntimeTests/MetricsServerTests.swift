import EdgeServer
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
import FairwayWire
import Foundation
import Logging
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Issue 13: `/metrics` over real HTTP. A RequestServer exporting its transport metrics answers
/// a real ping; a real HTTP GET of the metrics server then shows the request counted, in the
/// Prometheus text format; anything but GET /metrics is refused; a remote address is refused
/// at start unless allowed.
final class MetricsServerTests: XCTestCase {
    /// A raw HTTP/1.1 GET over a socket: (status line, headers lowercased, body).
    func get(_ port: Int, _ path: String, method: String = "GET") async throws -> (status: String, headers: [String: String], body: String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 5
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try XCTUnwrap(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers["\(k)".lowercased()] = "\(v)" }
        return ("\(http.statusCode)", headers, String(decoding: data, as: UTF8.self))
    }

    func testMetricsEndpointServesARequestCounterInThePrometheusTextFormat() async throws {
        // A REP server exporting its metrics under a node name of its own (the registry is per process).
        let node = "metrics-test-\(UInt32.random(in: 0...UInt32.max))"
        let key = NodeKey()
        let server = try RequestServer(identity: key, settings: TransportSettings(), logger: quietLogger,
                                       metrics: TransportMetrics(role: .edgeServer, node: node), replies: { envelope -> Payload in
            .pong(Pong(nodeID: key.nodeID, role: .edgeServer, version: FairwayVersion.current))
        })
        let port = try XCTUnwrap(try server.listen("tcp://127.0.0.1:0"))
        let running = Running { await server.run() }

        var settings = MetricsSettings()
        settings.address = "127.0.0.1:0"
        let metrics = try await MetricsServer.start(settings, logger: quietLogger)
        XCTAssertNotEqual(metrics.port, 0, "port 0 binds a real port")
        XCTAssertEqual(metrics.url, "http://127.0.0.1:\(metrics.port)/metrics")

        let sample = "fairway_requests_total{role=\"edge-server\",node=\"\(node)\",kind=\"ping\",outcome=\"served\"}"
        let before = try await get(metrics.port, "/metrics")
        XCTAssertFalse(before.body.contains(sample), "no ping served yet")

        let client = try RequestClient(url: "tcp://127.0.0.1:\(port)", identity: NodeKey(), settings: TransportSettings())
        defer { client.close() }
        for _ in 0..<2 {
            guard case .pong = try await client.call(.ping) else { return XCTFail("expected pong") }
        }

        let after = try await get(metrics.port, "/metrics")
        XCTAssertEqual(after.status, "200")
        XCTAssertEqual(after.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertTrue(after.body.contains("\(sample) 2"), "two pings counted:\n\(after.body)")
        XCTAssertTrue(after.body.contains("# HELP fairway_requests_total "), "help lines come from the catalog")
        XCTAssertTrue(after.body.contains("# TYPE fairway_requests_total counter"))
        XCTAssertTrue(after.body.contains("# TYPE fairway_request_duration_seconds histogram"))
        XCTAssertTrue(after.body.contains("fairway_request_duration_seconds_count{role=\"edge-server\",node=\"\(node)\",kind=\"ping\"} 2"), after.body)
        XCTAssertTrue(after.body.contains("fairway_handshakes_completed_total{role=\"edge-server\",node=\"\(node)\"} 1"), after.body)
        for line in after.body.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let name = line.split(separator: " ")[2]
            XCTAssertTrue(after.body.contains("# HELP \(name) "), "\(name) has help text")
        }

        // MetricsScrape (what `fairway-lab bench cluster` reads) parses the same exposition.
        let scraped = MetricsScrape.parse(try await MetricsScrape.fetch(metrics.url))
        XCTAssertEqual(MetricsScrape.sum(scraped, "fairway_requests_total", ["node": node, "kind": "ping", "outcome": "served"]), 2)
        XCTAssertEqual(MetricsScrape.sum(scraped, "fairway_requests_total", ["node": node, "kind": "ping", "outcome": "refused"]), 0)
        do {
            _ = try await MetricsScrape.fetch("http://127.0.0.1:\(metrics.port)/nothing")
            XCTFail("a 404 is an error")
        } catch let e as ConfigError { XCTAssertTrue(e.message.contains("404"), e.message) }

        let head = try await get(metrics.port, "/metrics", method: "HEAD")
        XCTAssertEqual(head.status, "200")
        XCTAssertEqual(head.body, "")
        let missing = try await get(metrics.port, "/")
        XCTAssertEqual(missing.status, "404")
        let other = try await get(metrics.port, "/metrics/x")
        XCTAssertEqual(other.status, "404")
        let post = try await get(metrics.port, "/metrics", method: "POST")
        XCTAssertEqual(post.status, "405")

        await metrics.close()
        server.close()
        await running.stop()
    }

    func testARemoteAddressIsRefusedAtStartUnlessAllowed() async throws {
        var settings = MetricsSettings()
        settings.address = "0.0.0.0:0"
        XCTAssertThrowsError(try settings.validateSettings(prefix: "metrics")) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.field, "metrics.address")
            XCTAssertTrue(e?.message.contains("not a loopback address") ?? false, "\(error)")
        }
        do {
            _ = try await MetricsServer.start(settings, logger: quietLogger)
            XCTFail("a remote address must not be bound")
        } catch let e as ConfigError {
            XCTAssertEqual(e.field, "metrics.address")
        }
        settings.allowRemote = true
        XCTAssertNoThrow(try settings.validateSettings(prefix: "metrics"))
        let server = try await MetricsServer.start(settings, logger: quietLogger)
        await server.close()

        for bad in ["9464", "127.0.0.1:", "127.0.0.1:70000", ":9464"] {
            var s = MetricsSettings()
            s.address = bad
            XCTAssertThrowsError(try s.validateSettings(prefix: "metrics"), bad)
        }
        for loopback in ["127.0.0.1:9464", "localhost:0", "[::1]:9464"] {
            var s = MetricsSettings()
            s.address = loopback
            XCTAssertNoThrow(try s.validateSettings(prefix: "metrics"), loopback)
        }
    }

    func testMetricsAndLogFormatAreSettingsOfEveryDaemon() throws {
        let yaml = """
        log_format: json
        metrics:
          address: "127.0.0.1:9464"
          allow_remote: false
        """
        var s = EdgeServerSettings()
        try ConfigFile.apply(yaml: yaml, to: &s)
        XCTAssertEqual(s.logFormat, .json)
        XCTAssertEqual(s.metrics.address, "127.0.0.1:9464")
        let flags: EdgeServerSettings = try DaemonStartup.resolve(configPath: nil, flags: ["--metrics-address", "127.0.0.1:9000", "--log-format=json",
                                                                                             "--metrics-allow-remote", "true"])
        XCTAssertEqual(flags.metrics.address, "127.0.0.1:9000")
        XCTAssertTrue(flags.metrics.allowRemote)
        XCTAssertEqual(flags.logFormat, .json)
        XCTAssertThrowsError(try DaemonStartup.resolve(configPath: nil, flags: ["--metrics-address", "0.0.0.0:9464"]) as EdgeServerSettings) { error in
            XCTAssertTrue("\(error)".contains("metrics.address"), "\(error)")
        }
        XCTAssertThrowsError(try DaemonStartup.resolve(configPath: nil, flags: ["--log-format", "xml"]) as EdgeServerSettings)
    }

    func testJSONLogLinesAreOneObjectEach() throws {
        let lines = Lines()
        var handler = JSONLogHandler(label: "fairway.test") { lines.append($0) }
        handler.logLevel = .debug
        handler[metadataKey: "node"] = "edge-1"
        let logger = Logger(label: "fairway.test") { _ in handler }
        logger.info("line \"one\"\nwith a newline", metadata: ["peers": ["a", "b"], "n": "\(3)"])
        logger.trace("below the level")
        let all = lines.all
        XCTAssertEqual(all.count, 1)
        XCTAssertFalse(all[0].contains("\n"), "one object per line")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(all[0].utf8)) as? [String: Any])
        XCTAssertEqual(object["level"] as? String, "info")
        XCTAssertEqual(object["label"] as? String, "fairway.test")
        XCTAssertEqual(object["message"] as? String, "line \"one\"\nwith a newline")
        let metadata = try XCTUnwrap(object["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["node"] as? String, "edge-1")
        XCTAssertEqual(metadata["peers"] as? [String], ["a", "b"])
        let timestamp = try XCTUnwrap(object["timestamp"] as? String)
        XCTAssertNotNil(ISO8601DateFormatter.withFractionalSeconds.date(from: timestamp), timestamp)
    }
}

/// Collects log lines (thread-safe).
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

private extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }
}
