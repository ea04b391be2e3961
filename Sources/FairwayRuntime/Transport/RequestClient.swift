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
    public let nodeID: NodeID
    public let settings: TransportSettings
    private let socket: Socket

    public init(url: String, nodeID: NodeID, settings: TransportSettings) throws {
        self.url = url
        self.nodeID = nodeID
        self.settings = settings
        self.socket = try Socket(.req, options: settings.socketOptions())
        try settings.dial(socket, url)
    }

    /// Sends `payload` and returns the reply payload.
    /// - Parameter timeout: overall deadline; default `settings.requestTimeoutMilliseconds`.
    /// - Throws: `FairwayError` — the peer's error reply, or `.noReply` when no
    ///   valid reply arrived in time, or `.malformed` when the reply did not decode.
    /// - Parameter sender: the identity sending (an agent process speaks for many); default `nodeID`.
    public func call(_ payload: Payload, as sender: NodeID? = nil, timeout: Duration? = nil, messageID: MessageID = .random()) async throws -> Payload {
        let request = Envelope(messageID: messageID, sender: sender ?? nodeID, sentAt: WallClock.now(), payload: payload)
        let replyBytes = try await exchange(WireCodec.encode(request), timeout: timeout)
        let reply: Envelope
        do throws(WireCodec.DecodeFailure) {
            reply = try WireCodec.decode(replyBytes, maxBytes: settings.transportMaxMessageBytes)
        } catch {
            var e = error.error
            e.peer = url
            throw e
        }
        if let inReplyTo = reply.inReplyTo, inReplyTo != messageID {
            throw FairwayError(.malformed, "reply answers message \(inReplyTo), not \(messageID)", field: "envelope.in_reply_to", peer: url)
        }
        if case .error(var e) = reply.payload {
            e.peer = reply.sender.rawValue
            throw e
        }
        return reply.payload
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
