import FairwayCore
import FairwayWire
import NNG

/// Sends requests to one peer URL over a REQ socket (one nng context per call,
/// so calls run concurrently). Dials non-blocking: the peer may start later.
///
/// Every call carries a fresh message id (idempotency key) and one deadline.
/// Remote refusals and transport failures both surface as `FairwayError`:
/// a refusal carries the remote code; no reply in time is `.noReply`.
public final class RequestClient: Sendable {
    public let url: String
    public let identity: NodeKey
    public var nodeID: NodeID { identity.nodeID }
    public let settings: TransportSettings
    private let socket: Socket
    private let clock: any NodeClock

    public init(url: String, identity: NodeKey, settings: TransportSettings, clock: any NodeClock = SystemClock()) throws {
        self.clock = clock
        self.url = url
        self.identity = identity
        self.settings = settings
        self.socket = try Socket(.req, options: settings.socketOptions())
        try settings.dial(socket, url)
    }

    /// Sends `payload` signed by `sender` (default: this client's identity) and returns the
    /// verified reply payload.
    /// - Parameters:
    ///   - sender: the identity speaking (an agent process speaks for many identities).
    ///   - timeout: overall deadline; default `settings.requestTimeoutMilliseconds`.
    ///   - messageID: the idempotency key; reuse it (with `sentAt`) to retry the same request.
    /// - Throws: `FairwayError` — the peer's error reply; `.noReply` when no valid reply
    ///   arrived in time; `.malformed` / `.unauthenticated` when the reply did not verify.
    public func call(_ payload: Payload, as sender: NodeKey? = nil, timeout: Duration? = nil,
                     messageID: MessageID = .random(), sentAt: Timestamp? = nil) async throws -> Payload {
        try await callVerified(payload, as: sender, timeout: timeout, messageID: messageID, sentAt: sentAt).envelope.payload
    }

    /// Like `call`, but returns the whole verified reply (sender and key included).
    public func callVerified(_ payload: Payload, as sender: NodeKey? = nil, timeout: Duration? = nil,
                             messageID: MessageID = .random(), sentAt: Timestamp? = nil) async throws -> VerifiedEnvelope {
        let key = sender ?? identity
        let request = Envelope(messageID: messageID, sender: key.nodeID, sentAt: sentAt ?? clock.now(), payload: payload)
        return try await callSealed(WireCodec.seal(request, signedBy: key), messageID: messageID, timeout: timeout)
    }

    /// Sends a request sealed earlier (e.g. stored durably to be resent byte for byte after a
    /// restart) and returns the verified reply, as `callVerified`.
    public func callSealed(_ sealed: [UInt8], messageID: MessageID, timeout: Duration? = nil) async throws -> VerifiedEnvelope {
        let deadline = ContinuousClock.now + (timeout ?? .milliseconds(settings.requestTimeoutMilliseconds))
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw FairwayError(.noReply, "request \(messageID) still in progress at the deadline", peer: url)
            }
            let replyBytes = try await exchange(sealed, timeout: remaining)
            let reply: VerifiedEnvelope
            do throws(WireCodec.DecodeFailure) {
                reply = try WireCodec.open(replyBytes, maxBytes: settings.transportMaxMessageBytes)
            } catch {
                var e = error.error
                e.peer = url
                throw e
            }
            if let inReplyTo = reply.envelope.inReplyTo, inReplyTo != messageID {
                throw FairwayError(.malformed, "reply answers message \(inReplyTo), not \(messageID)", field: "envelope.in_reply_to", peer: url)
            }
            if case .error(var e) = reply.envelope.payload {
                // The server is still handling an earlier copy: resend the same bytes shortly.
                if e.code == .inProgress {
                    try await Task.sleep(for: .milliseconds(max(10, e.retryAfterMilliseconds)))
                    continue
                }
                e.peer = reply.envelope.sender.rawValue
                throw e
            }
            return reply
        }
    }

    /// Sends raw bytes and returns the raw reply: for tools, tests and benchmarks.
    public func exchange(_ bytes: [UInt8], timeout: Duration? = nil) async throws -> [UInt8] {
        let deadline = timeout ?? .milliseconds(settings.requestTimeoutMilliseconds)
        do {
            let context = try socket.openContext()
            defer { context.close() }
            return try await context.request(bytes, timeout: deadline)
        } catch let e as NNGError {
            if e.isCancelled { throw CancellationError() }
            let what = e.isTimeout ? "no reply within \(deadline.milliseconds) ms" : "\(e)"
            throw FairwayError(.noReply, what, peer: url, retryAfterMilliseconds: settings.reconnectMinMilliseconds)
        }
    }

    public func close() { socket.close() }
}
