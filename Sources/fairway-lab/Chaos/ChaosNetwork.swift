import FairwayCore
import FairwayRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Each node of a chaos run as its own host: a network namespace `fwc-<pid>-<node>` per node,
/// joined by a veth pair to a bridge inside a hub namespace `fwc-<pid>-hub` (so the root
/// namespace's FORWARD policy never matters), with addresses in 10.77.1.0/24. Partitions are
/// `iptables -j DROP` rules inside the nodes' namespaces; healing flushes them. Only the
/// namespaces this run created are ever deleted.
final class ChaosNetwork: @unchecked Sendable {
    /// Prefix of every namespace of this run: `fwc-<pid>`.
    let prefix: String
    private(set) var addresses: [ChaosNode: String] = [:]
    private(set) var created: [String] = []
    private let lock = NSLock()

    static let ip = "/usr/sbin/ip"
    static let subnet = "10.77.1.0/24"

    init(pid: Int32 = getpid()) { prefix = "fwc-\(pid)" }

    func namespace(_ node: ChaosNode) -> String { "\(prefix)-\(node.short)" }
    var hub: String { "\(prefix)-hub" }

    /// The node's address (10.77.1.x).
    func address(_ node: ChaosNode) -> String { addresses[node] ?? "127.0.0.1" }

    /// Whether this machine can make namespaces and partitions (root, `ip`, `iptables`).
    static func available() -> String? {
        if getuid() != 0 { return "not root" }
        if !FileManager.default.isExecutableFile(atPath: ip) { return "\(ip) missing" }
        if iptables == nil { return "iptables missing (apt-get install iptables; scripts/ensure-deps.sh installs it)" }
        return nil
    }

    static var iptables: String? {
        ["/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Creates the hub with its bridge and one namespace per node.
    /// - Throws: `ConfigError` naming the `ip` command that failed and its output.
    func create(_ nodes: [ChaosNode]) throws {
        try ns(add: hub)
        try run(Self.ip, ["-n", hub, "link", "add", "br0", "type", "bridge"])
        try run(Self.ip, ["-n", hub, "link", "set", "br0", "up"])
        try run(Self.ip, ["-n", hub, "link", "set", "lo", "up"])
        for (i, node) in nodes.enumerated() {
            let name = namespace(node)
            try ns(add: name)
            let address = "10.77.1.\(10 + i)"
            let hostSide = "h-\(node.short)"
            try run(Self.ip, ["-n", hub, "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", name])
            try run(Self.ip, ["-n", hub, "link", "set", hostSide, "master", "br0"])
            try run(Self.ip, ["-n", hub, "link", "set", hostSide, "up"])
            try run(Self.ip, ["-n", name, "addr", "add", "\(address)/24", "dev", "eth0"])
            try run(Self.ip, ["-n", name, "link", "set", "eth0", "up"])
            try run(Self.ip, ["-n", name, "link", "set", "lo", "up"])
            lock.withLock { addresses[node] = address }
        }
    }

    private func ns(add name: String) throws {
        try run(Self.ip, ["netns", "add", name])
        lock.withLock { created.append(name) }
    }

    /// `executable arguments` run inside the node's namespace (`ip netns exec`, which execs, so
    /// the returned pid is the program's own).
    func wrap(_ node: ChaosNode, _ executable: String, _ arguments: [String]) -> (String, [String]) {
        (Self.ip, ["netns", "exec", namespace(node), executable] + arguments)
    }

    /// Drops every packet between `node` and the other nodes.
    func isolate(_ node: ChaosNode) throws {
        let ipt = Self.iptables ?? "iptables"
        try run(Self.ip, ["netns", "exec", namespace(node), ipt, "-A", "INPUT", "-i", "eth0", "-j", "DROP"])
        try run(Self.ip, ["netns", "exec", namespace(node), ipt, "-A", "OUTPUT", "-o", "eth0", "-j", "DROP"])
    }

    /// Drops every packet between `node` and each of `peers` (rules in `node`'s namespace).
    func block(_ node: ChaosNode, from peers: [ChaosNode]) throws {
        let ipt = Self.iptables ?? "iptables"
        for p in peers {
            try run(Self.ip, ["netns", "exec", namespace(node), ipt, "-A", "INPUT", "-s", address(p), "-j", "DROP"])
            try run(Self.ip, ["netns", "exec", namespace(node), ipt, "-A", "OUTPUT", "-d", address(p), "-j", "DROP"])
        }
    }

    /// Flushes the DROP rules of `node`'s namespace.
    func heal(_ node: ChaosNode) throws {
        try run(Self.ip, ["netns", "exec", namespace(node), Self.iptables ?? "iptables", "-F"])
    }

    /// Deletes every namespace this run created (and so their veths). Safe to call twice.
    func destroy() {
        let names = lock.withLock { () -> [String] in
            let c = created
            created = []
            return c
        }
        for name in names.reversed() { try? run(Self.ip, ["netns", "del", name]) }
    }

    /// Runs a short command synchronously (`posix_spawn`, output to a temporary file, blocking
    /// `waitpid` on its pid: no Foundation `Process`, no pipe a concurrently started process
    /// could inherit).
    /// - Throws: `ConfigError` with the command line and its output when it exits non-zero.
    @discardableResult
    static func runSync(_ executable: String, _ arguments: [String]) throws -> String {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-chaos-net-\(UUID().uuidString)").path
        defer { unlink(log) }
        let pid = try ProcessSpawner.spawn(executable, arguments, logPath: log)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw ConfigError(field: "network", message: "`\(([executable] + arguments).joined(separator: " "))` exited \(status >> 8): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return text
    }

    private func run(_ executable: String, _ arguments: [String]) throws { try Self.runSync(executable, arguments) }
}
