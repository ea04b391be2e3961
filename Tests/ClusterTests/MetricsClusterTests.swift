import FairwayRuntime
import FairwayTestSupport
import Foundation
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Issue 13: a real cluster of daemon processes (`fairwayctl cluster up --metrics-base-port 0`)
/// serves `/metrics` from every daemon; a real Prometheus server scrapes them all every second
/// while agents work, and its query API sees the workload's counters; `promtool check metrics`
/// accepts every daemon's exposition. Needs `prometheus` (Debian's package: /usr/bin/prometheus
/// and /usr/bin/promtool); without it the test fails, naming the package.
final class MetricsClusterTests: XCTestCase {
    static let prometheus = "/usr/bin/prometheus"
    static let promtool = "/usr/bin/promtool"
    static let dataset = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../data/uci-digits-8x8.csv").standardized.path

    func testPrometheusScrapesEveryDaemonAndSeesTheWorkload() async throws {
        for tool in [Self.prometheus, Self.promtool] where !FileManager.default.isExecutableFile(atPath: tool) {
            return XCTFail("\(tool) is missing: install Prometheus (`apt-get install -y prometheus`; .ci/run and scripts/ensure-deps.sh do) — this test needs a real Prometheus server")
        }
        try await withProcessCluster("metrics", [
            "--edges", "2", "--agents", "4", "--epoch-ms", "1000", "--tokens-per-epoch", "200", "--bucket-size", "40",
            "--inference-rate", "10", "--metrics-base-port", "0",
            "--agent-group", "rich:1:--data-path \(Self.dataset) --contribute-releases 2 --contribute-interval-ms 500",
        ]) { dir, url in
            let cluster = try LocalCluster.load(directory: dir)
            let targets = cluster.processes.compactMap { p in p.metricsURL.map { (name: p.name, url: $0) } }
            XCTAssertEqual(targets.map(\.name), ["coordinator", "edge-1", "edge-2", "agents", "rich"], "every daemon has a metrics URL in cluster.json")
            try await scrape(targets, in: dir)
        }
    }

    /// Runs Prometheus against `targets` until its queries show the workload, then checks each
    /// exposition with promtool.
    func scrape(_ targets: [(name: String, url: String)], in dir: String) async throws {
        // Every daemon answers before Prometheus starts (the first scrape is then not a miss).
        for t in targets {
            await eventually(20, "\(t.name) serves /metrics") { (try? await Self.get(t.url))?.status == 200 }
        }
        let port = try ProcessSpawner.freePort()
        let config = (dir as NSString).appendingPathComponent("prometheus.yml")
        let storage = (dir as NSString).appendingPathComponent("prometheus-data")
        var yaml = """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: fairway
            static_configs:

        """
        for t in targets {
            let hostPort = t.url.replacingOccurrences(of: "http://", with: "").replacingOccurrences(of: "/metrics", with: "")
            yaml += "      - targets: ['\(hostPort)']\n        labels: {process: '\(t.name)'}\n"
        }
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let pid = try ProcessSpawner.spawn(Self.prometheus, [
            "--config.file=\(config)", "--storage.tsdb.path=\(storage)", "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ], logPath: (dir as NSString).appendingPathComponent("logs/prometheus.log"))
        do {
            try await check("http://127.0.0.1:\(port)", targets, in: dir)
        } catch {
            _ = await ProcessSpawner.stop(pid, grace: .seconds(5))
            throw error
        }
        _ = await ProcessSpawner.stop(pid, grace: .seconds(5))
    }

    func check(_ api: String, _ targets: [(name: String, url: String)], in dir: String) async throws {

        // Prometheus sees every target up, and the workload's counters rising.
        let checks: [(query: String, holds: (Double) -> Bool, what: String)] = [
            ("count(up{job=\"fairway\"} == 1)", { $0 == Double(targets.count) }, "every daemon scraped"),
            ("sum(fairway_requests_total{kind=\"heartbeat\",outcome=\"served\"})", { $0 > 0 }, "heartbeats served"),
            ("sum(fairway_requests_total{role=\"edge-server\",kind=\"inference_request\",outcome=\"served\"})", { $0 > 0 }, "inference served by edges"),
            ("sum(fairway_request_duration_seconds_count{role=\"cloud-coordinator\",kind=\"heartbeat\"})", { $0 > 0 }, "coordinator latency histogram"),
            ("sum(fairway_handshakes_completed_total)", { $0 > 0 }, "sessions established"),
            ("sum(fairway_members{state=\"alive\"})", { $0 == 1 + 2 + 4 + 1 }, "8 members alive"),
            ("sum(fairway_epochs_completed_total)", { $0 > 0 }, "epochs completed"),
            ("sum(fairway_tokens_granted_total)", { $0 > 0 }, "tokens granted"),
            ("sum(fairway_tokens_used_total)", { $0 > 0 }, "tokens used at the coordinator"),
            ("sum(fairway_edge_tokens_debited_total)", { $0 > 0 }, "tokens debited at the edges"),
            ("sum(fairway_agent_tokens_charged_total)", { $0 > 0 }, "tokens charged to agents"),
            ("sum(fairway_ledger_records)", { $0 > 0 }, "contributions in the ledger"),
            ("max(fairway_privacy_epsilon_spent{process=\"rich\"})", { $0 > 0 }, "ε spent by the contributing agent"),
            ("count(fairway_cloud_share_inference_requests_per_second)", { $0 == 2 }, "a cloud share per edge"),
        ]
        for check in checks {
            var last = "no answer"
            let ok = await eventually(40, check.what, poll: .milliseconds(500)) {
                guard let value = try? await Self.query(api, check.query) else { return false }
                last = "\(value)"
                return check.holds(value)
            }
            if ok == nil { XCTFail("\(check.what): \(check.query) = \(last)") }
        }

        // promtool accepts each daemon's exposition (types, names, help).
        for t in targets {
            let body = try await Self.get(t.url).body
            let file = (dir as NSString).appendingPathComponent("\(t.name).prom")
            try body.write(toFile: file, atomically: true, encoding: .utf8)
            let (status, output) = try await Self.run("/bin/sh", ["-c", "\(Self.promtool) check metrics < '\(file)'"], in: dir)
            XCTAssertEqual(status, 0, "promtool check metrics on \(t.name)'s /metrics:\n\(output)")
        }
    }

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 5
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The single value of an instant query (nil: no sample or an error).
    static func query(_ api: String, _ promql: String) async throws -> Double? {
        var components = URLComponents(string: "\(api)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promql)]
        let (status, body) = try await get(components.url!.absoluteString)
        guard status == 200,
              let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], object["status"] as? String == "success",
              let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
              let value = result.first?["value"] as? [Any], value.count == 2, let text = value[1] as? String else { return nil }
        return Double(text)
    }

    /// Runs a command to completion; (exit status, stdout and stderr).
    static func run(_ executable: String, _ arguments: [String], in dir: String) async throws -> (Int32, String) {
        let log = (dir as NSString).appendingPathComponent("run-\(UUID().uuidString.prefix(8)).log")
        let pid = try ProcessSpawner.spawn(executable, arguments, logPath: log)
        let status = await ProcessSpawner.waitForExit(pid)
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
