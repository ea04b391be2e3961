import FairwayCore
import FairwayNoise
import FairwayWire

/// The session layer of wire protocol 2 under the fuzzer: every input is also decoded as a
/// frame and, by kind, fed to a fixed responder (message 1 and 3), a fixed initiator
/// (message 2), and the transport decryption and replay window; and opened as the plaintext of
/// a session message from a fixed peer.
///
/// Properties (a violation traps): nothing crashes; a frame that decodes re-encodes to an
/// equal frame; every refusal names what was wrong; a session plaintext that opens has the
/// session peer as sender.
enum SessionFuzz {
    static let server = SessionIdentity(SeedCorpus.key(3), staticKey: try! NoiseKeyPair(privateKey: [UInt8](repeating: 5, count: 32)))
    static let client = SessionIdentity(SeedCorpus.key(2), staticKey: try! NoiseKeyPair(privateKey: [UInt8](repeating: 6, count: 32)))
    static let clientEphemeral = try! NoiseKeyPair(privateKey: [UInt8](repeating: 7, count: 32))
    static let serverEphemeral = try! NoiseKeyPair(privateKey: [UInt8](repeating: 8, count: 32))
    static let peer = PeerIdentity(publicKey: SeedCorpus.key(2).publicKey)

    /// The fixed handshake: message 1, the responder waiting for message 3, message 2, message 3.
    static let handshake: (message1: [UInt8], responder: ResponderHandshake, message2: [UInt8], message3: [UInt8], keys: SessionKeys) = {
        var initiator = InitiatorHandshake(identity: client, ephemeral: clientEphemeral)
        let m1 = initiator.start()
        let (responder, m2) = try! ResponderHandshake.respond(to: m1, identity: server, ephemeral: serverEphemeral)
        let (m3, _, keys) = try! initiator.finish(response: m2)
        return (m1, responder, m2, m3, keys)
    }()

    static func fuzz(_ bytes: [UInt8]) {
        do {
            let frame = try SessionFrame.decode(bytes, maxBytes: 1 << 20)
            let again = try? SessionFrame.decode(frame.encoded(), maxBytes: 1 << 20)
            precondition(again == frame, "re-encoding changed the frame: \(frame)")
            switch frame {
            case .handshakeInit(let noise):
                refusalNamed { () throws(FairwayError) in _ = try ResponderHandshake.respond(to: noise, identity: server) }
            case .handshakeResponse(_, let noise):
                var initiator = InitiatorHandshake(identity: client, ephemeral: clientEphemeral)
                _ = initiator.start()
                refusalNamed { () throws(FairwayError) in _ = try initiator.finish(response: noise) }
            case .handshakeFinish(_, let noise, let first):
                refusalNamed { () throws(FairwayError) in
                    let (peer, keys) = try handshake.responder.finish(noise)
                    precondition(peer == SessionFuzz.peer, "message 3 proved another identity than the only one that can sign it")
                    _ = try SessionCipher.open(first, key: keys.receive)
                }
            case .message(let m):
                var window = ReplayWindow()
                refusalNamed { () throws(FairwayError) in _ = try SessionCipher.open(m, key: handshake.keys.send) }
                precondition(window.mark(m.counter) == .fresh && window.check(m.counter) == .seen, "the window lost counter \(m.counter)")
            case .error(let e):
                precondition(e.code != .noReply, "a local-only code decoded from the wire")
            }
        } catch {
            precondition(!error.message.isEmpty, "frame refusal without a message: \(error)")
        }
        do {
            let opened = try WireCodec.openFromSession(bytes, peer: peer)
            precondition(opened.envelope.sender == peer.nodeID, "a session plaintext from someone else than the peer was accepted")
        } catch {
            precondition(!error.error.message.isEmpty, "refusal without a message: \(error.error)")
        }
    }

    /// Frames of every kind, for the seed corpus.
    static func seedFrames() -> [(String, [UInt8])] {
        let h = handshake
        let ping = WireCodec.sealForSession(Envelope(messageID: try! MessageID(bytes: [UInt8](repeating: 1, count: 16)), sender: peer.nodeID,
                                                     sentAt: Timestamp(unixMilliseconds: 1_764_000_000_000), payload: .ping), signedBy: nil)
        let first = SessionCipher.seal(ping, key: h.keys.send, sessionID: 42, counter: 0)
        return [
            ("handshake-init", SessionFrame.handshakeInit(noise: h.message1).encoded()),
            ("handshake-response", SessionFrame.handshakeResponse(handshakeID: 42, noise: h.message2).encoded()),
            ("handshake-finish", SessionFrame.handshakeFinish(handshakeID: 42, noise: h.message3, first: first).encoded()),
            ("session-message", SessionFrame.message(SessionCipher.seal(ping, key: h.keys.send, sessionID: 42, counter: 7)).encoded()),
            ("error", SessionFrame.error(FairwayError(.unknownSession, "no session 42", field: "frame.session.session_id")).encoded()),
            ("session-plaintext", ping),
        ]
    }

    private static func refusalNamed(_ body: () throws(FairwayError) -> Void) {
        do { try body() } catch { precondition(!error.message.isEmpty, "refusal without a message: \(error)") }
    }
}
