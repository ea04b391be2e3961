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
    /// Sessions (wire protocol 2). A client handshakes again once its session is this old,
    /// seconds. Default 120 (WireGuard's REKEY_AFTER_TIME).
    public var sessionRekeyAfterSeconds: Int64 = 120
    /// A client handshakes again after sending this many messages in one session. Default 2^60
    /// (WireGuard's REKEY_AFTER_MESSAGES).
    public var sessionRekeyAfterMessages: Int64 = 1 << 60
    /// A server refuses (`unknown-session`) a session this old, seconds. Default 180
    /// (WireGuard's REJECT_AFTER_TIME); must exceed `sessionRekeyAfterSeconds`.
    public var sessionRejectAfterSeconds: Int64 = 180
    /// Sessions a REP socket keeps; beyond it the oldest goes (its client handshakes again).
    /// Default 100000.
    public var maxSessions: Int = 100_000
    /// Handshakes a REP socket starts per second, all peers together (message 1 names nobody).
    /// Default 2000 (one costs three X25519 operations, about 0.2 ms).
    public var handshakesPerSecond: Double = 2000
    /// Handshakes a REP socket may start at once before the rate applies. Default 2000.
    public var handshakeBurst: Double = 2000
    /// Handshakes each peer may complete per second (message 3 names it). Default 10.
    public var peerHandshakesPerSecond: Double = 10
    /// Handshakes each peer may complete at once. Default 50.
    public var peerHandshakeBurst: Double = 50
    /// Half-open handshakes kept waiting for message 3; beyond it the oldest goes. Default 4096.
    public var maxPendingHandshakes: Int = 4096
    /// How long a half-open handshake waits for message 3, milliseconds. Default 10000.
    public var handshakeTimeoutMilliseconds: Int64 = 10_000
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
        .integer("session.rekey_after_s", \.sessionRekeyAfterSeconds, in: 1...86_400),
        .integer("session.rekey_after_messages", \.sessionRekeyAfterMessages, in: 1...(1 << 62)),
        .integer("session.reject_after_s", \.sessionRejectAfterSeconds, in: 2...172_800),
        .integer("session.max_sessions", \.maxSessions, in: 16...10_000_000),
        .number("session.handshakes_per_second", \.handshakesPerSecond, in: 1e-3...1e6),
        .number("session.handshake_burst", \.handshakeBurst, in: 1...1e7),
        .number("session.peer_handshakes_per_second", \.peerHandshakesPerSecond, in: 1e-3...1e6),
        .number("session.peer_handshake_burst", \.peerHandshakeBurst, in: 1...1e7),
        .integer("session.max_pending_handshakes", \.maxPendingHandshakes, in: 1...10_000_000),
        .integer("session.handshake_timeout_ms", \.handshakeTimeoutMilliseconds, in: 100...600_000),
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
        guard sessionRejectAfterSeconds > sessionRekeyAfterSeconds else {
            throw ConfigError(field: "session.reject_after_s", message: "must exceed session.rekey_after_s (\(sessionRekeyAfterSeconds)), got \(sessionRejectAfterSeconds)")
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
