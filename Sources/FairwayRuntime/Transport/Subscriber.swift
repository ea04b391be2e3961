import FairwayCore
import FairwayWire
import Logging
import NNG

/// Receives envelopes from a PUB socket. Each is verified like a request (signature,
/// sender = key address); SUB has no reply path, so anything that fails is dropped and
/// counted (`counters.dropped`), never fatal. Which senders to believe is the handler's call.
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
                    let verified = try WireCodec.open(message.bytes, maxBytes: settings.maxMessageBytes)
                    counters.received()
                    await handler(verified.envelope)
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
