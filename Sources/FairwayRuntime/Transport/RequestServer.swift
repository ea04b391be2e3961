import FairwayCore
import FairwayWire
import GRDB
import Logging
import NNG
import Synchronization

/// Serves a REP socket in wire protocol 2. Every frame goes through, in order:
/// 0. the session layer (`ServerSessions`): a handshake frame is answered there; a session
///    message must name a live session, a counter inside its window and a valid AEAD tag, or
///    it is refused with a plaintext error frame (`unknown-session`, `stale`, `unauthenticated`)
///    and changes nothing; a protocol-1 `SignedEnvelope` gets a signed protocol-1 error
///    (`unsupported-version`);
/// 1. `WireCodec.openFromSession`: protobuf, sender = the session peer, a signature (by the
///    peer's key) on every kind that carries provenance, version and every field's domain;
/// 2. the replay guard, for every kind (ping and status too): outside the window → `stale`;
///    a resend → the original reply; while the first copy is still handled → `in-progress`;
///    the same id with other bytes → `replayed`;
/// 3. for `durableKinds`, the durable `ReplayJournal` (survives restarts);
/// 4. the per-sender rate limit; 5. the handler, which for durable kinds commits the journal
///    entry of its reply in the same transaction as the request's effect (`Inbound.reply`).
///
/// Which replies are remembered: every reply the handler produced (a success or a refusal
/// decided by state), so a resend never re-decides against changed state. Refusals decided
/// before the handler, from the message alone (malformed, unauthenticated, stale, replayed,
/// rate-limited, in-progress), are not: a resend of the same bytes is judged again and gets
/// the same verdict (stale, replayed, unauthenticated are functions of the bytes and the
/// window) or, for the transient ones, is served once the sender may be.
///
/// A repeated counter is served only as an exact resend of an answered request (its original
/// reply, from the cache); anything else reusing a counter is refused as `replayed`.
/// Refusals inside a session are encrypted error replies; the server never stops serving
/// because of bad input.
/// `workers` nng contexts serve requests concurrently.
public final class RequestServer: Sendable {
    /// A verified request, as the handler receives it.
    public struct Inbound: Sendable {
        public let verified: VerifiedEnvelope
        /// Whether the reply must be journaled with the request's effect (a durable kind).
        public let isDurable: Bool
        let identity: NodeKey
        let clock: any NodeClock
        /// The last reply made (the one the handler returns), counted after the handler returned:
        /// a reply made for a batch whose commit then failed is not counted, its refusal is.
        let made: MadeReply

        public var envelope: Envelope { verified.envelope }

        /// The signed reply to this request and, for a durable kind, the journal write that must
        /// commit in the same transaction as the request's state writes.
        public func reply(_ payload: Payload) -> (bytes: [UInt8], journal: DatabaseWrite?) {
            made.record(payload)
            let bytes = WireCodec.sealForSession(envelope.reply(from: identity.nodeID, at: clock.now(), payload), signedBy: nil)
            guard isDurable else { return (bytes, nil) }
            return (bytes, ReplayJournal.entry(sender: envelope.sender, messageID: envelope.messageID, sentAt: envelope.sentAt,
                                               digest: verified.digest, reply: bytes))
        }
    }

    /// What the handler did with a request. Reply bytes are the session plaintext
    /// (`Inbound.reply`); the transport encrypts them.
    public enum Handled: Sendable {
        /// This reply (and, for a durable kind, its journal entry) is committed: remember it.
        case committed([UInt8])
        /// Nothing of the request is durable (a failed commit): send this refusal, forget the id
        /// so a resend is handled afresh.
        case uncommitted([UInt8])
    }

    /// Produces the reply to a verified request.
    public typealias Handler = @Sendable (Inbound) async -> Handled

    public let identity: NodeKey
    public var nodeID: NodeID { identity.nodeID }
    public let settings: TransportSettings
    /// What this socket served and refused; exported when the server was given `TransportMetrics`.
    public let counters: TransportCounters
    private let socket: Socket
    private let handler: Handler
    private let logger: Logger
    private let clock: any NodeClock
    private let replay: Mutex<ReplayGuard>
    private let limiter: Mutex<PeerRateLimiter>
    private let journal: ReplayJournal?
    private let durableKinds: Set<Payload.Kind>
    private let sessions: ServerSessions
    /// The newest request a previous run journaled: later ones can only be in memory.
    private let journaledBeforeStart: Timestamp?

