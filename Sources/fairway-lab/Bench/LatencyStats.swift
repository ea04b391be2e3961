/// Round-trip latency samples, in nanoseconds.
struct LatencyStats {
    private(set) var samples: [Int64] = []

    mutating func add(_ d: Duration) {
        let (s, a) = d.components
        samples.append(s * 1_000_000_000 + a / 1_000_000_000)
    }

    mutating func append(contentsOf other: LatencyStats) { samples += other.samples }

    /// The q-quantile (0…1), nearest-rank, in microseconds.
    func quantile(_ q: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let sorted = samples.sorted()
        let rank = min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))
        return Double(sorted[rank]) / 1000
    }

    var count: Int { samples.count }
}
