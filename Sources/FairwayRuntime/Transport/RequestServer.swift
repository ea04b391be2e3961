import FairwayCore
import FairwayWire
import GRDB
import Logging
import NNG
import Synchronization

/// Serves a REP socket. Every request goes through, in order:
/// 1. `WireCodec.open`: size, protobuf, Ed25519 signature over the exact bytes, sender =
///    address of the signing key, version and every field's domain;
/// 2. the replay guard: outside the window → `stale`; a resend → the original reply; the same
///    id with other bytes → `replayed` (read-only kinds skip this step);
/// 3. for `durableKinds`, the durable `ReplayJournal` (survives restarts);
/// 4. the per-sender rate limit (read-only kinds too); 5. the handler;
/// 6. for `durableKinds`, the journal entry and the handler's state writes, committed in one
///    transaction before the reply is sent.
/// Refusals are signed error replies; the server never stops serving because of bad input.
///
/// `workers` nng contexts serve requests concurrently.
public final class RequestServer: Sendable {
    /// Produces the reply payload for a verified request. Return `.error(...)` to refuse.
    public typealias Handler = @Sendable (VerifiedEnvelope) async -> Payload

    /// A reply and the state writes that must be durable before it is sent. The writes commit
    /// in the same transaction as the journal entry (the journal must share the role's
    /// database); writes for a kind that is not journaled are refused as a programming error.
    public struct Outcome: Sendable {
        public var payload: Payload
        public var writes: (@Sendable (Database) throws -> Void)?
        public init(_ payload: Payload, writes: (@Sendable (Database) throws -> Void)? = nil) {
            self.payload = payload
            self.writes = writes
        }
    }

    /// Like `Handler`, with state writes committed atomically with the journal entry.
    public typealias TransactionalHandler = @Sendable (VerifiedEnvelope) async -> Outcome

    /// Payload kinds that change no state: answered without replay bookkeeping.
    public static let readOnlyKinds: Set<String> = ["ping", "status_request"]

    public let identity: NodeKey
    public var nodeID: NodeID { identity.nodeID }
    public let settings: TransportSettings
    public let counters = TransportCounters()
    private let socket: Socket
    private let handler: TransactionalHandler
    private let logger: Logger
    private let replay: Mutex<ReplayGuard>
    private let limiter: Mutex<PeerRateLimiter>
    private let journal: ReplayJournal?
    private let durableKinds: Set<String>
    /// The newest request a previous run journaled: later ones can only be in memory.
    private let journaledBeforeStart: Timestamp?

    /// - Parameters:
    ///   - journal / durableKinds: requests of these payload kinds are journaled durably
    ///     before their reply is sent (kinds whose replay after a restart could double count).
    public convenience init(identity: NodeKey, settings: TransportSettings, logger: Logger,
                            journal: ReplayJournal? = nil, durableKinds: Set<String> = [], handler: @escaping Handler) throws {
        try self.init(identity: identity, settings: settings, logger: logger, journal: journal, durableKinds: durableKinds,
                      transactionalHandler: { Outcome(await handler($0)) })
    }