    /// - Parameters:
    ///   - journal / durableKinds: requests of these kinds are journaled durably with their
    ///     effect (kinds whose replay after a restart could count twice); the handler commits
    ///     the entry `Inbound.reply` makes.
    ///   - authorize: decides, once a handshake proved the peer's identity, whether it may have a
    ///     session at all (nil = yes); its refusal (e.g. `not-admitted`) is the handshake's.
    ///   - metrics: where to export requests, latencies, refusals and handshakes (nil: not exported).
    public init(identity: NodeKey, settings: TransportSettings, logger: Logger, clock: any NodeClock = SystemClock(),
                journal: ReplayJournal? = nil, durableKinds: Set<Payload.Kind> = [],
                authorize: @escaping @Sendable (PeerIdentity) -> FairwayError? = { _ in nil }, metrics: TransportMetrics? = nil,
                handler: @escaping Handler) throws {
        self.identity = identity
        self.counters = TransportCounters(metrics: metrics)
        self.settings = settings
        self.logger = logger
        self.clock = clock
        self.handler = handler
        self.journal = journal
        self.durableKinds = journal == nil ? [] : durableKinds
        self.journaledBeforeStart = try journal?.newestSentAt()
        self.replay = Mutex(ReplayGuard(policy: settings.replay, capacity: settings.replyCacheEntries))
        self.limiter = Mutex(PeerRateLimiter(ratePerSecond: settings.peerRatePerSecond, burst: settings.peerBurst))
        self.socket = try Socket(.rep, options: settings.socketOptions())
        self.sessions = ServerSessions(identity: identity, settings: settings, authorize: authorize)
    }

    /// A server for a handler that only computes replies (no durable state): every reply
    /// counts as committed.
    public convenience init(identity: NodeKey, settings: TransportSettings, logger: Logger, clock: any NodeClock = SystemClock(),
                            authorize: @escaping @Sendable (PeerIdentity) -> FairwayError? = { _ in nil }, metrics: TransportMetrics? = nil,
                            replies: @escaping @Sendable (Envelope) async -> Payload) throws {
        try self.init(identity: identity, settings: settings, logger: logger, clock: clock, authorize: authorize, metrics: metrics) { inbound in
            .committed(inbound.reply(await replies(inbound.envelope)).bytes)
        }
    }

    /// Starts listening on `url` (e.g. `tcp://0.0.0.0:7400`). Returns the bound
    /// port when `url` asked for port 0.
    @discardableResult
    public func listen(_ url: String) throws -> Int? {
        try settings.listen(socket, url)
    }

