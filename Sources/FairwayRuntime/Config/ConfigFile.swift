import Foundation
import Yams

/// Reads a daemon's YAML config file into a `Decodable` overlay.
///
/// Unknown keys are refused (a typo must not silently fall back to a default),
/// and decoding errors name the offending key path.
public enum ConfigFile {
    /// Decodes `T` from the YAML file at `path`.
    /// - Parameter knownKeys: every dotted key path `T` understands; others are refused.
    public static func load<T: Decodable>(_ type: T.Type, from path: String, knownKeys: Set<String>) throws -> T {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(field: "--config", message: "cannot read \(path): \(error.localizedDescription)")
        }
        return try decode(type, yaml: text, knownKeys: knownKeys, file: path)
    }

    /// Decodes `T` from YAML text (an empty document decodes as an empty mapping).
    public static func decode<T: Decodable>(_ type: T.Type, yaml: String, knownKeys: Set<String>, file: String? = nil) throws -> T {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError(field: "(document)", message: "not valid YAML: \(error)", file: file)
        }
        guard let node else { return try decodeEmpty(type, file: file) }
        guard node.mapping != nil else {
            throw ConfigError(field: "(document)", message: "top level must be a mapping of settings", file: file)
        }
        var found: [String] = []
        collectKeys(node, prefix: "", known: knownKeys, into: &found)
        if let unknown = found.first(where: { !knownKeys.contains($0) }) {
            let suggestions = knownKeys.sorted().joined(separator: ", ")
            throw ConfigError(field: unknown, message: "unknown setting; known settings are: \(suggestions)", file: file)
        }
        do {
            return try YAMLDecoder().decode(type, from: node)
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx), let DecodingError.dataCorrupted(ctx) {
            throw ConfigError(field: path(ctx.codingPath), message: ctx.debugDescription, file: file)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw ConfigError(field: path(ctx.codingPath + [key]), message: "required setting is missing", file: file)
        } catch {
            throw ConfigError(field: "(document)", message: "\(error)", file: file)
        }
    }

    private static func decodeEmpty<T: Decodable>(_ type: T.Type, file: String?) throws -> T {
        do {
            return try YAMLDecoder().decode(type, from: "{}")
        } catch {
            throw ConfigError(field: "(document)", message: "\(error)", file: file)
        }
    }

    /// Dotted paths of the leaves; a known key whose value is a mapping (e.g. `tokens.values`,
    /// a free-form map) is one leaf.
    private static func collectKeys(_ node: Node, prefix: String, known: Set<String>, into keys: inout [String]) {
        guard let mapping = node.mapping else { return }
        for (k, v) in mapping {
            let key = prefix.isEmpty ? (k.string ?? "?") : "\(prefix).\(k.string ?? "?")"
            if v.mapping != nil && !known.contains(key) {
                collectKeys(v, prefix: key, known: known, into: &keys)
            } else {
                keys.append(key)
            }
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