    /// A server whose handler returns state writes to commit with the journal entry.
    /// - Precondition: outcomes carry writes only for `durableKinds`, and `journal` shares the
    ///   database those writes target.
    public init(identity: NodeKey, settings: TransportSettings, logger: Logger,
                journal: ReplayJournal? = nil, durableKinds: Set<String> = [], transactionalHandler handler: @escaping TransactionalHandler) throws {
        self.identity = identity
        self.settings = settings
        self.logger = logger
        self.handler = handler
        self.journal = journal
        self.durableKinds = journal == nil ? [] : durableKinds
        self.journaledBeforeStart = try journal?.newestSentAt()
        self.replay = Mutex(ReplayGuard(windowMilliseconds: settings.replayWindowMilliseconds,
                                        maxSkewMilliseconds: settings.maxClockSkewMilliseconds, capacity: settings.replyCacheEntries))
        self.limiter = Mutex(PeerRateLimiter(ratePerSecond: settings.peerRatePerSecond, burst: settings.peerBurst))
        self.socket = try Socket(.rep, options: settings.socketOptions())
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
        let now = WallClock.now()
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
        if Self.readOnlyKinds.contains(kind) {
            if let refusal = rateLimited(envelope, now: now) { return refuse(envelope, refusal, now: now) }
            return await handle(request, now: now)
        }
        let key = ReplayGuard.Key(sender: envelope.sender, messageID: envelope.messageID)
        switch replay.withLock({ $0.admit(key, digest: request.digest, sentAt: envelope.sentAt, now: now) }) {
        case .fresh:
            break
        case .resend(let reply):
            counters.replayed()
            return reply
        case .inProgress:
            counters.replayed()
            return refuse(envelope, FairwayError(.unavailable, "request \(envelope.messageID) is still being handled; resend it unchanged",
                                                 field: "envelope.message_id", peer: envelope.sender.rawValue, retryAfterMilliseconds: 50), now: now)
        case .refuse(let e):
            return refuse(envelope, e, now: now)
        }
        // Only a request a previous run journaled can be in the journal without being in memory,
        // and it was sent no later than the newest entry found at start.
        let mayPredateStart = journaledBeforeStart.map { envelope.sentAt <= $0 } ?? false
        if durableKinds.contains(kind), mayPredateStart, let journal {
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
        let (encoded, writes) = await handleWithWrites(request, now: now)
        if durableKinds.contains(kind), let journal {
            do {
                try await journal.record(sender: envelope.sender, messageID: envelope.messageID, sentAt: envelope.sentAt,
                                         digest: request.digest, reply: encoded, with: writes)
            } catch {
                replay.withLock { $0.abandon(key) }
                logger.error("journal/state commit failed for \(envelope.messageID): \(error)")
                // Nothing of this request is durable: refuse it, the client retries with the same id.
                return refuse(envelope, FairwayError(.unavailable, "could not make the request durable; retry", retryAfterMilliseconds: 500), now: now)
            }
        } else if writes != nil {
            logger.error("a handler returned state writes for \(kind), which is not journaled; refused")
            replay.withLock { $0.abandon(key) }
            return refuse(envelope, FairwayError(.internal, "state writes for a kind that is not journaled"), now: now)
        }
        replay.withLock { $0.complete(key, reply: encoded) }
        return encoded
    }

    /// Prunes the durable journal of entries older than the replay window. Call periodically.
    public func pruneJournal(now: Timestamp) async {
        guard let journal else { return }
        let cutoff = Timestamp(unixMilliseconds: now.unixMilliseconds - settings.replayWindowMilliseconds - settings.maxClockSkewMilliseconds)
        do { try await journal.prune(sentBefore: cutoff) } catch { logger.warning("replay journal prune failed: \(error)") }
    }

    private func rateLimited(_ envelope: Envelope, now: Timestamp) -> FairwayError? {
        guard let wait = limiter.withLock({ $0.admit(envelope.sender, now: now) }) else { return nil }
        return FairwayError(.unavailable, "rate limit of \(settings.peerRatePerSecond) requests/s for \(envelope.sender) exceeded",
                            peer: envelope.sender.rawValue, retryAfterMilliseconds: wait)
    }

    private func handle(_ request: VerifiedEnvelope, now: Timestamp) async -> [UInt8] {
        let (encoded, writes) = await handleWithWrites(request, now: now)
        if writes != nil { logger.error("a read-only request returned state writes; ignored") }
        return encoded
    }

    private func handleWithWrites(_ request: VerifiedEnvelope, now: Timestamp) async -> ([UInt8], (@Sendable (Database) throws -> Void)?) {
        let outcome = await handler(request)
        let payload = outcome.payload
        if case .error(let e) = payload {
            counters.refused(e.code)
            logger.debug("refused \(request.envelope.payload.kind) from \(request.envelope.sender): \(e)")
        } else {
            counters.served()
        }
        return (seal(request.envelope.reply(from: nodeID, at: WallClock.now(), payload)), outcome.writes)
    }

    private func refuse(_ request: Envelope, _ error: FairwayError, now: Timestamp) -> [UInt8] {
        counters.refused(error.code)
        logger.notice("refused \(request.payload.kind) from \(request.sender): \(error)")
        return seal(request.reply(from: nodeID, at: now, .error(error)))
    }

    private func seal(_ envelope: Envelope) -> [UInt8] { WireCodec.seal(envelope, signedBy: identity) }
}
