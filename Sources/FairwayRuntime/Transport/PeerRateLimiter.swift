import FairwayCore

/// Per-sender token buckets: each sender may make `ratePerSecond` requests per second
/// on average and `burst` at once. Pure (time is an input); bounded memory: when more
/// than `maxPeers` senders are tracked, the idlest half is forgotten (a forgotten
/// sender starts again with a full bucket, which only ever errs towards serving).
struct PeerRateLimiter: Sendable {
    let ratePerSecond: Double
    let burst: Double
    let maxPeers: Int
    private var buckets: [NodeID: (tokens: Double, updated: Timestamp)] = [:]

    init(ratePerSecond: Double, burst: Double, maxPeers: Int = 100_000) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.maxPeers = maxPeers
    }

    /// Takes one request's token for `peer`. Returns nil if admitted, or the
    /// milliseconds after which a token will be available.
    mutating func admit(_ peer: NodeID, now: Timestamp) -> Int64? {
        var (tokens, updated) = buckets[peer] ?? (burst, now)
        let elapsed = Double(max(0, now.milliseconds(since: updated))) / 1000
        tokens = min(burst, tokens + elapsed * ratePerSecond)
        guard tokens >= 1 else {
            buckets[peer] = (tokens, now)
            return Int64(((1 - tokens) / ratePerSecond * 1000).rounded(.up))
        }
        buckets[peer] = (tokens - 1, now)
        if buckets.count > maxPeers { evictIdlest() }
        return nil
    }

    private mutating func evictIdlest() {
        let keep = buckets.sorted { $0.value.updated > $1.value.updated }.prefix(maxPeers / 2)
        buckets = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
    }

    var trackedPeers: Int { buckets.count }
}
