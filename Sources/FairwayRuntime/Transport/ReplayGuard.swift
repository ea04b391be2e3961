import FairwayCore
import FairwayWire

/// Replay protection and idempotency for one REP socket, in memory.
///
/// A request is identified by (sender, message id) and fingerprinted by the digest of its
/// signed bytes. Within the replay window:
/// - a new id is `fresh` (and marked in progress until `complete`);
/// - the same id with the same bytes (an nng REQ resend, or a captured copy) gets the
///   original reply, or `inProgress` while the first copy is still being handled;
/// - the same id with different bytes is refused as `replayed`.
///
/// Outside the window a request is refused as `stale`: older than `window` or more than
/// `skew` in the future, by the receiver's clock. Memory is bounded by `capacity` entries;
/// evicting an entry early raises its sender's *floor* to just after that entry's send time,
/// so an evicted id can never be replayed (it is refused as stale instead).
struct ReplayGuard: Sendable {
    enum Verdict: Sendable, Equatable {
        case fresh
        case resend(reply: [UInt8])
        case inProgress
        case refuse(FairwayError)
    }

    struct Key: Hashable, Sendable {
        var sender: NodeID
        var messageID: MessageID

        /// Hashes the message id alone: 16 random bytes already spread keys evenly, and
        /// hashing the sender's string too doubled the cost of every insert, lookup and
        /// eviction. Equality still compares both.
        func hash(into hasher: inout Hasher) {
            messageID.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    private struct Entry: Sendable {
        var digest: [UInt8]
        var sentAt: Timestamp
        var reply: [UInt8]?
    }

    let policy: ReplayPolicy
    let capacity: Int
    private var entries: [Key: Entry] = [:]
    private var order: [Key] = []
    private var head = 0
    private var floors: [NodeID: Timestamp] = [:]

    init(policy: ReplayPolicy, capacity: Int) {
        self.policy = policy
        self.capacity = max(1, capacity)
    }

    var count: Int { entries.count }

    /// Classifies a verified request received at `now`; a `fresh` one is recorded as in progress.
    mutating func admit(_ key: Key, digest: [UInt8], sentAt: Timestamp, now: Timestamp) -> Verdict {
        expire(now: now)
        if let e = entries[key] {
            guard e.digest == digest else {
                return .refuse(FairwayError(.replayed, "message id \(key.messageID) was already used by \(key.sender) for a different message",
                                            field: "envelope.message_id", peer: key.sender.rawValue))
            }
            return e.reply.map { .resend(reply: $0) } ?? .inProgress
        }
        if let refusal = staleness(key.sender, sentAt: sentAt, now: now) { return .refuse(refusal) }
        if order.count - head >= capacity { evictOldest() }
        entries[key] = Entry(digest: digest, sentAt: sentAt, reply: nil)
        order.append(key)
        return .fresh
    }

    /// For a message whose session counter was already used: `resend` (or `inProgress`) when
    /// it is the exact request already admitted under this id, else `refuse`. Changes nothing.
    func resendVerdict(_ key: Key, digest: [UInt8]) -> Verdict {
        guard let e = entries[key], e.digest == digest else {
            return .refuse(FairwayError(.replayed, "session counter already used for another message", field: "frame.session.counter", peer: key.sender.rawValue))
        }
        return e.reply.map { .resend(reply: $0) } ?? .inProgress
    }

    /// Records the reply to a request `admit` called fresh; later copies get it.
    mutating func complete(_ key: Key, reply: [UInt8]) {
        entries[key]?.reply = reply
    }

    /// Forgets an in-progress request that produced no reply to remember.
    mutating func abandon(_ key: Key) {
        if entries[key]?.reply == nil { entries[key] = nil }
    }

    /// Why a request sent at `sentAt` is outside the window, or nil if it is inside.
    func staleness(_ sender: NodeID, sentAt: Timestamp, now: Timestamp) -> FairwayError? {
        if let refusal = policy.staleness(sentAt: sentAt, now: now, peer: sender.rawValue) { return refusal }
        if let floor = floors[sender], sentAt < floor {
            return FairwayError(.stale, "message predates this sender's replay floor (older entries were evicted under load); resend with a new id",
                                field: "envelope.sent_at_unix_ms", peer: sender.rawValue)
        }
        return nil
    }

    private mutating func expire(now: Timestamp) {
        while head < order.count {
            let k = order[head]
            guard let e = entries[k] else { head += 1; continue }
            guard now.milliseconds(since: e.sentAt) > policy.windowMilliseconds + policy.maxClockSkewMilliseconds else { break }
            entries[k] = nil
            head += 1
        }
        compact()
        if floors.count > 1024 {
            floors = floors.filter { now.milliseconds(since: $0.value) <= policy.windowMilliseconds + policy.maxClockSkewMilliseconds }
        }
    }

    private mutating func evictOldest() {
        while head < order.count {
            let k = order[head]
            head += 1
            if let e = entries.removeValue(forKey: k) {
                floors[k.sender] = max(floors[k.sender] ?? .zero, Timestamp(unixMilliseconds: e.sentAt.unixMilliseconds + 1))
                break
            }
        }
        compact()
    }

    private mutating func compact() {
        if head > 4096 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
