import FairwayCore
import FairwayWire
import Logging
import NNG

/// Broadcasts envelopes on a PUB socket. Lossy by design (late joiners miss
/// messages): a publication is a hint that receivers confirm over REQ.
public final class Publisher: Sendable {
    public let nodeID: NodeID
    private let socket: Socket
    private let settings: TransportSettings

    public init(nodeID: NodeID, settings: TransportSettings) throws {
        self.nodeID = nodeID
        self.settings = settings
        self.socket = try Socket(.pub, options: settings.socketOptions())
    }

    @discardableResult
    public func listen(_ url: String) throws -> Int? { try settings.listen(socket, url) }

    public func publish(_ payload: Payload, now: Timestamp) async throws {
        let env = Envelope(sender: nodeID, sentAt: now, payload: payload)
        try await socket.send(WireCodec.encode(env), timeout: .milliseconds(settings.sendTimeoutMilliseconds))
    }

    public func close() { socket.close() }
}
