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

    public static func knownKeys(prefix: String) -> Set<String> {
        Set(["max_message_bytes", "request_timeout_ms", "send_timeout_ms", "resend_ms", "reconnect_min_ms",
             "reconnect_max_ms", "workers", "reply_cache_entries"].map { "\(prefix).\($0)" })
    }
}

extension TransportSettings {
    /// Overlays the values present in `config`.
    public mutating func apply(_ config: TransportConfig?) {
        guard let c = config else { return }
        if let v = c.max_message_bytes { maxMessageBytes = v }
        if let v = c.request_timeout_ms { requestTimeoutMilliseconds = v }
        if let v = c.send_timeout_ms { sendTimeoutMilliseconds = v }
        if let v = c.resend_ms { resendMilliseconds = v }
        if let v = c.reconnect_min_ms { reconnectMinMilliseconds = v }
        if let v = c.reconnect_max_ms { reconnectMaxMilliseconds = v }
        if let v = c.workers { workers = v }
        if let v = c.reply_cache_entries { replyCacheEntries = v }
    }
}
