import FairwayCore
import FairwayWire
import NNG

/// Sends requests to one peer URL over a REQ socket (one nng context per call, so calls run
/// concurrently). Dials non-blocking: the peer may start later.
///
/// Wire protocol 2: every identity that speaks through this client has its own Noise
/// session with the server, handshaken on its first call (three frames; the call's request
/// rides on the third), again when rekeying is due (`sessionRekeyAfterSeconds`,
/// `sessionRekeyAfterMessages`) and, transparently, when the server answers
/// `unknown-session` (it restarted or expired the session): the request is then resent,
/// same message id, in the new session, so the server's idempotency cache and durable
/// journal still recognise it.
///
/// Every call carries a fresh message id (idempotency key) and one deadline. Remote refusals
/// and transport failures both surface as `FairwayError`: a refusal carries the remote code;
/// no reply in time is `.noReply`.
public final class RequestClient: Sendable {
    public let url: String
    public let identity: NodeKey
    public var nodeID: NodeID { identity.nodeID }
    public let settings: TransportSettings
    private let socket: Socket
    private let clock: any NodeClock
    private let sessions: ClientSessions

    public init(url: String, identity: NodeKey, settings: TransportSettings, clock: any NodeClock = SystemClock()) throws {
        self.clock = clock
        self.url = url
        self.identity = identity
        self.settings = settings
        self.sessions = ClientSessions(settings: settings)
        self.socket = try Socket(.req, options: settings.socketOptions())
        try settings.dial(socket, url)
    }

    /// Accept only `peer` as the server from now on: a handshake proving another identity is
    /// refused (`unauthenticated`). An edge pins the coordinator it joined.
    public func pin(_ peer: NodeID) { sessions.pin(peer) }

    /// Sends `payload` from `sender` (default: this client's identity) and returns the
    /// authenticated reply payload.
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

    /// Like `call`, but returns the whole authenticated reply (sender and key included).
    /// Kinds that carry provenance (`Payload.Kind.carriesProvenance`) are signed by `sender`.
    public func callVerified(_ payload: Payload, as sender: NodeKey? = nil, timeout: Duration? = nil,
                             messageID: MessageID = .random(), sentAt: Timestamp? = nil) async throws -> VerifiedEnvelope {
        let key = sender ?? identity
        let request = Envelope(messageID: messageID, sender: key.nodeID, sentAt: sentAt ?? clock.now(), payload: payload)
        let sealed = WireCodec.sealForSession(request, signedBy: payload.kind.carriesProvenance ? key : nil)
        return try await callSealed(sealed, messageID: messageID, as: key, timeout: timeout)
    }

