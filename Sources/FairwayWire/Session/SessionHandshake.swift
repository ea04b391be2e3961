import FairwayCore
import FairwayNoise

/// The handshake of wire protocol 2: Noise_XX_25519_ChaChaPoly_SHA256 (revision 34) with the
/// prologue "fairway/2", each side's `IdentityBinding` as its encrypted payload (responder in
/// message 2, initiator in message 3; message 1 carries nothing).
///
/// What it proves once complete: each side holds the Ed25519 key it names (mutual
/// authentication); the session keys come from ephemeral DH, so a later key compromise does not
/// reveal past sessions (forward secrecy); the initiator's identity is sent encrypted only to a
/// responder that already proved its static key, the responder's identity is encrypted
/// against passive observers only (an active prober learns it).
public enum SessionProtocol {
    public static let noiseName = "Noise_XX_25519_ChaChaPoly_SHA256"
    public static let prologue: [UInt8] = Array("fairway/2".utf8)
}

/// The initiator (client) side of a handshake.
public struct InitiatorHandshake: Sendable {
    private var state: HandshakeState
    private let identity: SessionIdentity

    /// - Parameter ephemeral: for tests; a fresh key otherwise.
    public init(identity: SessionIdentity, ephemeral: NoiseKeyPair? = nil) {
        self.identity = identity
        // Cannot fail: the name is supported and the static key is present.
        state = try! HandshakeState.initiator(SessionProtocol.noiseName, prologue: SessionProtocol.prologue,
                                              staticKey: identity.staticKey, ephemeral: ephemeral)
    }

    /// Message 1.
    public mutating func start() -> [UInt8] {
        try! state.writeMessage()
    }

    /// Reads message 2, checks the responder's binding and writes message 3.
    /// - Throws: `.unauthenticated` when message 2 does not decrypt or its binding does not verify.
    public mutating func finish(response: [UInt8]) throws(FairwayError) -> (message3: [UInt8], peer: PeerIdentity, keys: SessionKeys) {
        var next = state
        let payload: [UInt8]
        do { payload = try next.readMessage(response) } catch {
            throw FairwayError(.unauthenticated, "handshake message 2 refused: \(error)", field: "frame.handshake_response.noise")
        }
        let peer = try IdentityBinding.verify(payload, remoteStatic: next.remoteStaticPublicKey ?? [], field: "frame.handshake_response.binding")
        let message3: [UInt8]
        let split: (send: CipherState, receive: CipherState)
        do {
            message3 = try next.writeMessage(identity.binding)
            split = try next.split()
        } catch {
            throw FairwayError(.internal, "handshake message 3: \(error)", field: "frame.handshake_finish.noise")
        }
        state = next
        return (message3, peer, SessionKeys(send: split.send.key!, receive: split.receive.key!))
    }
}

/// The responder (server) side of a handshake.
public struct ResponderHandshake: Sendable {
    private var state: HandshakeState

    /// Reads message 1 and writes message 2 (with this node's binding).
    /// - Throws: `.malformed` when message 1 is not an ephemeral key.
    public static func respond(to message1: [UInt8], identity: SessionIdentity, ephemeral: NoiseKeyPair? = nil) throws(FairwayError) -> (ResponderHandshake, message2: [UInt8]) {
        do {
            var state = try HandshakeState.responder(SessionProtocol.noiseName, prologue: SessionProtocol.prologue,
                                                     staticKey: identity.staticKey, ephemeral: ephemeral)
            _ = try state.readMessage(message1)
            let message2 = try state.writeMessage(identity.binding)
            return (ResponderHandshake(state: state), message2)
        } catch {
            throw FairwayError(.malformed, "handshake message 1 refused: \(error)", field: "frame.handshake_init.noise")
        }
    }

    /// Reads message 3 and checks the initiator's binding. `self` is unchanged on failure.
    /// - Throws: `.unauthenticated` when message 3 does not decrypt or the binding does not verify.
    public func finish(_ message3: [UInt8]) throws(FairwayError) -> (peer: PeerIdentity, keys: SessionKeys) {
        var next = state
        let payload: [UInt8]
        do { payload = try next.readMessage(message3) } catch {
            throw FairwayError(.unauthenticated, "handshake message 3 refused: \(error)", field: "frame.handshake_finish.noise")
        }
        let peer = try IdentityBinding.verify(payload, remoteStatic: next.remoteStaticPublicKey ?? [], field: "frame.handshake_finish.binding")
        let split: (send: CipherState, receive: CipherState)
        do { split = try next.split() } catch {
            throw FairwayError(.internal, "split after message 3: \(error)", field: "frame.handshake_finish.noise")
        }
        return (peer, SessionKeys(send: split.send.key!, receive: split.receive.key!))
    }
}
