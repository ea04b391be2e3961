import FairwayCore
import FairwayWire
import Logging
import NNG

/// Receives envelopes from a PUB socket. SUB has no reply path, so anything
/// malformed is dropped and counted (`counters.dropped`), never fatal.
public final class Subscriber: Sendable {
    public let counters = TransportCounters()
    private let socket: Socket
    private let settings: TransportSettings
    private let logger: Logger

    public init(settings: TransportSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        self.socket = try Socket(.sub, options: settings.socketOptions())
        try socket.subscribe([])
    }

    /// Dials the publisher (non-blocking; it may start later).
    public func dial(_ url: String) throws { try settings.dial(socket, url) }

    /// Delivers each valid envelope to `handler` until closed or cancelled.
    public func run(_ handler: @Sendable (Envelope) async -> Void) async {
        await withTaskCancellationHandler {
            while !Task.isCancelled {
                let message: Message
                do {
                    message = try await socket.receive(timeout: .seconds(3600))
                } catch let e as NNGError where e.isTimeout {
                    continue
                } catch {
                    return
                }
                do throws(WireCodec.DecodeFailure) {
                    let env = try WireCodec.decode(message.bytes, maxBytes: settings.maxMessageBytes)
                    counters.received()
                    await handler(env)
                } catch {
                    counters.dropped()
                    logger.notice("dropped publication: \(error.error)")
                }
            }
        } onCancel: {
            socket.close()
        }
    }

    public func close() { socket.close() }
}
