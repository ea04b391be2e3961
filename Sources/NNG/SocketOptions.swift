import CNNG

/// The scalability protocol of a socket. Each maps to a versioned nng open function
/// (`nng_req0_open`, `nng_rep0_open`, `nng_pub0_open`, `nng_sub0_open`,
/// `nng_surveyor0_open`, `nng_respondent0_open`).
public enum SocketProtocol: String, Sendable, CaseIterable {
    /// Sends requests and receives the matching replies (`nng_req0_open`). Requests are
    /// resent (at-least-once); use one `Context` per concurrent request.
    case req
    /// Receives requests and sends one reply each (`nng_rep0_open`); use contexts for
    /// concurrent workers.
    case rep
    /// Broadcasts to all subscribers; send only, lossy (`nng_pub0_open`).
    case pub
    /// Receives publications matching its subscriptions; receive only (`nng_sub0_open`).
    case sub
    /// Sends a survey and collects answers until the survey time ends (`nng_surveyor0_open`).
    case surveyor
    /// Receives surveys and answers them (`nng_respondent0_open`).
    case respondent
}

/// Options applied when a socket is opened (and copied onto every context opened on it).
///
/// All durations are Swift `Duration`s, converted to whole milliseconds (rounded up,
/// clamped to `0...Int32.max` ms). nng's "infinite" is never used: every send and
/// receive has a finite deadline.
public struct SocketOptions: Sendable {
    /// Default deadline of `send` when no explicit timeout is passed (`NNG_OPT_SENDTIMEO`).
    /// For REQ/SURVEYOR a send waits until a peer is connected, so this bounds that wait.
    public var sendTimeout: Duration = .seconds(5)
    /// Default deadline of `receive` when no explicit timeout is passed (`NNG_OPT_RECVTIMEO`).
    public var receiveTimeout: Duration = .seconds(5)
    /// Largest message, in bytes, this socket accepts from the network (`NNG_OPT_RECVMAXSZ`).
    /// Must be > 0. Larger messages are dropped by nng (over TCP/IPC the pipe is closed).
    /// Not enforced by the `inproc` transport.
    ///
    /// The limit applies to the whole SP message, i.e. body **plus protocol header**: a
    /// REQ request or SURVEYOR survey carries a 4-byte id, and replies carry the 4-byte id
    /// plus 4 bytes per device hop. Leave headroom (e.g. 64 bytes) above the largest body.
    public var maxMessageBytes: Int = 1 << 20
    /// Minimum wait before a dialer reconnects (`NNG_OPT_RECONNMINT`).
    public var reconnectMin: Duration = .milliseconds(100)
    /// Maximum reconnect backoff; the wait doubles from `reconnectMin` up to this
    /// (`NNG_OPT_RECONNMAXT`). nng randomises each wait within `[0, backoff)`.
    public var reconnectMax: Duration = .seconds(2)
    /// REQ only: resend an unanswered request after this long (`NNG_OPT_REQ_RESENDTIME`).
    /// Requests are also resent when the pipe drops, so delivery is at-least-once.
    public var requestResend: Duration = .seconds(1)
    /// SURVEYOR only: how long a survey accepts answers (`NNG_OPT_SURVEYOR_SURVEYTIME`);
    /// after it, receive fails with `isTimeout`.
    public var surveyTime: Duration = .seconds(1)

    /// Options with the documented defaults.
    public init() {}
}

extension Duration {
    /// This duration as an nng millisecond value: rounded up to whole milliseconds and
    /// clamped to `0...Int32.max`, so it is never one of nng's negative sentinels
    /// (`NNG_DURATION_INFINITE`, `NNG_DURATION_DEFAULT`).
    var nngMilliseconds: nng_duration {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        if seconds >= Int64(Int32.max) / 1000 { return Int32.max }
        let attoPerMilli: Int64 = 1_000_000_000_000_000
        let partial = (attoseconds + attoPerMilli - 1) / attoPerMilli
        return nng_duration(clamping: seconds * 1000 + partial)
    }
}
