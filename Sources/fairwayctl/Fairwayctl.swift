import ArgumentParser
import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation

@main
struct Fairwayctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fairwayctl",
        abstract: "Operate a Fairway cluster over its own sockets.",
        subcommands: [Status.self, Watch.self, Epochs.self, Grants.self, Valuation.self, Privacy.self, Ledger.self, Contract.self, Cloud.self,
                      Submit.self, Request.self, Drain.self, Resume.self, Ping.self, Identity.self, Cluster.self])
}

/// Options shared by commands that talk to a node.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Coordinator control URL.") var coordinator = "tcp://127.0.0.1:7400"
    @Option(name: .customLong("timeout-ms"), help: "Deadline of the request (ms).") var timeoutMs: Int64 = 3000
    @Option(name: .customLong("tls-ca-file"), help: "CA certificate(s) (PEM) for tls+tcp:// URLs.") var tlsCAFile: String?
    @Option(name: .customLong("tls-cert-key-file"), help: "Client certificate + key (PEM) for tls+tcp:// URLs.") var tlsCertKeyFile: String?
    @Option(name: .customLong("key-file"), help: "Sign requests with this Ed25519 key file (default: a fresh key per run; status and ping are open).") var keyFile: String?

    func client(url: String? = nil) throws -> RequestClient {
        var t = TransportSettings()
        t.requestTimeoutMilliseconds = timeoutMs
        try t.setTLS(caFile: tlsCAFile, certKeyFile: tlsCertKeyFile)
        let key = try keyFile.map { try NodeKeyFile.load($0) } ?? NodeKey()
        return try RequestClient(url: url ?? coordinator, identity: key, settings: t)
    }
}

/// Sends `payload` and returns what `extract` takes from the reply; exits 2 saying why otherwise.
func ask<T>(_ client: RequestClient, _ payload: Payload, _ extract: (Payload) -> T?) async throws -> T {
    let reply: Payload
    do { reply = try await client.call(payload) } catch { throw fail(error) }
    guard let value = extract(reply) else { throw fail(FairwayError(.malformed, "unexpected reply \(reply.kind) to \(payload.kind)")) }
    return value
}

/// Prints one JSON document, keys sorted.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func fail(_ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("fairwayctl: \(error)\n".utf8))
    return ExitCode(2)
}

extension Fairwayctl {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every node the coordinator knows: role, id, address, state, last heartbeat, version.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print one JSON object {\"epoch\":..,\"reporter\":..,\"reporter_name\":..,\"nodes\":[...]}.") var json = false
        @Option(help: "Ask this node instead of the coordinator (e.g. an edge server's URL).") var url: String?

        func run() async throws {
            let client = try connection.client(url: url)
            defer { client.close() }
            let status = try await ask(client, .statusRequest) { if case .statusReply(let s) = $0 { s } else { nil } }
            if json { return try printJSON(StatusDocument(status)) }
            print(StatusTable.render(status, now: WallClock.now()))
        }
    }

    struct Ping: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check that a node answers (exit 0), through a fresh session whose handshake proves its key — used by container healthchecks.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Node URL to ping (default: the coordinator).") var url: String?

        func run() async throws {
            let client = try connection.client(url: url)
            defer { client.close() }
            do {
                let start = ContinuousClock.now
                let reply = try await client.callVerified(.ping)
                let elapsed = start.duration(to: .now)
                guard case .pong(let pong) = reply.envelope.payload else { throw FairwayError(.malformed, "expected pong") }
                // The reply came through a session whose handshake proved the node's key.
                print("\(pong.role.rawValue) \(pong.name) \(pong.nodeID) \(pong.version) ok — \(SessionProtocol.noiseName) session, key proved by handshake, \(String(format: "%.1f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)) ms including the handshake")
            } catch {
                throw fail(error)
            }
        }
    }
}

extension Fairwayctl {
    struct Epochs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the coordinator's recent epochs: V, tokens granted (Σ ≤ V), allocator, agents.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "How many epochs, newest first (1–1000).") var limit: UInt32 = 20
        @Flag(help: "Print JSON {\"epochs\":[...]}.") var json = false

        func run() async throws {
            let client = try connection.client()
            defer { client.close() }
            let epochs = try await ask(client, .epochsRequest(limit: limit)) { if case .epochsReply(let e) = $0 { e } else { nil } }
            if json { return try printJSON(EpochsDocument(epochs)) }
            print("EPOCH  V  GRANTED  UNUSED  AGENTS  ALLOCATOR")
            for e in epochs {
                print("\(e.epoch)  \(e.totalTokens)  \(e.granted)  \(e.totalTokens - e.granted)  \(e.agents)  \(e.allocator)")
            }
        }
    }

    struct Identity: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a node's id (the address of its key) and public key; create the key file (mode 0600) if missing.",
            discussion: "Use it to fill the coordinator's admission.allowed_keys before a node first starts.")
        @Option(name: .customLong("key-file"), help: "Key file, e.g. data/edge-1/node.key.") var keyFile: String
        @Flag(help: "Print JSON {\"id\":..,\"public_key\":..}.") var json = false

        func run() async throws {
            let key: NodeKey
            do { key = try NodeKeyFile.loadOrCreate(keyFile) } catch { throw fail(error) }
            if json {
                print("{\"id\":\"\(key.nodeID)\",\"public_key\":\"\(hex(key.publicKey))\"}")
            } else {
                print("id          \(key.nodeID)\npublic key  \(hex(key.publicKey))")
            }
        }
    }
}

enum StatusTable {
    static func render(_ status: StatusReply, now: Timestamp) -> String {
        var rows = [["ROLE", "NAME", "ID", "ADDRESS", "STATE", "LAST HEARTBEAT", "VERSION", "VIA", "TOKENS used/granted (left)"]]
        let names = Dictionary(status.nodes.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        for n in status.nodes {
            let age = n.lastHeartbeat == .zero ? "never" : String(format: "%.1fs ago", Double(now.milliseconds(since: n.lastHeartbeat)) / 1000)
            let via = n.via.map { names[$0].flatMap { $0.isEmpty ? nil : $0 } ?? short($0) } ?? "-"
            let tokens = n.role == .edgeAgent ? "\(n.tokensUsed)/\(n.tokensGranted) (\(n.tokensRemaining))" : "-"
            rows.append([n.role.rawValue, n.name.isEmpty ? "-" : n.name, short(n.id), n.address.isEmpty ? "-" : n.address, n.state.rawValue, age, n.version, via, tokens])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
        var lines = rows.map { r in r.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") }
        let alive = status.nodes.filter { $0.state == .alive }.count
        lines.append("\(status.nodes.count) nodes, \(alive) alive, epoch \(status.epoch) (reported by \(status.reporterName) \(status.reporterID))")
        return lines.joined(separator: "\n")
    }

    /// Addresses are 42 characters; the table shows the first 12 (`--json` has them whole).
    static func short(_ id: NodeID) -> String {
        id.rawValue.count > 14 ? String(id.rawValue.prefix(12)) + "…" : id.rawValue
    }
}
