/// A setting's value as a config file or a flag gives it, before it is parsed.
public indirect enum SettingValue: Sendable, Hashable {
    /// A scalar, as written (`1000`, `open`, `tcp://…`).
    case scalar(String)
    case list([SettingValue])
    case map([String: SettingValue])

    /// The items of a list; a flag gives a list as one comma-separated scalar.
    public func items(_ field: String) throws -> [SettingValue] {
        switch self {
        case .list(let items): return items
        case .scalar(let s): return s.split(separator: ",").map { .scalar(String($0).filter { !$0.isWhitespace }) }.filter { $0 != .scalar("") }
        case .map: throw ConfigError(field: field, message: "must be a list")
        }
    }

    /// The entries of a mapping; a flag gives one as `key=value,key=value`.
    public func entries(_ field: String) throws -> [String: SettingValue] {
        switch self {
        case .map(let m): return m
        case .scalar(let s):
            var out: [String: SettingValue] = [:]
            for pair in s.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).filter { !$0.isWhitespace } }
                guard parts.count == 2 else { throw ConfigError(field: field, message: "expected key=value pairs, got \"\(pair)\"") }
                out[parts[0]] = .scalar(parts[1])
            }
            return out
        case .list: throw ConfigError(field: field, message: "must be a mapping")
        }
    }

    /// The scalar's text, or a `ConfigError` naming `field`.
    public func text(_ field: String) throws -> String {
        guard case .scalar(let s) = self else { throw ConfigError(field: field, message: "must be a single value, not a list or mapping") }
        return s
    }
}

/// One setting of a settings struct, declared once: its YAML key (dotted, e.g.
/// `membership.heartbeat_interval_ms`), where it lives (a key path), how to parse it and the
/// range it must lie in. Config files, flags, the list of known keys and validation are all
/// derived from these.
public struct SettingField<Root>: @unchecked Sendable {
    /// Dotted YAML key; also the field named in errors.
    public let key: String
    let parse: (inout Root, SettingValue, _ field: String) throws -> Void
    let check: (Root, _ field: String) throws -> Void
    /// False for the check-only entry that validates a nested struct's combinations.
    var settable: Bool

    public init(_ key: String, parse: @escaping (inout Root, SettingValue, String) throws -> Void,
                check: @escaping (Root, String) throws -> Void = { _, _ in }) {
        self.key = key
        self.parse = parse
        self.check = check
        self.settable = true
    }

    /// Runs a nested struct's `validateCombinations`, naming its fields under `prefix`.
    init<Inner: SettingsSchema>(combinationsOf path: WritableKeyPath<Root, Inner>, prefix: String) {
        self.key = prefix
        self.parse = { _, _, _ in }
        self.settable = false
        self.check = { root, _ in
            do { try root[keyPath: path].validateCombinations() } catch var e as ConfigError {
                if !prefix.isEmpty { e.field = "\(prefix).\(e.field)" }
                throw e
            }
        }
    }

    /// An integer setting in `range` (units in the key's name, e.g. `_ms`).
    public static func integer<T: FixedWidthInteger & Sendable>(_ key: String, _ path: WritableKeyPath<Root, T>, in range: ClosedRange<T>) -> Self {
        Self(key, parse: { root, value, field in
            let text = try value.text(field)
            guard let v = T(text.replacing("_", with: "")) else {
                throw ConfigError(field: field, message: "must be a whole number, got \"\(text)\"")
            }
            root[keyPath: path] = v
        }, check: { root, field in
            let v = root[keyPath: path]
            guard range.contains(v) else { throw ConfigError(field: field, message: "must be \(range.lowerBound)–\(range.upperBound), got \(v)") }
        })
    }

    /// A finite number in `range`.
    public static func number(_ key: String, _ path: WritableKeyPath<Root, Double>, in range: ClosedRange<Double>) -> Self {
        Self(key, parse: { root, value, field in
            let text = try value.text(field)
            guard let v = Double(text) else { throw ConfigError(field: field, message: "must be a number, got \"\(text)\"") }
            root[keyPath: path] = v
        }, check: { root, field in
            let v = root[keyPath: path]
            guard v.isFinite, range.contains(v) else { throw ConfigError(field: field, message: "must be a finite number in [\(range.lowerBound), \(range.upperBound)], got \(v)") }
        })
    }

    /// Text, optionally checked.
    public static func text(_ key: String, _ path: WritableKeyPath<Root, String>, check: @escaping (String, String) throws -> Void = { _, _ in }) -> Self {
        Self(key, parse: { root, value, field in root[keyPath: path] = try value.text(field) },
             check: { root, field in try check(root[keyPath: path], field) })
    }

