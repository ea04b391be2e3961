import FairwayCore

/// Where a daemon serves `/metrics` (YAML `metrics.*`, flags `--metrics-address`,
/// `--metrics-allow-remote`). Off by default. Validated once at start.
public struct MetricsSettings: Sendable, Hashable, SettingsSchema {
    /// `host:port` of the HTTP listener serving `GET /metrics` in the Prometheus text format
    /// (e.g. `127.0.0.1:9464`; port 0 picks a free one). "" = no metrics server. Default "".
    public var address = ""
    /// Allow an address that is not loopback (the metrics carry agent ids and shares, and the
    /// listener has no authentication). Default false; the compose cluster sets it, bound
    /// inside its container network only.
    public var allowRemote = false

    public init() {}

    /// Whether a metrics server is configured.
    public var isEnabled: Bool { !address.isEmpty }

    public static let fields: [SettingField<Self>] = [
        .text("address", \.address),
        .custom("allow_remote", \.allowRemote) { value, field in try BoolSetting.parse(value, field) },
    ]

    public func validateCombinations() throws {
        guard isEnabled else { return }
        let endpoint = try MetricsEndpoint(address, field: "address")
        guard allowRemote || endpoint.isLoopback else {
            throw ConfigError(field: "address", message: "\(address) is not a loopback address: the metrics listener has no authentication; "
                + "bind it to 127.0.0.1 (or ::1), or set metrics.allow_remote: true where the network is private")
        }
    }
}

/// A metrics listener address: `host:port`, `[v6]:port`.
public struct MetricsEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int

    /// Parses `host:port`; errors name `field`.
    public init(_ text: String, field: String) throws {
        var host: Substring, port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ConfigError(field: field, message: "expected [host]:port, got \"\(text)\"") }
            port = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ConfigError(field: field, message: "expected host:port, got \"\(text)\"") }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let p = Int(port), (0...65535).contains(p) else {
            throw ConfigError(field: field, message: "expected host:port with a port 0–65535, got \"\(text)\"")
        }
        self.host = String(host)
        self.port = p
    }

    /// `localhost`, 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// `true`/`false` settings (also `yes`/`no`, `on`/`off`, `1`/`0`).
public enum BoolSetting {
    public static func parse(_ value: SettingValue, _ field: String) throws -> Bool {
        switch try value.text(field).lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        case let v: throw ConfigError(field: field, message: "must be true or false, got \(v)")
        }
    }
}
