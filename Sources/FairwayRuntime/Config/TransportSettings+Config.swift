import NNG

/// YAML form of `TransportSettings` (every key optional; absent = default).
public struct TransportConfig: Codable, Sendable {
    public var max_message_bytes: Int?
    public var request_timeout_ms: Int64?
    public var send_timeout_ms: Int64?
    public var resend_ms: Int64?
    public var reconnect_min_ms: Int64?
    public var reconnect_max_ms: Int64?
    public var workers: Int?
    public var reply_cache_entries: Int?
    public var replay_window_ms: Int64?
    public var max_clock_skew_ms: Int64?
    public var peer_rate_per_second: Double?
    public var peer_burst: Double?
    public var tls: TLSConfig?

    /// `transport.tls`: mutual TLS for `tls+tcp://` URLs (see scripts/gen-certs.sh).
    public struct TLSConfig: Codable, Sendable {
        public var ca_file: String?
        public var cert_key_file: String?
    }

    public static func knownKeys(prefix: String) -> Set<String> {
        Set(["max_message_bytes", "request_timeout_ms", "send_timeout_ms", "resend_ms", "reconnect_min_ms",
             "reconnect_max_ms", "workers", "reply_cache_entries", "replay_window_ms", "max_clock_skew_ms", "peer_rate_per_second", "peer_burst", "tls.ca_file", "tls.cert_key_file"].map { "\(prefix).\($0)" })
    }
}

extension TransportSettings {
    /// Overlays the values present in `config`.
    public mutating func apply(_ config: TransportConfig?) throws {
        guard let c = config else { return }
        if let v = c.max_message_bytes { maxMessageBytes = v }
        if let v = c.request_timeout_ms { requestTimeoutMilliseconds = v }
        if let v = c.send_timeout_ms { sendTimeoutMilliseconds = v }
        if let v = c.resend_ms { resendMilliseconds = v }
        if let v = c.reconnect_min_ms { reconnectMinMilliseconds = v }
        if let v = c.reconnect_max_ms { reconnectMaxMilliseconds = v }
        if let v = c.workers { workers = v }
        if let v = c.reply_cache_entries { replyCacheEntries = v }
        if let v = c.replay_window_ms { replayWindowMilliseconds = v }
        if let v = c.max_clock_skew_ms { maxClockSkewMilliseconds = v }
        if let v = c.peer_rate_per_second { peerRatePerSecond = v }
        if let v = c.peer_burst { peerBurst = v }
        if let t = c.tls { try setTLS(caFile: t.ca_file, certKeyFile: t.cert_key_file) }
    }

    /// Sets TLS from a CA file and a certificate+key file; both or neither.
    public mutating func setTLS(caFile: String?, certKeyFile: String?) throws {
        switch (caFile, certKeyFile) {
        case (nil, nil): return
        case (let ca?, let ck?): tls = TLSOptions(certificateAndKeyFile: ck, caFile: ca)
        default: throw ConfigError(field: "transport.tls", message: "give both ca_file and cert_key_file")
        }
    }
}
