import FairwayCore

/// How long a signed message stays acceptable, by the receiver's clock: the replay window and
/// the clock skew tolerated between nodes. Every REP socket applies it to requests, and the
/// coordinator to the agent proofs edges relay.
public struct ReplayPolicy: Sendable, Hashable {
    /// A message sent longer ago than this is refused as `stale`; duplicates inside it get the
    /// original reply. Default 120000 ms (2 min).
    public var windowMilliseconds: Int64 = 120_000
    /// How far in the future a `sent_at` may lie (clock skew between nodes). Default 30000 ms.
    public var maxClockSkewMilliseconds: Int64 = 30_000

    public init() {}

    public init(windowMilliseconds: Int64, maxClockSkewMilliseconds: Int64) {
        self.windowMilliseconds = windowMilliseconds
        self.maxClockSkewMilliseconds = maxClockSkewMilliseconds
    }

    /// Why a message sent at `sentAt` is outside the window at `now`, or nil if it is inside.
    /// - Parameters:
    ///   - what: the message, for the error text ("message", "agent proof").
    ///   - field / peer: where to point the refusal.
    public func staleness(sentAt: Timestamp, now: Timestamp, what: String = "message",
                          field: String = "envelope.sent_at_unix_ms", peer: String = "") -> FairwayError? {
        let age = now.milliseconds(since: sentAt)
        if age > windowMilliseconds {
            return FairwayError(.stale, "\(what) was sent \(age) ms ago; the replay window is \(windowMilliseconds) ms", field: field, peer: peer)
        }
        if -age > maxClockSkewMilliseconds {
            return FairwayError(.stale, "\(what) is dated \(-age) ms in the future; clocks may differ by at most \(maxClockSkewMilliseconds) ms",
                                field: field, peer: peer)
        }
        return nil
    }

    /// Messages sent before this instant can no longer be accepted at `now` (journal pruning).
    public func oldestAcceptable(now: Timestamp) -> Timestamp {
        now.adding(milliseconds: -(windowMilliseconds + maxClockSkewMilliseconds))
    }
}
