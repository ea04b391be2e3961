import FairwayRuntime
import Foundation

/// The process cluster: each daemon a real process started from `binDirectory`, in its own
/// network namespace (`ChaosNetwork`) or, without one, on loopback with free ports.
final class ChaosProcessCluster: ChaosCluster, @unchecked Sendable {
    let processes: ChaosProcesses
    let network: ChaosNetwork?
    let binDirectory: String
    let runDirectory: String
    let digitsPath: String
    private var taken = Set<Int>()
    private let lock = NSLock()

    init(network: ChaosNetwork?, environment: [String: String], binDirectory: String, runDirectory: String, digitsFile: String) {
        self.network = network
        processes = ChaosProcesses(network: network, environment: environment)
        self.binDirectory = binDirectory
        self.runDirectory = runDirectory
        digitsPath = digitsFile
    }

    var description: String {
        network.map { "processes in namespaces \($0.prefix)-* on \(ChaosNetwork.subnet)" } ?? "processes on loopback (no partitions)"
    }

    var partitions: Bool { network != nil }

    func address(_ node: ChaosNode) -> String { network?.address(node) ?? "127.0.0.1" }

    func port(_ fixed: Int) throws -> Int {
        if network != nil { return fixed }
        for _ in 0..<100 {
            let p = try ProcessSpawner.freePort()
            if lock.withLock({ taken.insert(p).inserted }) { return p }
        }
        throw ChaosHarnessError(message: "no free loopback ports")
    }

    func dataPath(_ node: ChaosNode) -> String { "\(runDirectory)/data/\(node)" }

    func launch(_ node: ChaosNode, program: String, arguments: [String]) async throws {
        let executable = (binDirectory as NSString).appendingPathComponent(program)
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ChaosHarnessError(message: "\(executable) is missing: build it (swift build) or pass --bin-dir")
        }
        try processes.add(node, executable: executable, arguments: arguments, log: "\(runDirectory)/logs/\(node).log")
    }

    func crash(_ node: ChaosNode) async throws { await processes.crash(node) }

    func restart(_ node: ChaosNode) async throws {
        do { try processes.start(node) } catch { throw ChaosHarnessError(message: "cannot restart \(node): \(error)") }
    }

    func pause(_ node: ChaosNode) async throws { processes.pause(node) }
    func resume(_ node: ChaosNode) async throws { processes.resume(node) }

    func isolate(_ node: ChaosNode) async throws {
        guard let network else { return }
        do { try network.isolate(node) } catch { throw ChaosHarnessError(message: "\(error)") }
    }

    func split(_ node: ChaosNode, from peers: [ChaosNode]) async throws {
        guard let network else { return }
        do { try network.block(node, from: peers) } catch { throw ChaosHarnessError(message: "\(error)") }
    }

    func heal(_ node: ChaosNode) async throws {
        guard let network else { return }
        do { try network.heal(node) } catch { throw ChaosHarnessError(message: "\(error)") }
    }

    func dead() async -> [ChaosNode] { processes.dead() }
    func stopAll() async { await processes.stopAll() }

    func client(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        network?.wrap(.client, executable, arguments) ?? (executable, arguments)
    }
}
