import FairwayCore
import FairwayWire
import Logging
import NNG
import Synchronization

/// Serves a REP socket: decodes and validates every request, answers resends
/// from the idempotency cache, hands the rest to `handler`, and answers anything
/// malformed with an error reply. Never stops serving because of bad input.
///
/// `workers` nng contexts serve requests concurrently.
public final class RequestServer: Sendable {
    /// Produces the reply payload for a validated request. Return `.error(...)` to refuse.
    public typealias Handler = @Sendable (Envelope) async -> Payload

    public let nodeID: NodeID
    public let settings: TransportSettings
    public let counters = TransportCounters()
    private let socket: Socket
    private let handler: Handler
    private let logger: Logger
    private let cache: Mutex<ReplyCache>
    private let limiter: Mutex<PeerRateLimiter>

    public init(nodeID: NodeID, settings: TransportSettings, logger: Logger, handler: @escaping Handler) throws {
        self.nodeID = nodeID
        self.settings = settings
        self.logger = logger
        self.handler = handler
        self.cache = Mutex(ReplyCache(capacity: settings.replyCacheEntries))
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
        let envelope: Envelope
        do throws(WireCodec.DecodeFailure) {
            envelope = try WireCodec.decode(bytes, maxBytes: settings.maxMessageBytes)
        } catch {
            counters.refused(error.error.code)
            logger.notice("refused request: \(error.error)")
            let reply = Envelope(sender: nodeID, sentAt: now, inReplyTo: error.partial?.messageID, payload: .error(error.error))
            return WireCodec.encode(reply)
        }
        let key = ReplyCache.Key(sender: envelope.sender, messageID: envelope.messageID)
        if let cached = cache.withLock({ $0.reply(for: key) }) {
            counters.replayed()
            return cached
        }
        // Resends above were answered from the cache; new work is rate-limited per sender.
        if let wait = limiter.withLock({ $0.admit(envelope.sender, now: now) }) {
            counters.refused(.unavailable)
            let refusal = FairwayError(.unavailable, "rate limit of \(settings.peerRatePerSecond) requests/s for \(envelope.sender) exceeded",
                                       peer: envelope.sender.rawValue, retryAfterMilliseconds: wait)
            return WireCodec.encode(envelope.reply(from: nodeID, at: now, .error(refusal)))
        }
        let payload = await handler(envelope)
        if case .error(let e) = payload {
            counters.refused(e.code)
            logger.debug("refused \(envelope.payload.kind) from \(envelope.sender): \(e)")
        } else {
            counters.served()
        }
        let encoded = WireCodec.encode(envelope.reply(from: nodeID, at: WallClock.now(), payload))
        cache.withLock { $0.insert(encoded, for: key) }
        return encoded
    }
}
