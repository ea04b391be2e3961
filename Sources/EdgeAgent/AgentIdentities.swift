import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation

/// One identity an agent process hosts: a display name and its own key (its id is the
/// key's address, which is also its DAT address).
public struct AgentIdentity: Sendable {
    public var name: String
    public var key: NodeKey
    public var id: NodeID { key.nodeID }
}

/// The identities of an agent process, kept under `<data_dir>`: `identities/<i>.key`
/// (mode 0600) and `name-prefix`, so a restarted process keeps its identities.
public enum AgentIdentities {
    public static func load(directory: String, count: Int, prefix: String?) throws -> [AgentIdentity] {
        try DataDirectory.ensure(directory)
        let prefixPath = (directory as NSString).appendingPathComponent("name-prefix")
        let stored = (try? String(contentsOfFile: prefixPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let base = prefix ?? stored ?? "agent-" + randomHex(bytes: 4)
        if stored != base {
            try (base + "\n").write(toFile: prefixPath, atomically: true, encoding: .utf8)
        }
        let keys = (directory as NSString).appendingPathComponent("identities")
        try DataDirectory.ensure(keys)
        return try (0..<count).map { i in
            AgentIdentity(name: "\(base)-\(i)", key: try NodeKeyFile.loadOrCreate((keys as NSString).appendingPathComponent("\(i).key")))
        }
    }
}

/// `bytes` random bytes as zero-padded lowercase hex (name prefixes of anonymous replicas).
func randomHex(bytes: Int) -> String {
    hex((0..<bytes).map { _ in UInt8.random(in: 0 ... 255) })
}
