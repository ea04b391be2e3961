import FairwayCore
import Foundation
import Yams

/// Reads a daemon's YAML config file onto its settings (`SettingsSchema`).
///
/// Unknown keys are refused (a typo must not silently fall back to a default), and every
/// error names the offending key path and the file.
public enum ConfigFile {
    /// Overlays the settings in the YAML file at `path` on `settings`.
    public static func apply<S: SettingsSchema>(_ path: String, to settings: inout S) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(field: "--config", message: "cannot read \(path): \(error.localizedDescription)")
        }
        try apply(yaml: text, to: &settings, file: path)
    }

    /// Overlays the settings in YAML text on `settings` (an empty document changes nothing).
    public static func apply<S: SettingsSchema>(yaml: String, to settings: inout S, file: String? = nil) throws {
        do {
            for (key, value) in try values(yaml: yaml, knownKeys: S.knownKeys) { try settings.set(key, value) }
        } catch var e as ConfigError {
            e.file = e.file ?? file
            throw e
        }
    }

    /// The settings a YAML document gives, by dotted key, in document order.
    /// A known key whose value is a mapping or list (e.g. `tokens.values`, `edges`) is one leaf.
    public static func values(yaml: String, knownKeys: Set<String>) throws -> [(String, SettingValue)] {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError(field: "(document)", message: "not valid YAML: \(error)")
        }
        guard let node else { return [] }
        guard node.mapping != nil else {
            throw ConfigError(field: "(document)", message: "top level must be a mapping of settings")
        }
        var out: [(String, SettingValue)] = []
        try collect(node, prefix: "", known: knownKeys, into: &out)
        return out
    }

    private static func collect(_ node: Node, prefix: String, known: Set<String>, into out: inout [(String, SettingValue)]) throws {
        guard let mapping = node.mapping else { return }
        for (k, v) in mapping {
            let key = prefix.isEmpty ? (k.string ?? "?") : "\(prefix).\(k.string ?? "?")"
            if known.contains(key) {
                out.append((key, value(v)))
            } else if v.mapping != nil, known.contains(where: { $0.hasPrefix(key + ".") }) {
                try collect(v, prefix: key, known: known, into: &out)
            } else {
                throw ConfigError(field: key, message: "unknown setting; known settings are: \(known.sorted().joined(separator: ", "))")
            }
        }
    }

    private static func value(_ node: Node) -> SettingValue {
        if let m = node.mapping {
            var out: [String: SettingValue] = [:]
            for (k, v) in m { out[k.string ?? "?"] = value(v) }
            return .map(out)
        }
        if let s = node.sequence { return .list(s.map(value)) }
        return .scalar(node.string ?? "")
    }
}
