import FairwayCore
import FairwayWire

/// The one clock of the coordinator's epochs: it decides when an epoch ends (the epoch
/// boundary, which the router then carries through valuation, grants, cloud shares and the
/// contract period, in that order) and when the current epoch is announced.
///
/// Pure: it reads no clock; `onTick(now:)` advances it, and `nextWake` says when it next has
/// something to do.
public struct EpochClock: Sendable, Hashable {
    public enum Directive: Sendable, Hashable {
        /// Epoch `epoch` began at `startedAt`: make it durable (with the boundary's other
        /// writes, in one transaction) before anything about it is announced.
        case persist(epoch: UInt64, startedAt: Timestamp)
        /// Publish the current epoch (a hint to edges; their calls confirm it).
        case announce(EpochAnnouncement)
    }

    /// Epoch length.
    public let epochLength: Duration
    /// How often the current epoch is re-announced (the heartbeat interval).
    public let announceEvery: Duration
    public private(set) var epoch: UInt64
    public private(set) var startedAt: Timestamp
    private var nextAnnouncement: Timestamp = .zero

    public init(epochLength: Duration, announceEvery: Duration, restored: (epoch: UInt64, startedAt: Timestamp)?, now: Timestamp) {
        self.epochLength = epochLength
        self.announceEvery = announceEvery
        self.epoch = restored?.epoch ?? 0
        self.startedAt = restored?.startedAt ?? now
    }

    /// When the next epoch starts.
    public var nextEpochAt: Timestamp { startedAt.adding(epochLength) }

    /// When this clock next has work: the next boundary or announcement.
    public var nextWake: Timestamp { min(nextEpochAt, nextAnnouncement) }

    /// Advances to `now`. Returns the new epoch if a boundary was crossed (at most one per
    /// call: a coordinator that was down does not replay the epochs it missed), and the
    /// directives (persist before announce).
    public mutating func onTick(now: Timestamp, aliveMembers: Int) -> (boundary: UInt64?, directives: [Directive]) {
        var directives: [Directive] = []
        var boundary: UInt64?
        if now >= nextEpochAt {
            epoch += 1
            startedAt = now
            boundary = epoch
            directives.append(.persist(epoch: epoch, startedAt: now))
            nextAnnouncement = .zero  // announce the new epoch at once
        }
        if now >= nextAnnouncement {
            nextAnnouncement = now.adding(announceEvery)
            directives.append(.announce(EpochAnnouncement(epoch: epoch, startedAt: startedAt, aliveMembers: UInt32(aliveMembers), nextEpochAt: nextEpochAt)))
        }
        return (boundary, directives)
    }
}
