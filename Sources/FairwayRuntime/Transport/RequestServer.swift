import FairwayCore
import FairwayWire
import GRDB
import Logging
import NNG
import Synchronization

/// Serves a REP socket. Every request goes through, in order:
/// 1. `WireCodec.open`: size, protobuf, Ed25519 signature over the exact bytes, sender =
///    address of the signing key, version and every field's domain;
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
/// Refusals are signed error replies; the server never stops serving because of bad input.
/// `workers` nng contexts serve requests concurrently.
public final class RequestServer: Sendable {
    /// A verified request, as the handler receives it.
    public struct Inbound: Sendable {
        public let verified: VerifiedEnvelope
        /// Whether the reply must be journaled with the request's effect (a durable kind).
        public let isDurable: Bool
        let identity: NodeKey
        let clock: any NodeClock
        let counters: TransportCounters

        public var envelope: Envelope { verified.envelope }

        /// The signed reply to this request and, for a durable kind, the journal write that must
        /// commit in the same transaction as the request's state writes.
        public func reply(_ payload: Payload) -> (bytes: [UInt8], journal: DatabaseWrite?) {
            if case .error(let e) = payload { counters.refused(e.code) } else { counters.served() }
            let bytes = WireCodec.seal(envelope.reply(from: identity.nodeID, at: clock.now(), payload), signedBy: identity)
            guard isDurable else { return (bytes, nil) }
            return (bytes, ReplayJournal.entry(sender: envelope.sender, messageID: envelope.messageID, sentAt: envelope.sentAt,
                                               digest: verified.digest, reply: bytes))
        }
    }

    /// What the handler did with a request.
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
    public let counters = TransportCounters()
    private let socket: Socket
    private let handler: Handler
    private let logger: Logger
    private let clock: any NodeClock
    private let replay: Mutex<ReplayGuard>
    private let limiter: Mutex<PeerRateLimiter>
    private let journal: ReplayJournal?
    private let durableKinds: Set<Payload.Kind>
    /// The newest request a previous run journaled: later ones can only be in memory.
    private let journaledBeforeStart: Timestamp?

    /// - Parameters:
    ///   - journal / durableKinds: requests of these kinds are journaled durably with their
    ///     effect (kinds whose replay after a restart could count twice); the handler commits
    ///     the entry `Inbound.reply` makes.
    public init(identity: NodeKey, settings: TransportSettings, logger: Logger, clock: any NodeClock = SystemClock(),
                journal: ReplayJournal? = nil, durableKinds: Set<Payload.Kind> = [], handler: @escaping Handler) throws {
        self.identity = identity
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
    }

    /// A server for a handler that only computes replies (no durable state): every reply
    /// counts as committed.
    public convenience init(identity: NodeKey, settings: TransportSettings, logger: Logger, clock: any NodeClock = SystemClock(),
                            replies: @escaping @Sendable (Envelope) async -> Payload) throws {
        try self.init(identity: identity, settings: settings, logger: logger, clock: clock) { inbound in
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

    /// Turns request bytes into reply bytes. Exposed for benchmarks and tests.
    public func respond(to bytes: [UInt8]) async -> [UInt8] {
        let now = clock.now()
        let request: VerifiedEnvelope
        do throws(WireCodec.DecodeFailure) {
            request = try WireCodec.open(bytes, maxBytes: settings.maxMessageBytes)
        } catch {
            counters.refused(error.error.code)
            logger.notice("refused request: \(error.error)")
            return seal(Envelope(sender: nodeID, sentAt: now, inReplyTo: error.partial?.messageID, payload: .error(error.error)))
        }
        let envelope = request.envelope
        let kind = envelope.payload.kind
        let key = ReplayGuard.Key(sender: envelope.sender, messageID: envelope.messageID)
        switch replay.withLock({ $0.admit(key, digest: request.digest, sentAt: envelope.sentAt, now: now) }) {
        case .fresh:
            break
        case .resend(let reply):
            counters.replayed()
            return reply
        case .inProgress:
            counters.replayed()
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
                    counters.replayed()
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
        switch await handler(Inbound(verified: request, isDurable: durable, identity: identity, clock: clock, counters: counters)) {
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
        counters.refused(error.code)
        logger.notice("refused \(request.payload.kind) from \(request.sender): \(error)")
        return seal(request.reply(from: nodeID, at: now, .error(error)))
    }

    private func seal(_ envelope: Envelope) -> [UInt8] { WireCodec.seal(envelope, signedBy: identity) }
}
