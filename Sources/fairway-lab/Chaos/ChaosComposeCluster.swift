import FairwayRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The compose cluster: each daemon a container of the image `fairway:latest` in a compose
/// project of its own (`fwcc-<pid>`), on a bridge network of its own with static addresses,
/// so that the host's harness clients reach every node directly. Faults are the engine's:
/// `docker kill` (SIGKILL) and `docker start`, `docker pause`/`unpause` (cgroup freezer),
/// `docker network disconnect`/`connect` for an isolated node, and for a split `iptables`
/// DROP rules inside the coordinator container's network namespace (`nsenter -n`; the image
/// has no iptables, the host's is used).
final class ChaosComposeCluster: ChaosCluster, @unchecked Sendable {
    let project: String
    let networkName: String
    /// `10.78.X.0/24`, X from the harness's pid, so two runs on one machine do not collide.
    let subnet: String
    private let prefix: String
    let runDirectory: String
    /// The digits CSV on the host, mounted at `digitsPath` in every container.
    let hostDigitsFile: String
    let digitsPath = "/fairway/digits.csv"
    let environment: [String: String]
    let docker: String
    /// `docker-compose` or `docker compose`, with the project and file.
    private let composeCommand: (String, [String])
    private var file: ChaosComposeFile
    private var addresses: [ChaosNode: String] = [:]
    private var launched: [ChaosNode] = []
    private var crashed = Set<ChaosNode>()
    private var paused = Set<ChaosNode>()
    private var disconnected = Set<ChaosNode>()
    private var brought = false
    private let lock = NSLock()

    /// The uid:gid the image runs as (its Dockerfile's USER): owner of the bind-mounted data.
    static let imageUser: (uid: uid_t, gid: gid_t) = (10001, 10001)
    static let image = "fairway:latest"

    /// - Throws: `ChaosHarnessError` when there is no docker CLI, no running engine, no
    ///   `fairway:latest` image or no compose.
    init(runDirectory: String, digitsFile: String, environment: [String: String], pid: Int32 = getpid()) async throws {
        guard let docker = Self.which("docker") else {
            throw ChaosHarnessError(message: "no docker CLI: install docker.io, or run `make compose-chaos` (installs and starts the engine)")
        }
        self.docker = docker
        let info = await runCapturing(docker, ["info", "--format", "{{.ServerVersion}}"], timeoutSeconds: 20)
        guard info.status == 0 else {
            throw ChaosHarnessError(message: "the Docker engine is not running (`docker info`: \(info.err.trimmingCharacters(in: .whitespacesAndNewlines).suffix(200))); start dockerd or run `make compose-chaos`")
        }
        let image = await runCapturing(docker, ["image", "inspect", Self.image, "--format", "{{.Id}}"], timeoutSeconds: 20)
        guard image.status == 0 else {
            throw ChaosHarnessError(message: "no image \(Self.image): build it with scripts/build-images.sh (or run `make compose-chaos`)")
        }
        project = "fwcc-\(pid)"
        prefix = project
        networkName = "\(project)-net"
        subnet = "10.78.\(Int(pid) % 200 + 20).0/24"
        self.runDirectory = runDirectory
        hostDigitsFile = digitsFile
        self.environment = environment
        let path = "\(runDirectory)/compose.json"
        if let compose = Self.which("docker-compose") {
            composeCommand = (compose, ["-p", project, "-f", path])
        } else {
            composeCommand = (docker, ["compose", "-p", project, "-f", path])
        }
        let probe = await runCapturing(composeCommand.0, composeCommand.0 == docker ? ["compose", "version"] : ["version"], timeoutSeconds: 20)
        guard probe.status == 0 else {
            throw ChaosHarnessError(message: "no docker compose (neither docker-compose nor `docker compose`): apt-get install docker-compose")
        }
        file = ChaosComposeFile(networkName: networkName, subnet: subnet)
        ChaosCleanup.shared.remember(undo: { [self] in teardownSync() })
    }

    var description: String { "containers of compose project \(project) (image \(Self.image)) on \(networkName) \(subnet)" }
    var partitions: Bool { true }

