import FairwayCore
import FairwayWire
import Logging
import NNG

/// Broadcasts envelopes on a PUB socket. Lossy by design (late joiners miss
/// messages): a publication is a hint that receivers confirm over REQ.
public final class Publisher: Sendable {
    public let identity: NodeKey
    private let socket: Socket
    private let settings: TransportSettings

    public init(identity: NodeKey, settings: TransportSettings) throws {
        self.identity = identity
        self.settings = settings
        self.socket = try Socket(.pub, options: settings.socketOptions())
    }

    @discardableResult
    public func listen(_ url: String) throws -> Int? { try settings.listen(socket, url) }

    public func publish(_ payload: Payload, now: Timestamp) async throws {
        let env = Envelope(sender: identity.nodeID, sentAt: now, payload: payload)
        try await socket.send(WireCodec.seal(env, signedBy: identity), timeout: .milliseconds(settings.sendTimeoutMilliseconds))
    }

    public func close() { socket.close() }
}
