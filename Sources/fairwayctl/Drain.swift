import ArgumentParser
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation

/// `fairwayctl drain --json` / `resume --json`.
struct DrainDocument: Codable {
    var edge: String
    var edge_id: String
    var draining: Bool
    /// Agents still attached: each leaves for another edge at its next heartbeat.
    var attached_agents: UInt32
}

/// Options of `drain` and `resume`: the edge, and the admin key the edge lists in `admin_keys`.
struct DrainOptions: ParsableArguments {
    @Option(help: "The edge server's URL (its agent socket).") var url: String
    @Option(name: .customLong("key-file"), help: "An admin key file: its id must be in the edge's admin_keys (see `fairwayctl identity`).") var keyFile: String
    @Option(name: .customLong("timeout-ms"), help: "Deadline of the request (ms).") var timeoutMs: Int64 = 3000
    @Option(name: .customLong("tls-ca-file"), help: "CA certificate(s) (PEM) for tls+tcp:// URLs.") var tlsCAFile: String?
    @Option(name: .customLong("tls-cert-key-file"), help: "Client certificate + key (PEM) for tls+tcp:// URLs.") var tlsCertKeyFile: String?
    @Flag(help: "Print JSON {\"edge\",\"edge_id\",\"draining\",\"attached_agents\"}.") var json = false

    func send(drain: Bool) async throws {
        let client: RequestClient
        do {
            var t = TransportSettings()
            t.requestTimeoutMilliseconds = timeoutMs
            try t.setTLS(caFile: tlsCAFile, certKeyFile: tlsCertKeyFile)
            client = try RequestClient(url: url, identity: try NodeKeyFile.load(keyFile), settings: t)
        } catch {
            throw fail(error)
        }
        defer { client.close() }
        let r = try await ask(client, .drainRequest(drain: drain)) { if case .drainReply(let r) = $0 { r } else { nil } }
        let doc = DrainDocument(edge: url, edge_id: r.edgeID.rawValue, draining: r.draining, attached_agents: r.attachedAgents)
        if json { return try printJSON(doc) }
        if r.draining {
            print("edge \(r.edgeID) is draining: joins are refused (unavailable, field \(FairwayError.drainingField)); \(r.attachedAgents) attached agents move to another edge at their next heartbeat")
        } else {
            print("edge \(r.edgeID) admits agents again (\(r.attachedAgents) attached)")
        }
    }
}

extension Fairwayctl {
    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an edge server stop admitting agents and hand its agents over to their next edge (durable until `resume`).",
            discussion: "Joins are refused with unavailable, field edge.draining; each attached agent's next heartbeat is refused the same way and the agent moves to the next edge of its list. Only keys in the edge's admin_keys may drain it.")
        @OptionGroup var options: DrainOptions
        func run() async throws { try await options.send(drain: true) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Undo `drain`: the edge admits agents again.")
        @OptionGroup var options: DrainOptions
        func run() async throws { try await options.send(drain: false) }
    }
}