    func container(_ node: ChaosNode) -> String { "\(prefix)-\(node)" }

    func address(_ node: ChaosNode) -> String {
        lock.withLock {
            if let a = addresses[node] { return a }
            let base = subnet.split(separator: ".").prefix(3).joined(separator: ".")
            let a = "\(base).\(10 + addresses.count)"
            addresses[node] = a
            return a
        }
    }

    func port(_ fixed: Int) throws -> Int { fixed }
    func dataPath(_ node: ChaosNode) -> String { "/data" }
    private func hostData(_ node: ChaosNode) -> String { "\(runDirectory)/data/\(node)" }

    func launch(_ node: ChaosNode, program: String, arguments: [String]) async throws {
        let data = hostData(node)
        do {
            try DataDirectory.ensure(data)
        } catch { throw ChaosHarnessError(message: "cannot create \(data): \(error)") }
        guard chown(data, Self.imageUser.uid, Self.imageUser.gid) == 0 else {
            throw ChaosHarnessError(message: "cannot hand \(data) to uid \(Self.imageUser.uid), the image's user (\(String(cString: strerror(errno)))): run as root")
        }
        let service = ChaosComposeFile.Service(
            container_name: container(node), command: [program] + arguments,
            volumes: ["\(data):/data", "\(hostDigitsFile):\(digitsPath):ro"], environment: environment,
            networks: [ChaosComposeFile.networkKey: .init(ipv4_address: address(node), aliases: ["\(node)"])])
        let bytes: Data = try lock.withLock {
            file.services["\(node)"] = service
            return try file.encoded()
        }
        do { try bytes.write(to: URL(fileURLWithPath: "\(runDirectory)/compose.json")) } catch {
            throw ChaosHarnessError(message: "cannot write \(runDirectory)/compose.json: \(error)")
        }
        lock.withLock {
            brought = true
            launched.append(node)
        }
        try await compose(["up", "-d", "--no-deps", "\(node)"], what: "start \(node)", timeout: 120)
    }

    func crash(_ node: ChaosNode) async throws {
        try await dockerCall(["kill", "--signal", "KILL", container(node)], what: "kill \(node)")
        _ = lock.withLock { crashed.insert(node) }
    }

    func restart(_ node: ChaosNode) async throws {
        try await dockerCall(["start", container(node)], what: "restart \(node)")
        _ = lock.withLock { crashed.remove(node) }
    }

    func pause(_ node: ChaosNode) async throws {
        try await dockerCall(["pause", container(node)], what: "pause \(node)")
        _ = lock.withLock { paused.insert(node) }
    }

    func resume(_ node: ChaosNode) async throws {
        try await dockerCall(["unpause", container(node)], what: "unpause \(node)")
        _ = lock.withLock { paused.remove(node) }
    }

    func isolate(_ node: ChaosNode) async throws {
        try await dockerCall(["network", "disconnect", "--force", networkName, container(node)], what: "disconnect \(node)")
        _ = lock.withLock { disconnected.insert(node) }
    }

    func split(_ node: ChaosNode, from peers: [ChaosNode]) async throws {
        let pid = try await containerPid(node)
        for p in peers {
            try await iptables(pid, ["-A", "INPUT", "-s", address(p), "-j", "DROP"], node: node)
            try await iptables(pid, ["-A", "OUTPUT", "-d", address(p), "-j", "DROP"], node: node)
        }
    }

    func heal(_ node: ChaosNode) async throws {
        if lock.withLock({ disconnected.contains(node) }) {
            try await dockerCall(["network", "connect", "--ip", address(node), "--alias", "\(node)", networkName, container(node)], what: "reconnect \(node)")
            _ = lock.withLock { disconnected.remove(node) }
        } else {
            try await iptables(try await containerPid(node), ["-F"], node: node)
        }
    }

