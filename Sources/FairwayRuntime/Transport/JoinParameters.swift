import FairwayCore
import FairwayWire

/// What a node's join reply tells the joining node beyond membership: where epoch
/// announcements are published and the replying node's replay window, so that a client needs
/// nothing from `cluster.json` (`join_accepted.epoch_url`, `replay_window_ms`,
/// `max_clock_skew_ms`; the coordinator sets `epoch_ms`). Filled by the shells, which own
/// these settings; the role instances leave them empty.
public struct JoinParameters: Sendable {
    /// Epoch PUB URL as the joining node should dial it.
    public var epochURL: String
    /// The replying node's replay policy (window and clock skew, milliseconds).
    public var replay: ReplayPolicy

    public init(epochURL: String, replay: ReplayPolicy) {
        self.epochURL = epochURL
        self.replay = replay
    }

    /// `reply` with the parameters filled in when it is a join acceptance; other replies unchanged.
    public func fill(_ reply: Payload) -> Payload {
        guard case .joinAccepted(var accepted) = reply else { return reply }
        accepted.epochURL = epochURL
        accepted.replayWindowMilliseconds = replay.windowMilliseconds
        accepted.maxClockSkewMilliseconds = replay.maxClockSkewMilliseconds
        return .joinAccepted(accepted)
    }
}
