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
            ?? "agent-" + randomHex(bytes: 4)
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

/// `bytes` random bytes as zero-padded lowercase hex (identity prefixes of anonymous replicas).
func randomHex(bytes: Int) -> String {
    (0..<bytes).map { _ in
        let b = UInt8.random(in: 0 ... 255)
        return (b < 16 ? "0" : "") + String(b, radix: 16)
    }.joined()
}
