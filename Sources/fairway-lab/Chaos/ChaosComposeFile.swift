import Foundation

/// The compose file a `--compose` chaos run writes to `<dir>/compose.json` (JSON is YAML, so
/// `docker-compose -f` reads it). Every service runs the cluster's one image `fairway:latest`
/// with a static address on the run's own bridge network, its data directory bind-mounted
/// from `<dir>/data/<node>` (so the checker reads the SQLite files after the run) and the
/// digits CSV mounted read-only. Kept within what both docker-compose 1.29.2 and Compose v2
/// accept (see `docker-compose.yml`).
struct ChaosComposeFile: Encodable, Sendable {
    struct Service: Encodable, Sendable {
        var image = "fairway:latest"
        var pull_policy = "never"
        /// A Swift binary as PID 1 would ignore SIGTERM.
        var `init` = true
        var container_name: String
        var command: [String]
        var volumes: [String]
        var environment: [String: String]
        var networks: [String: Attachment]
        var stop_grace_period = "5s"
    }

    struct Attachment: Encodable, Sendable {
        var ipv4_address: String
        var aliases: [String]
    }

    struct Network: Encodable, Sendable {
        struct IPAM: Encodable, Sendable {
            struct Pool: Encodable, Sendable { var subnet: String }
            var config: [Pool]
        }
        /// The engine's name of the network (no project prefix, the same under every compose version).
        var name: String
        var driver = "bridge"
        var ipam: IPAM
    }

    /// The key of the one network in `networks`.
    static let networkKey = "chaos"

    var services: [String: Service] = [:]
    var networks: [String: Network]

    init(networkName: String, subnet: String) {
        networks = [Self.networkKey: Network(name: networkName, ipam: .init(config: [.init(subnet: subnet)]))]
    }

    /// The file's bytes (keys sorted, so the same run writes the same file).
    func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }
}
