import FairwayCore

/// The time from an epoch's start until the edge, having fetched that epoch's grants, holds an
/// open lease for every agent attached to it (the new one, or an earlier one still open when the
/// agent's bucket was full) (the issue-14 load target: ≤ 1 s at 10^4 agents). The start comes from the
/// coordinator's epoch announcement; an epoch whose announcement this edge missed is not
/// measured. At most one measurement per epoch: the first moment of full coverage.
struct EpochLeaseLag: Sendable {
    /// Announced starts of the most recent epochs (a few, keyed by epoch).
    private var starts: [UInt64: Timestamp] = [:]
    private var lastCovered: UInt64 = 0

    mutating func onEpochStart(_ epoch: UInt64, at start: Timestamp) {
        starts[epoch] = start
        if starts.count > 8, let oldest = starts.keys.min() { starts[oldest] = nil }
    }

    /// Full coverage of `epoch` observed at `now`: the lag in seconds, the first time for this epoch.
    mutating func onCovered(_ epoch: UInt64, at now: Timestamp) -> Double? {
        guard epoch > lastCovered, let start = starts[epoch] else { return nil }
        lastCovered = epoch
        return Double(max(0, now.milliseconds(since: start))) / 1000
    }
}
