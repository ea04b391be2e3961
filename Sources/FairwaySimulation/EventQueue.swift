/// Events ordered by time, then by the order they were scheduled (so runs are deterministic).
struct EventQueue {
    private var items: [(time: Int64, seq: UInt64, event: SimEvent)] = []
    private var seq: UInt64 = 0

    var count: Int { items.count }

    mutating func push(_ event: SimEvent, at time: Int64) {
        seq += 1
        // Kept sorted descending, so the earliest is last.
        var lo = 0, hi = items.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let m = items[mid]
            if m.time > time || (m.time == time && m.seq > seq) { lo = mid + 1 } else { hi = mid }
        }
        items.insert((time, seq, event), at: lo)
    }

    mutating func pop() -> (time: Int64, event: SimEvent)? {
        guard let last = items.popLast() else { return nil }
        return (last.time, last.event)
    }
}
