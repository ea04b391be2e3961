import Foundation
import NNG

/// Settings of every socket a daemon opens. Validated once at start.
public struct TransportSettings: Sendable, Hashable {
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
    /// Idempotency cache: replies remembered per sender (per REP socket). When a sender
    /// overflows it, its oldest entries go and the sender's replay floor rises to their send
    /// time, so an evicted id can never be replayed. Default 10000.
    public var replyCacheEntries: Int = 10_000
    /// Replay window, milliseconds: a request whose `sent_at` is older than this (by the
    /// receiver's clock) is refused as `stale`. Duplicates inside the window get the
    /// original reply. Default 120000 (2 min).
    public var replayWindowMilliseconds: Int64 = 120_000
    /// How far in the future a `sent_at` may lie (clock skew between nodes), milliseconds.
    /// Later ones are refused as `stale`. Default 30000.
    public var maxClockSkewMilliseconds: Int64 = 30_000
    /// Requests per second each sender may make on average (per REP socket). Default 1000
    /// (an edge server relays its agents' joins under its own id, so it needs headroom).
    public var peerRatePerSecond: Double = 1000
    /// Requests each sender may make at once before the rate applies. Default 2000.
    public var peerBurst: Double = 2000
    /// Certificates for `tls+tcp://` endpoints (mutual TLS). Required when any URL uses it.
    public var tls: TLSOptions?

    public init() {}

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

    public func validate(prefix: String = "transport") throws {
        func check(_ ok: Bool, _ field: String, _ what: String) throws {
            if !ok { throw ConfigError(field: "\(prefix).\(field)", message: what) }
        }
        try check((1024...(256 << 20)).contains(maxMessageBytes), "max_message_bytes", "must be 1 KiB–256 MiB, got \(maxMessageBytes)")
        try check((10...600_000).contains(requestTimeoutMilliseconds), "request_timeout_ms", "must be 10–600000, got \(requestTimeoutMilliseconds)")
        try check((10...600_000).contains(sendTimeoutMilliseconds), "send_timeout_ms", "must be 10–600000, got \(sendTimeoutMilliseconds)")
        try check((10...600_000).contains(resendMilliseconds), "resend_ms", "must be 10–600000, got \(resendMilliseconds)")
        try check((1...60_000).contains(reconnectMinMilliseconds), "reconnect_min_ms", "must be 1–60000, got \(reconnectMinMilliseconds)")
        try check(reconnectMaxMilliseconds >= reconnectMinMilliseconds && reconnectMaxMilliseconds <= 600_000, "reconnect_max_ms", "must be ≥ reconnect_min_ms and ≤ 600000, got \(reconnectMaxMilliseconds)")
        try check((1...256).contains(workers), "workers", "must be 1–256, got \(workers)")
        try check((16...10_000_000).contains(replyCacheEntries), "reply_cache_entries", "must be 16–10000000, got \(replyCacheEntries)")
        try check((1000...86_400_000).contains(replayWindowMilliseconds), "replay_window_ms", "must be 1000–86400000, got \(replayWindowMilliseconds)")
        try check((0...3_600_000).contains(maxClockSkewMilliseconds), "max_clock_skew_ms", "must be 0–3600000, got \(maxClockSkewMilliseconds)")
        try check(peerRatePerSecond.isFinite && peerRatePerSecond > 0 && peerRatePerSecond <= 1e7, "peer_rate_per_second", "must be > 0 and ≤ 1e7, got \(peerRatePerSecond)")
        try check(peerBurst.isFinite && peerBurst >= 1 && peerBurst <= 1e8, "peer_burst", "must be 1–1e8, got \(peerBurst)")
        if let tls {
            for (field, path) in [("tls.ca_file", tls.caFile), ("tls.cert_key_file", tls.certificateAndKeyFile)] {
                try check(FileManager.default.isReadableFile(atPath: path), field, "cannot read \(path)")
            }
        }
    }
}
