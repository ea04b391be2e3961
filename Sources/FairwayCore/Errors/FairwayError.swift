/// The error type of Fairway's protocol layer: a code plus where it happened.
///
/// It crosses the wire as `ErrorReply` (code, message, field, retry-after), so a
/// refusal at a remote node reads the same as a local one.
public struct FairwayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure. Raw values match `fairway.v1.ErrorReply.Code`.
    public enum Code: Int, Sendable, Hashable, Codable, CaseIterable {
        case unspecified = 0
        case malformed = 1
        case unsupportedVersion = 2
        case messageTooLarge = 3
        case unknownSender = 4
        case invalidField = 5
        case unexpectedPayload = 6
        case unavailable = 7
        case `internal` = 8
        /// Signature missing or invalid, or the sender is not the address of the signing key.
        case unauthenticated = 9
        /// `sent_at` lies outside the receiver's replay window (too old or in the future).
        case stale = 10
        /// The sender already used this message id for a different message.
        case replayed = 11
        /// The coordinator's admission policy does not admit this public key.
        case notAdmitted = 12
        /// Not enough tokens for the request; `retryAfterMilliseconds` says when the next grant lands.
        case insufficientTokens = 13
        /// The receiver is still handling an earlier copy of this message id: resend the same
        /// bytes after `retryAfterMilliseconds`.
        case inProgress = 14
        /// The edge's own inference capacity and its cloud share (Fair-Synergy) are used up;
        /// `retryAfterMilliseconds` says when capacity frees.
        case capacityExhausted = 15
        /// The receiver has no session with this id (it expired, or the receiver restarted):
        /// handshake again and resend. Clients do this transparently.
        case unknownSession = 16
        /// Local only, never sent: no valid reply arrived before the deadline
        /// (peer down, partitioned or overloaded). Mapped to `unavailable` on the wire.
        case noReply = 100

        public var name: String {
            switch self {
            case .unspecified: "unspecified"
            case .malformed: "malformed"
            case .unsupportedVersion: "unsupported-version"
            case .messageTooLarge: "message-too-large"
            case .unknownSender: "unknown-sender"
            case .invalidField: "invalid-field"
            case .unexpectedPayload: "unexpected-payload"
            case .unavailable: "unavailable"
            case .internal: "internal"
            case .unauthenticated: "unauthenticated"
            case .stale: "stale"
            case .replayed: "replayed"
            case .notAdmitted: "not-admitted"
            case .insufficientTokens: "insufficient-tokens"
            case .inProgress: "in-progress"
            case .capacityExhausted: "capacity-exhausted"
            case .unknownSession: "unknown-session"
            case .noReply: "no-reply"
            }
        }
    }

    public var code: Code
    /// What was wrong, for a person.
    public var message: String
    /// Where: the offending field path (e.g. `envelope.protocol_version`), or "".
    public var field: String
    /// The peer involved, when known (sender of a bad request, or remote node that refused).
    public var peer: String
    /// Retry after this many milliseconds; 0 = do not retry unchanged.
    public var retryAfterMilliseconds: Int64

    public init(_ code: Code, _ message: String, field: String = "", peer: String = "", retryAfterMilliseconds: Int64 = 0) {
        self.code = code
        self.message = message
        self.field = field
        self.peer = peer
        self.retryAfterMilliseconds = retryAfterMilliseconds
    }

    public var description: String {
        var s = "\(code.name): \(message)"
        if !field.isEmpty { s += " [field \(field)]" }
        if !peer.isEmpty { s += " [peer \(peer)]" }
        if retryAfterMilliseconds > 0 { s += " [retry after \(retryAfterMilliseconds) ms]" }
        return s
    }
}
