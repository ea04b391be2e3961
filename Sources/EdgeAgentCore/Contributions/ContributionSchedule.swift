import FairwayCore
import FairwayWire

/// When an agent identity releases its next DP contribution (paper 1, §IV): after it joined,
/// `releases` times, `interval` apart, one at a time. What is released (which records, the
/// embedding, clipping and noise) is the shell's work with `PrototypeRelease`; the privacy
/// budget is charged durably before a release leaves (I5). A refused or exhausted budget
/// stops the schedule; a release that got no reply is resent, byte for byte, until its
/// receipt arrives (the coordinator counts a contribution once per message id).
public struct ContributionSchedule: Sendable, Hashable {
    /// YAML `contribute.*`.
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// Releases each identity makes; 0 = none. Default 0.
        public var releases = 0
        /// Time between a receipt and the next release, milliseconds. Default 2000.
        public var intervalMilliseconds: Int64 = 2000

        public init() {}

        public static let fields: [SettingField<Self>] = [
            .integer("releases", \.releases, in: 0...1_000_000),
            .integer("interval_ms", \.intervalMilliseconds, in: 0...86_400_000),
        ]
    }

    public let settings: Settings
    /// Releases acknowledged so far (by receipt).
    public private(set) var acknowledged = 0
    /// Receipts received, newest last (at most `receiptsKept`).
    public private(set) var receipts: [ContributionReceipt] = []
    /// Why the schedule stopped early (budget exhausted, refused), if it did.
    public private(set) var stopped: String?
    private var inFlight = false
    private var due: Timestamp = .zero

    static let receiptsKept = 100
    /// Wait before resending a release that got no reply or a retryable refusal, milliseconds.
    static let retryMilliseconds: Int64 = 500

    public init(settings: Settings, acknowledged: Int = 0) {
        self.settings = settings
        self.acknowledged = acknowledged
    }

    public var finished: Bool { stopped != nil || acknowledged >= settings.releases }

    /// The release due now, if any (its number, from 1).
    mutating func onTick(now: Timestamp, joined: Bool) -> UInt64? {
        guard joined, !inFlight, !finished, now >= due else { return nil }
        inFlight = true
        return UInt64(acknowledged + 1)
    }

    func nextWake(now: Timestamp, joined: Bool) -> Timestamp? {
        guard joined, !inFlight, !finished else { return nil }
        return max(now, due)
    }

    /// The outcome of release `sequence`.
    mutating func onResult(_ result: Result<ContributionReceipt, FairwayError>, now: Timestamp) -> String? {
        inFlight = false
        switch result {
        case .success(let receipt):
            acknowledged += 1
            receipts.append(receipt)
            if receipts.count > Self.receiptsKept { receipts.removeFirst() }
            due = now.adding(milliseconds: settings.intervalMilliseconds)
            return "contribution \(acknowledged) recorded at leaf \(receipt.leafIndex): credit \(receipt.credit), v_n = \(receipt.agentValue)\(receipt.duplicate ? " (resend)" : "")"
        case .failure(let e) where [.noReply, .unavailable, .inProgress, .unknownSender, .stale].contains(e.code):
            due = now.adding(milliseconds: max(Self.retryMilliseconds, e.retryAfterMilliseconds))
            return nil
        case .failure(let e):
            stopped = "\(e)"
            return "contributions stopped: \(e)"
        }
    }
}