    func dead() async -> [ChaosNode] {
        let nodes = lock.withLock { launched.filter { !crashed.contains($0) } }
        var out: [ChaosNode] = []
        for node in nodes {
            let r = await runCapturing(docker, ["inspect", "--format", "{{.State.Running}}", container(node)], timeoutSeconds: 20)
            if r.status == 0 && r.out.trimmingCharacters(in: .whitespacesAndNewlines) == "false" { out.append(node) }
        }
        return out.sorted()
    }

    /// Unpauses, stops every container (agents first, coordinator last, 5 s grace each),
    /// saves each one's log to `<dir>/logs/<node>.log`, and removes the project (`down -v`;
    /// the bind-mounted data stays for the checker).
    func stopAll() async {
        let (nodes, stopped) = lock.withLock { (launched.sorted(), paused) }
        for node in stopped { _ = await runCapturing(docker, ["unpause", container(node)], timeoutSeconds: 20) }
        for node in nodes.reversed() { _ = await runCapturing(docker, ["stop", "--time", "5", container(node)], timeoutSeconds: 30) }
        for node in nodes {
            let r = await runCapturing(docker, ["logs", "--timestamps", container(node)], timeoutSeconds: 30)
            FileManager.default.createFile(atPath: "\(runDirectory)/logs/\(node).log", contents: Data((r.out + r.err).utf8))
        }
        _ = await runCapturing(composeCommand.0, composeCommand.1 + ["down", "-v", "--remove-orphans", "-t", "5"], timeoutSeconds: 120)
        lock.withLock {
            brought = false
            paused = []
        }
    }

    func client(_ executable: String, _ arguments: [String]) -> (String, [String]) { (executable, arguments) }

    /// On a harness error or a signal: remove the project's containers and network.
    private func teardownSync() {
        let (up, stopped) = lock.withLock { (brought, paused) }
        guard up else { return }
        for node in stopped { _ = try? ChaosNetwork.runSync(docker, ["unpause", container(node)]) }
        _ = try? ChaosNetwork.runSync(composeCommand.0, composeCommand.1 + ["down", "-v", "--remove-orphans", "-t", "2"])
        lock.withLock { brought = false }
    }

    private func containerPid(_ node: ChaosNode) async throws -> Int {
        let r = await runCapturing(docker, ["inspect", "--format", "{{.State.Pid}}", container(node)], timeoutSeconds: 20)
        guard r.status == 0, let pid = Int(r.out.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else {
            throw ChaosHarnessError(message: "no running container \(container(node)) to partition (\(r.err.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        return pid
    }

    private func iptables(_ pid: Int, _ rule: [String], node: ChaosNode) async throws {
        guard let ipt = ChaosNetwork.iptables, let nsenter = Self.which("nsenter") else {
            throw ChaosHarnessError(message: "a split needs the host's iptables and nsenter (apt-get install iptables util-linux)")
        }
        let r = await runCapturing(nsenter, ["-t", "\(pid)", "-n", ipt] + rule, timeoutSeconds: 20)
        guard r.status == 0 else {
            throw ChaosHarnessError(message: "iptables \(rule.joined(separator: " ")) in \(node)'s container failed: \((r.err + r.out).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    private func dockerCall(_ arguments: [String], what: String) async throws {
        let r = await runCapturing(docker, arguments, timeoutSeconds: 60)
        guard r.status == 0 else {
            throw ChaosHarnessError(message: "cannot \(what): `docker \(arguments.joined(separator: " "))` \(r.status.map { "exited \($0)" } ?? "timed out"): \((r.err + r.out).trimmingCharacters(in: .whitespacesAndNewlines).suffix(300))")
        }
    }

    private func compose(_ arguments: [String], what: String, timeout: Double) async throws {
        let r = await runCapturing(composeCommand.0, composeCommand.1 + arguments, timeoutSeconds: timeout)
        guard r.status == 0 else {
            throw ChaosHarnessError(message: "cannot \(what): compose \(arguments.joined(separator: " ")) \(r.status.map { "exited \($0)" } ?? "timed out"): \((r.err + r.out).trimmingCharacters(in: .whitespacesAndNewlines).suffix(400))")
        }
    }

    /// `name`'s path in PATH (and the usual sbin folders), or nil.
    static func which(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
