import FairwayCore
import FairwayWire
import Foundation
import NNG

/// Settings of every socket a daemon opens (YAML `transport.*`). Validated once at start.
public struct TransportSettings: Sendable, Hashable, SettingsSchema {
    /// Largest envelope the application accepts, bytes. Larger ones get a
    /// `message-too-large` error reply. Default 1 MiB.
    public var maxMessageBytes: Int = 1 << 20
    /// Deadline of one request/reply exchange, milliseconds. Default 2000.
    public var requestTimeoutMilliseconds: Int64 = 2000
    /// Deadline of sending a reply or publication, milliseconds. Default 1000.
    public var sendTimeoutMilliseconds: Int64 = 1000
    /// REQ resend interval, milliseconds (nng resends unanswered requests). Default 1000.
    public var resendMilliseconds: Int64 = 1000
    /// Minimum/maximum dial reconnect backoff, milliseconds. Defaults 100 / 2000.
    public var reconnectMinMilliseconds: Int64 = 100
    public var reconnectMaxMilliseconds: Int64 = 2000
    /// Concurrent request workers (nng contexts) per REP socket. Default 8.
    public var workers: Int = 8
    /// Idempotency cache: replies remembered per REP socket. When it overflows, the oldest
    /// entries go and their senders' replay floors rise to their send time, so an evicted id
    /// can never be replayed. Default 10000.
    public var replyCacheEntries: Int = 10_000
    /// Replay window and clock skew (`replay_window_ms`, `max_clock_skew_ms`).
    public var replay = ReplayPolicy()
    /// Requests per second each sender may make on average (per REP socket). Default 1000
    /// (an edge server relays its agents' joins under its own id, so it needs headroom).
    public var peerRatePerSecond: Double = 1000
    /// Requests each sender may make at once before the rate applies. Default 2000.
    public var peerBurst: Double = 2000
    /// CA certificate(s) (PEM) for `tls+tcp://` peers; with `tlsCertKeyFile`, or neither.
    public var tlsCAFile: String?
    /// This node's certificate and key (PEM) for `tls+tcp://`.
    public var tlsCertKeyFile: String?

    public init() {}

    public static let fields: [SettingField<Self>] = [
        .integer("max_message_bytes", \.maxMessageBytes, in: 1024...(256 << 20)),
        .integer("request_timeout_ms", \.requestTimeoutMilliseconds, in: 10...600_000),
        .integer("send_timeout_ms", \.sendTimeoutMilliseconds, in: 10...600_000),
        .integer("resend_ms", \.resendMilliseconds, in: 10...600_000),
        .integer("reconnect_min_ms", \.reconnectMinMilliseconds, in: 1...60_000),
        .integer("reconnect_max_ms", \.reconnectMaxMilliseconds, in: 1...600_000),
        .integer("workers", \.workers, in: 1...256),
        .integer("reply_cache_entries", \.replyCacheEntries, in: 16...10_000_000),
        .integer("replay_window_ms", \.replay.windowMilliseconds, in: 1000...86_400_000),
        .integer("max_clock_skew_ms", \.replay.maxClockSkewMilliseconds, in: 0...3_600_000),
        .number("peer_rate_per_second", \.peerRatePerSecond, in: 1e-3...1e7),
        .number("peer_burst", \.peerBurst, in: 1...1e8),
        .text("tls.ca_file", \.tlsCAFile, check: readable),
        .text("tls.cert_key_file", \.tlsCertKeyFile, check: readable),
    ]

    public func validateCombinations() throws {
        guard reconnectMaxMilliseconds >= reconnectMinMilliseconds else {
            throw ConfigError(field: "reconnect_max_ms", message: "must be ≥ reconnect_min_ms (\(reconnectMinMilliseconds)), got \(reconnectMaxMilliseconds)")
        }
        guard (tlsCAFile == nil) == (tlsCertKeyFile == nil) else {
            throw ConfigError(field: "tls", message: "give both ca_file and cert_key_file, or neither")
        }
    }

    private static func readable(_ path: String, _ field: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else { throw ConfigError(field: field, message: "cannot read \(path)") }
    }

    /// Validates every setting; errors name `transport.<key>`.
    public func validate() throws { try validateSettings(prefix: "transport") }

    /// Mutual TLS for `tls+tcp://` endpoints, when both files are set.
    public var tls: TLSOptions? {
        guard let tlsCAFile, let tlsCertKeyFile else { return nil }
        return TLSOptions(certificateAndKeyFile: tlsCertKeyFile, caFile: tlsCAFile)
    }

    /// Sets TLS from a CA file and a certificate+key file: both or neither.
    public mutating func setTLS(caFile: String?, certKeyFile: String?) throws {
        guard (caFile == nil) == (certKeyFile == nil) else {
            throw ConfigError(field: "transport.tls", message: "give both ca_file and cert_key_file")
        }
        if let caFile { tlsCAFile = caFile }
        if let certKeyFile { tlsCertKeyFile = certKeyFile }
    }

    /// Binds `socket` to `url`, with TLS for `tls+tcp://`. Returns the bound TCP port.
    public func listen(_ socket: Socket, _ url: String) throws -> Int? {
        if url.hasPrefix("tls+tcp://") {
            guard let tls else { throw ConfigError(field: "transport.tls", message: "\(url) needs tls.ca_file and tls.cert_key_file") }
            return try socket.listen(url, tls: tls)
        }
        return try socket.listenReturningPort(url)
    }

    /// Dials `url` from `socket` (non-blocking), with TLS for `tls+tcp://`.
    public func dial(_ socket: Socket, _ url: String) throws {
        if url.hasPrefix("tls+tcp://") {
            guard let tls else { throw ConfigError(field: "transport.tls", message: "\(url) needs tls.ca_file and tls.cert_key_file") }
            return try socket.dial(url, tls: tls)
        }
        try socket.dial(url)
    }

    /// nng drops (closes the pipe on) anything larger than this; set above
    /// `maxMessageBytes` so oversize envelopes up to it still get an error reply.
    public var transportMaxMessageBytes: Int { maxMessageBytes * 4 + 64 * 1024 }

    public func socketOptions() -> SocketOptions {
        var o = SocketOptions()
        o.maxMessageBytes = transportMaxMessageBytes
        o.sendTimeout = .milliseconds(sendTimeoutMilliseconds)
        o.receiveTimeout = .milliseconds(requestTimeoutMilliseconds)
        o.requestResend = .milliseconds(resendMilliseconds)
        o.reconnectMin = .milliseconds(reconnectMinMilliseconds)
        o.reconnectMax = .milliseconds(reconnectMaxMilliseconds)
        return o
    }
}
