import FairwayCore
import FairwayWire

/// Remembers the encoded reply to each (sender, message id) so that a resent or
/// replayed request gets the original reply instead of being handled twice.
///
/// Bounded: holds at most `capacity` entries, evicting the oldest first.
/// In memory; durable replay protection arrives with signed envelopes.
struct ReplyCache: Sendable {
    struct Key: Hashable, Sendable {
        var sender: NodeID
        var messageID: MessageID
    }

    let capacity: Int
    private var replies: [Key: [UInt8]] = [:]
    private var order: [Key] = []
    private var head = 0

    init(capacity: Int) { self.capacity = capacity }

    func reply(for key: Key) -> [UInt8]? { replies[key] }

    mutating func insert(_ reply: [UInt8], for key: Key) {
        guard capacity > 0, replies[key] == nil else { return }
        if order.count - head >= capacity {
            replies[order[head]] = nil
            head += 1
            if head > 4096 && head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
        }
        replies[key] = reply
        order.append(key)
    }

    var count: Int { replies.count }
}