    /// Sends a request sealed earlier (a `SignedEnvelope` from `sender`, e.g. stored durably to
    /// be resent byte for byte after a restart) and returns the authenticated reply, as
    /// `callVerified`.
    public func callSealed(_ sealed: [UInt8], messageID: MessageID, as sender: NodeKey? = nil, timeout: Duration? = nil) async throws -> VerifiedEnvelope {
        let deadline = ContinuousClock.now + (timeout ?? .milliseconds(settings.requestTimeoutMilliseconds))
        while true {
            let reply = try await exchangeSealed(sealed, as: sender, deadline: deadline)
            if let inReplyTo = reply.envelope.inReplyTo, inReplyTo != messageID {
                throw FairwayError(.malformed, "reply answers message \(inReplyTo), not \(messageID)", field: "envelope.in_reply_to", peer: url)
            }
            if case .error(var e) = reply.envelope.payload {
                // The server is still handling an earlier copy: resend the same request shortly.
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

    /// One request in `sender`'s session (handshaking first when needed) and its
    /// authenticated reply, an error reply included (not thrown). For tools and tests that
    /// send hand-made envelopes.
    /// - Throws: a refusal outside the session (a plaintext error frame), or `.noReply`.
    public func exchangeSealed(_ sealed: [UInt8], as sender: NodeKey? = nil, timeout: Duration? = nil) async throws -> VerifiedEnvelope {
        try await exchangeSealed(sealed, as: sender, deadline: ContinuousClock.now + (timeout ?? .milliseconds(settings.requestTimeoutMilliseconds)))
    }

    private func exchangeSealed(_ sealed: [UInt8], as sender: NodeKey?, deadline: ContinuousClock.Instant) async throws -> VerifiedEnvelope {
        let key = sender ?? identity
        var forgotten = 0
        while true {
            switch await sessions.acquire(key) {
            case .session(let session):
                let frame = SessionFrame.message(session.seal(sealed))
                let reply = try await exchangeFrame(frame, deadline: deadline)
                switch reply {
                case .message(let m):
                    return try opened(m, in: session)
                case .error(let e) where e.code == .unknownSession && forgotten < 3:
                    // The server restarted or expired the session: handshake again, resend.
                    forgotten += 1
                    sessions.drop(session, for: key.nodeID)
                default:
                    throw refusal(reply, expecting: "a session message")
                }
            case .lead(let me):
                do {
                    let reply = try await handshake(as: me, first: sealed, deadline: deadline)
                    return reply
                } catch let e as FairwayError where e.code == .unknownSession && forgotten < 3 {
                    // Message 3 came after the server dropped the half-open handshake (it expired
                    // or the server restarted): nothing was served; handshake again, resend.
                    forgotten += 1
                    sessions.abandon(key.nodeID)
                } catch {
                    sessions.abandon(key.nodeID)
                    throw error
                }
            }
        }
    }

    /// XX over REQ/REP: message 1 → message 2 → message 3 with the first request → its reply.
    private func handshake(as me: SessionIdentity, first: [UInt8], deadline: ContinuousClock.Instant) async throws -> VerifiedEnvelope {
        var initiator = InitiatorHandshake(identity: me)
        let response = try await exchangeFrame(.handshakeInit(noise: initiator.start()), deadline: deadline)
        guard case .handshakeResponse(let id, let message2) = response else {
            throw refusal(response, expecting: "handshake message 2")
        }
        let message3: [UInt8], peer: PeerIdentity, keys: SessionKeys
        do throws(FairwayError) { (message3, peer, keys) = try initiator.finish(response: message2) } catch {
            var e = error
            e.peer = url
            throw e
        }
        if let pinned = sessions.pinned, peer.nodeID != pinned {
            throw FairwayError(.unauthenticated, "\(url) proved identity \(peer.nodeID), not the pinned \(pinned)", field: "frame.handshake_response.binding", peer: url)
        }
        let session = ClientSession(id: id, peer: peer, keys: keys)
        let reply = try await exchangeFrame(.handshakeFinish(handshakeID: id, noise: message3, first: session.seal(first)), deadline: deadline)
        guard case .message(let m) = reply else { throw refusal(reply, expecting: "the reply to the first request") }
        let opened = try opened(m, in: session)
        sessions.install(session, for: me.key.nodeID)
        return opened
    }

    private func opened(_ message: SessionMessage, in session: ClientSession) throws -> VerifiedEnvelope {
        let plaintext: [UInt8]
        do throws(FairwayError) { plaintext = try session.open(message) } catch {
            var e = error
            e.peer = url
            throw e
        }
        do throws(WireCodec.DecodeFailure) {
            return try WireCodec.openFromSession(plaintext, peer: session.peer, maxBytes: settings.transportMaxMessageBytes, digest: false)
        } catch {
            var e = error.error
            e.peer = url
            throw e
        }
    }

    private func refusal(_ frame: SessionFrame, expecting what: String) -> FairwayError {
        if case .error(var e) = frame {
            e.peer = url
            return e
        }
        return FairwayError(.malformed, "expected \(what) from \(url)", field: "frame.kind", peer: url)
    }

    private func exchangeFrame(_ frame: SessionFrame, deadline: ContinuousClock.Instant) async throws -> SessionFrame {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else {
            throw FairwayError(.noReply, "no reply before the deadline", peer: url, retryAfterMilliseconds: settings.reconnectMinMilliseconds)
        }
        let bytes = try await exchange(frame.encoded(), timeout: remaining)
        do throws(FairwayError) {
            return try SessionFrame.decode(bytes, maxBytes: settings.transportMaxMessageBytes)
        } catch {
            var e = error
            e.peer = url
            if e.code == .unsupportedVersion {
                e.message = "\(url) answered in wire protocol 1 (a signed envelope); this client speaks \(WireProtocol.version): upgrade the server"
            }
            throw e
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
