import FairwayCore
import FairwayRuntime
import Foundation

/// The identities an agent process hosts, kept in `<data_dir>/identities` (one id
/// per line) so a restarted process keeps its identities.
public enum AgentIdentities {
    public static func load(directory: String, count: Int, prefix: String?) throws -> [NodeID] {
        try DataDirectory.ensure(directory)
        let path = (directory as NSString).appendingPathComponent("identities")
        var ids: [NodeID] = []
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            ids = try text.split(separator: "\n").enumerated().map { try NodeID(String($1), field: "\(path):\($0 + 1)") }
        }
        let base = prefix ?? ids.first.map { String($0.rawValue[..<($0.rawValue.lastIndex(of: "-") ?? $0.rawValue.endIndex)]) }
            ?? "agent-" + String(UInt32.random(in: 0 ... 0xFFFFFF), radix: 16)
        if prefix != nil, let first = ids.first, !first.rawValue.hasPrefix(base + "-") {
            ids = []  // prefix changed: new identities
        }
        while ids.count < count {
            ids.append(try NodeID("\(base)-\(ids.count)", field: "id_prefix"))
        }
        let all = ids.map(\.rawValue).joined(separator: "\n") + "\n"
        try all.write(toFile: path, atomically: true, encoding: .utf8)
        return Array(ids.prefix(count))
    }
}