    /// Optional text (absent = the documented default).
    public static func text(_ key: String, _ path: WritableKeyPath<Root, String?>, check: @escaping (String, String) throws -> Void = { _, _ in }) -> Self {
        Self(key, parse: { root, value, field in root[keyPath: path] = try value.text(field) },
             check: { root, field in if let v = root[keyPath: path] { try check(v, field) } })
    }

    /// An nng URL.
    public static func url(_ key: String, _ path: WritableKeyPath<Root, String>) -> Self {
        text(key, path, check: URLCheck.validate)
    }

    /// An optional nng URL.
    public static func url(_ key: String, _ path: WritableKeyPath<Root, String?>) -> Self {
        text(key, path, check: URLCheck.validate)
    }

    /// A list of text; a flag may give it comma-separated.
    public static func list(_ key: String, _ path: WritableKeyPath<Root, [String]>, check: @escaping ([String], String) throws -> Void = { _, _ in }) -> Self {
        Self(key, parse: { root, value, field in
            switch value {
            case .list(let items): root[keyPath: path] = try items.enumerated().map { try $1.text("\(field)[\($0)]") }
            case .scalar(let s): root[keyPath: path] = s.split(separator: ",").map { String($0).trimmingCharacters(in: " ") }
            case .map: throw ConfigError(field: field, message: "must be a list")
            }
        }, check: { root, field in try check(root[keyPath: path], field) })
    }

    /// One of an enum's raw values (e.g. `multimodal | image-only | none`).
    public static func choice<T: RawRepresentable & CaseIterable & Sendable>(_ key: String, _ path: WritableKeyPath<Root, T>) -> Self where T.RawValue == String {
        custom(key, path) { value, field in
            let text = try value.text(field)
            guard let v = T(rawValue: text) else {
                throw ConfigError(field: field, message: "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
            }
            return v
        }
    }

    /// A value parsed by `parse` (an enum, an id): `parse` throws `ConfigError` naming the field.
    public static func custom<T>(_ key: String, _ path: WritableKeyPath<Root, T>, _ parse: @escaping (SettingValue, String) throws -> T) -> Self {
        Self(key, parse: { root, value, field in root[keyPath: path] = try parse(value, field) })
    }

    /// The same field on a containing struct, under `prefix.`.
    public func nested<Outer>(in path: WritableKeyPath<Outer, Root>, prefix: String) -> SettingField<Outer> {
        let parse = self.parse, check = self.check
        var outer = SettingField<Outer>(prefix.isEmpty ? key : "\(prefix).\(key)",
                                        parse: { outer, value, field in try parse(&outer[keyPath: path], value, field) },
                                        check: { outer, field in try check(outer[keyPath: path], field) })
        outer.settable = settable
        return outer
    }
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}

/// A settings struct whose fields are declared once, in `fields`.
public protocol SettingsSchema {
    /// Every setting, with its YAML key, parser and range.
    static var fields: [SettingField<Self>] { get }
    /// Checks that involve several fields (e.g. dead after suspect). Default: none.
    func validateCombinations() throws
}

extension SettingsSchema {
    public func validateCombinations() throws {}

    /// Every dotted key a config file may hold.
    public static var knownKeys: Set<String> { Set(fields.filter(\.settable).map(\.key)) }

    /// `Self.fields` under `prefix.`, reached through `path`, with `validateCombinations`.
    public static func fields<Outer>(in path: WritableKeyPath<Outer, Self>, prefix: String) -> [SettingField<Outer>] {
        fields.map { $0.nested(in: path, prefix: prefix) } + [SettingField<Outer>(combinationsOf: path, prefix: prefix)]
    }

    /// Sets the setting `key` from `value`.
    /// - Parameter source: how the caller names the setting in errors (a flag such as
    ///   `--epoch-ms`); default the key itself.
    public mutating func set(_ key: String, _ value: SettingValue, source: String? = nil) throws {
        guard let field = Self.fields.first(where: { $0.settable && $0.key == key }) else {
            throw ConfigError(field: source ?? key, message: "unknown setting; known settings are: \(Self.knownKeys.sorted().joined(separator: ", "))")
        }
        try field.parse(&self, value, source ?? key)
    }

    /// Every field in its range, then the combinations. Throws the first `ConfigError`, its
    /// field named under `prefix` (e.g. `transport.workers` for a nested struct checked alone).
    public func validateSettings(prefix: String = "") throws {
        do {
            for field in Self.fields { try field.check(self, field.key) }
            try validateCombinations()
        } catch var e as ConfigError where !prefix.isEmpty {
            e.field = "\(prefix).\(e.field)"
            throw e
        }
    }
}