    /// Serves until the socket is closed or the task is cancelled.
    public func run() async {
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<settings.workers {
                    group.addTask { await self.worker(i) }
                }
            }
        } onCancel: {
            socket.close()
        }
    }

    /// Closes the socket; `run()` returns.
    public func close() { socket.close() }

    private func worker(_ index: Int) async {
        let context: Context
        do {
            context = try socket.openContext()
        } catch {
            logger.error("cannot open REP context \(index): \(error)")
            return
        }
        defer { context.close() }
        while !Task.isCancelled {
            let request: Message
            do {
                request = try await context.receive(timeout: .seconds(3600))
            } catch let e as NNGError where e.isTimeout {
                continue
            } catch {
                if let e = error as? NNGError, e.isClosed || e.isCancelled { return }
                logger.warning("REP receive failed: \(error)")
                continue
            }
            let reply = await respond(to: request.bytes)
            do {
                try await context.send(reply, timeout: .milliseconds(settings.sendTimeoutMilliseconds))
            } catch let e as NNGError where e.isClosed || e.isCancelled {
                return
            } catch {
                logger.warning("REP reply not sent: \(error)")
            }
        }
    }

    /// Sessions currently established on this socket.
    public var sessionCount: Int { sessions.sessionCount }

    /// Forgets every session, as a restart would (for tests of the re-handshake path).
    public func dropSessions() { sessions.reset() }

    /// Turns request bytes (a frame) into reply bytes. Exposed for benchmarks and tests.
    public func respond(to bytes: [UInt8]) async -> [UInt8] {
        let received = ContinuousClock.now
        let now = clock.now()
        let frame: SessionFrame
        do throws(FairwayError) {
            frame = try SessionFrame.decode(bytes, maxBytes: settings.transportMaxMessageBytes)
        } catch {
            if error.code == .unsupportedVersion { return refuseVersion1(bytes, error, now: now) }
            return refuseFrame(error)
        }
        switch frame {
        case .handshakeInit(let noise):
            let reply = sessions.start(noise, now: now)
            if case .error(let e) = reply { return refuseFrame(e) }
            counters.handshakeStarted()
            return reply.encoded()
        case .handshakeFinish(let id, let noise, let first):
            switch sessions.finish(id, message3: noise, now: now) {
            case .failure(let e): return refuseFrame(e)
            case .success: counters.handshakeCompleted()
            }
            return await serve(first, now: now, received: received)
        case .message(let message):
            return await serve(message, now: now, received: received)
        case .handshakeResponse, .error:
            return refuseFrame(FairwayError(.unexpectedPayload, "a server receives handshake messages 1 and 3 and session messages only", field: "frame.kind"))
        }
    }

    private func serve(_ message: SessionMessage, now: Timestamp, received: ContinuousClock.Instant) async -> [UInt8] {
        let opened: ServerSessions.Opened
        switch sessions.open(message, now: now) {
        case .failure(let e): return refuseFrame(e)
        case .success(let o): opened = o
        }
        var kind: Payload.Kind?
        let reply = await respond(plaintext: opened.plaintext, peer: opened.peer, repeated: opened.repeated, now: now, kind: &kind)
        let encoded = sessions.seal(reply, sessionID: message.sessionID).encoded()
        if let kind, let metrics = counters.metrics { metrics.latency(kind, ContinuousClock.now - received) }
        return encoded
    }

    /// The session layer's verdict on a request: the plaintext reply. Sets `kind` once the
    /// request decoded.
    private func respond(plaintext: [UInt8], peer: PeerIdentity, repeated: Bool, now: Timestamp, kind decodedKind: inout Payload.Kind?) async -> [UInt8] {
        let request: VerifiedEnvelope
        do throws(WireCodec.DecodeFailure) {
            request = try WireCodec.openFromSession(plaintext, peer: peer, maxBytes: settings.maxMessageBytes)
        } catch {
            counters.refused(error.error.code)
            logger.notice("refused request: \(error.error)")
            return seal(Envelope(sender: nodeID, sentAt: now, inReplyTo: error.partial?.messageID, payload: .error(error.error)))
        }
        let envelope = request.envelope
        let kind = envelope.payload.kind
        decodedKind = kind
        let key = ReplayGuard.Key(sender: envelope.sender, messageID: envelope.messageID)
        // A reused session counter may only carry an exact resend of a request this socket
        // answered (`resendVerdict` refuses anything else as `replayed`); a fresh one is admitted.
        let verdict = replay.withLock {
            repeated ? $0.resendVerdict(key, digest: request.digest) : $0.admit(key, digest: request.digest, sentAt: envelope.sentAt, now: now)
        }
        switch verdict {
        case .fresh:
            break
        case .resend(let reply):
            counters.replayed(kind)
            return reply
        case .inProgress:
            counters.replayed(nil)  // exported once, as the refusal below
            return refuse(envelope, FairwayError(.inProgress, "request \(envelope.messageID) is still being handled; resend it unchanged",
                                                 field: "envelope.message_id", peer: envelope.sender.rawValue, retryAfterMilliseconds: 50), now: now)
        case .refuse(let e):
            return refuse(envelope, e, now: now)
        }
        let durable = durableKinds.contains(kind)
        // Only a request a previous run journaled can be in the journal without being in memory,
        // and it was sent no later than the newest entry found at start.
        let mayPredateStart = journaledBeforeStart.map { envelope.sentAt <= $0 } ?? false
        if durable, mayPredateStart, let journal {
            do {
                if let stored = try await journal.lookup(sender: envelope.sender, messageID: envelope.messageID) {
                    guard stored.digest == request.digest else {
                        replay.withLock { $0.abandon(key) }
                        let e = FairwayError(.replayed, "message id \(envelope.messageID) was already used by \(envelope.sender) for a different message",
                                             field: "envelope.message_id", peer: envelope.sender.rawValue)
                        return refuse(envelope, e, now: now)
                    }
                    counters.replayed(kind)
                    replay.withLock { $0.complete(key, reply: stored.reply) }
                    return stored.reply
                }
            } catch {
                replay.withLock { $0.abandon(key) }
                logger.error("replay journal unreadable: \(error)")
                return refuse(envelope, FairwayError(.unavailable, "replay journal unavailable; retry", retryAfterMilliseconds: 500), now: now)
            }
        }
        // Resends above were answered from the cache; new work is rate-limited per sender.
        if let refusal = rateLimited(envelope, now: now) {
            replay.withLock { $0.abandon(key) }
            return refuse(envelope, refusal, now: now)
        }
        let made = MadeReply()
        let handled = await handler(Inbound(verified: request, isDurable: durable, identity: identity, clock: clock, made: made))
        switch made.last {
        case .refused(let code)?: counters.refused(code, kind: kind)
        case .served?: counters.served(kind)
        case nil: break
        }
        switch handled {
        case .committed(let reply):
            replay.withLock { $0.complete(key, reply: reply) }
            return reply
        case .uncommitted(let reply):
            replay.withLock { $0.abandon(key) }
            return reply
        }
    }

    /// Prunes the durable journal of entries older than the replay window. Call periodically.
    public func pruneJournal(now: Timestamp) async {
        guard let journal else { return }
        do { try await journal.prune(sentBefore: settings.replay.oldestAcceptable(now: now)) } catch { logger.warning("replay journal prune failed: \(error)") }
    }

    private func rateLimited(_ envelope: Envelope, now: Timestamp) -> FairwayError? {
        guard let wait = limiter.withLock({ $0.admit(envelope.sender, now: now) }) else { return nil }
        return FairwayError(.unavailable, "rate limit of \(settings.peerRatePerSecond) requests/s for \(envelope.sender) exceeded",
                            peer: envelope.sender.rawValue, retryAfterMilliseconds: wait)
    }

    private func refuse(_ request: Envelope, _ error: FairwayError, now: Timestamp) -> [UInt8] {
        counters.refused(error.code, kind: request.payload.kind)
        logger.notice("refused \(request.payload.kind) from \(request.sender): \(error)")
        return seal(request.reply(from: nodeID, at: now, .error(error)))
    }

    private func seal(_ envelope: Envelope) -> [UInt8] { WireCodec.sealForSession(envelope, signedBy: nil) }

    /// A refusal outside any session: a plaintext error frame.
    private func refuseFrame(_ error: FairwayError) -> [UInt8] {
        counters.refused(error.code)
        logger.notice("refused frame: \(error)")
        return SessionFrame.error(error).encoded()
    }

    /// A protocol-1 peer gets its refusal in protocol 1's own form: a signed `SignedEnvelope`
    /// whose error says which version this node speaks.
    private func refuseVersion1(_ bytes: [UInt8], _ error: FairwayError, now: Timestamp) -> [UInt8] {
        counters.refused(error.code)
        let old = try? WireCodec.open(bytes, maxBytes: settings.transportMaxMessageBytes, archived: true)
        logger.notice("refused a protocol-1 request from \(old?.envelope.sender.rawValue ?? "?")")
        var e = error
        e.message = "this node speaks Fairway wire protocol \(WireProtocol.version) (Noise sessions); protocol 1 (a signature on every message) is no longer served: upgrade the client"
        e.field = "envelope.protocol_version"
        // Labelled version 1 so that a version-1 client decodes it and shows the message.
        return WireCodec.seal(Envelope(protocolVersion: 1, sender: nodeID, sentAt: now, inReplyTo: old?.envelope.messageID, payload: .error(e)), signedBy: identity)
    }
}

/// Which reply a handler made last for one request: a success or a refusal with its code.
final class MadeReply: Sendable {
    enum Outcome: Sendable {
        case served
        case refused(FairwayError.Code)
    }

    private let state = Mutex<Outcome?>(nil)

    func record(_ payload: Payload) {
        state.withLock { $0 = if case .error(let e) = payload { .refused(e.code) } else { .served } }
    }

    var last: Outcome? { state.withLock { $0 } }
}
