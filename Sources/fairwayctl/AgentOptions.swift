import ArgumentParser
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation

/// Options of the verbs that act as an agent identity through an edge server (`submit`, `request`).
struct AgentOptions: ParsableArguments {
    @Option(help: "Edge server URL (its agent socket).") var edge: String
    @Option(name: .customLong("key-file"), help: "The agent identity's Ed25519 key file (created, mode 0600, if missing), e.g. DIR/data/agents/identities/0.key.")
    var keyFile: String
    @Option(help: "Display name used when joining (default: fairwayctl-<first 8 hex of the id>).") var name: String?
    @Option(name: .customLong("bucket-size"), help: "Token bucket size B declared when joining.") var bucketSize: UInt32 = 4
    @Option(name: .customLong("timeout-ms"), help: "Deadline of each request (ms).") var timeoutMs: Int64 = 5000
    @Option(name: .customLong("tls-ca-file"), help: "CA certificate(s) (PEM) for tls+tcp:// URLs.") var tlsCAFile: String?
    @Option(name: .customLong("tls-cert-key-file"), help: "Client certificate + key (PEM) for tls+tcp:// URLs.") var tlsCertKeyFile: String?

    /// The identity's key and a client to the edge that speaks as it.
    func connect() throws -> (key: NodeKey, client: RequestClient) {
        do {
            var t = TransportSettings()
            t.requestTimeoutMilliseconds = timeoutMs
            try t.setTLS(caFile: tlsCAFile, certKeyFile: tlsCertKeyFile)
            let key = try NodeKeyFile.loadOrCreate(keyFile)
            return (key, try RequestClient(url: edge, identity: key, settings: t))
        } catch {
            throw fail(error)
        }
    }

    /// Joins `key`'s identity through the edge (the edge relays it to the coordinator).
    func join(_ key: NodeKey, _ client: RequestClient) async throws {
        let id = key.nodeID
        let display = name ?? "fairwayctl-" + String(id.rawValue.dropFirst(2).prefix(8))
        let request = JoinRequest(nodeID: id, role: .edgeAgent, address: "", version: FairwayVersion.current,
                                  bucketSize: bucketSize, name: display, publicKey: key.publicKey)
        _ = try await ask(client, .join(request)) { if case .joinAccepted(let a) = $0 { a } else { nil } }
    }

    /// Makes sure the edge knows the identity, then runs `body`. A heartbeat probes first: the
    /// edge answers a request from an unknown agent with `unknown-sender` and caches that reply
    /// under the request's message id, so the request itself cannot be resent after a join.
    /// Returns `body`'s value and whether a join was needed.
    func joiningIfNeeded<T>(_ key: NodeKey, _ client: RequestClient, _ body: () async throws -> T) async throws -> (T, joined: Bool) {
        var joined = false
        do {
            _ = try await client.call(.heartbeat(Heartbeat(nodeID: key.nodeID)), as: key)
        } catch let e as FairwayError where e.code == .unknownSender {
            try await join(key, client)
            joined = true
        } catch {
            throw fail(error)
        }
        do { return (try await body(), joined) } catch { throw fail(error) }
    }
}
