import FairwayCore
import FairwayNoise
@testable import FairwayWire
import XCTest

/// The pure pieces of wire protocol 2: the replay window against a model, the frames, the
/// handshake roles and the session AEAD.
final class SessionLayerTests: XCTestCase {
    /// Against a model (the set of counters seen, and the highest): a counter is fresh iff
    /// unseen and within 2048 of the highest, seen iff seen and within it, too old otherwise.
    func testReplayWindowAgreesWithASetModelUnderRandomOrder() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var window = ReplayWindow()
            var seen = Set<UInt64>()
            var highest: UInt64?
            var base: UInt64 = 0
            for _ in 0..<5000 {
                if Int.random(in: 0..<50, using: &generator) == 0 { base += UInt64.random(in: 0...5000, using: &generator) }
                let c = base + UInt64.random(in: 0...3000, using: &generator)
                let expected: ReplayWindow.Verdict
                if let h = highest, c <= h, h - c >= ReplayWindow.size { expected = .tooOld }
                else if seen.contains(c) { expected = .seen }
                else { expected = .fresh }
                XCTAssertEqual(window.check(c), expected, "counter \(c), highest \(String(describing: highest))")
                XCTAssertEqual(window.mark(c), expected)
                if expected == .fresh {
                    seen.insert(c)
                    highest = max(highest ?? c, c)
                }
                XCTAssertEqual(window.check(c), window.check(c) == .tooOld ? .tooOld : .seen)
            }
        }
    }

    func testEveryFrameRoundTripsAndBoundsAreChecked() throws {
        let m = SessionMessage(sessionID: 9, counter: 3, ciphertext: [UInt8](repeating: 7, count: 40))
        let frames: [SessionFrame] = [
            .handshakeInit(noise: [UInt8](repeating: 1, count: 32)),
            .handshakeResponse(handshakeID: 9, noise: [UInt8](repeating: 2, count: 96)),
            .handshakeFinish(handshakeID: 9, noise: [UInt8](repeating: 3, count: 64), first: m),
            .message(m),
            .error(FairwayError(.unknownSession, "no session 9", field: "frame.session.session_id")),
        ]
        for f in frames { XCTAssertEqual(try SessionFrame.decode(f.encoded(), maxBytes: 1 << 20), f) }
        func refused(_ f: SessionFrame, _ code: FairwayError.Code, _ field: String) {
            XCTAssertThrowsError(try SessionFrame.decode(f.encoded(), maxBytes: 1 << 20)) { e in
                XCTAssertEqual((e as? FairwayError)?.code, code, "\(e)")
                XCTAssertEqual((e as? FairwayError)?.field, field, "\(e)")
            }
        }
        refused(.handshakeInit(noise: [1, 2, 3]), .malformed, "frame.handshake_init.noise")
        refused(.handshakeResponse(handshakeID: 1, noise: [UInt8](repeating: 0, count: 5000)), .malformed, "frame.handshake_response.noise")
        refused(.message(SessionMessage(sessionID: 1, counter: .max, ciphertext: [UInt8](repeating: 0, count: 16))), .malformed, "frame.session.counter")
        refused(.message(SessionMessage(sessionID: 1, counter: 0, ciphertext: [1])), .malformed, "frame.session.ciphertext")
        refused(.handshakeFinish(handshakeID: 1, noise: [UInt8](repeating: 0, count: 64), first: m), .malformed, "frame.handshake_finish.first.session_id")
        // A protocol-1 signed envelope is recognised as such.
        let key = NodeKey()
        let old = WireCodec.seal(Envelope(sender: key.nodeID, sentAt: Timestamp(unixMilliseconds: 1), payload: .ping), signedBy: key)
        XCTAssertThrowsError(try SessionFrame.decode(old, maxBytes: 1 << 20)) { e in XCTAssertEqual((e as? FairwayError)?.code, .unsupportedVersion) }
        XCTAssertThrowsError(try SessionFrame.decode([UInt8](repeating: 0, count: 100), maxBytes: 10)) { e in XCTAssertEqual((e as? FairwayError)?.code, .messageTooLarge) }
    }

    func testHandshakeGivesBothSidesMatchingKeysAndEachOthersIdentity() throws {
        let client = NodeKey(), server = NodeKey()
        var initiator = InitiatorHandshake(identity: SessionIdentity(client))
        let m1 = initiator.start()
        let (responder, m2) = try ResponderHandshake.respond(to: m1, identity: SessionIdentity(server))
        let (m3, serverSeen, clientKeys) = try initiator.finish(response: m2)
        let (clientSeen, serverKeys) = try responder.finish(m3)
        XCTAssertEqual(serverSeen.nodeID, server.nodeID)
        XCTAssertEqual(clientSeen.nodeID, client.nodeID)
        XCTAssertEqual(clientKeys.send, serverKeys.receive)
        XCTAssertEqual(clientKeys.receive, serverKeys.send)
        XCTAssertNotEqual(clientKeys.send, clientKeys.receive)

        // Transport: decrypts under the right key, counter and session only.
        let sealed = SessionCipher.seal(Array("hello".utf8), key: clientKeys.send, sessionID: 5, counter: 11)
        XCTAssertEqual(try SessionCipher.open(sealed, key: serverKeys.receive), Array("hello".utf8))
        for tamper in [{ (m: inout SessionMessage) in m.counter += 1 }, { $0.sessionID += 1 }, { $0.ciphertext[0] ^= 1 }] {
            var t = sealed
            tamper(&t)
            XCTAssertThrowsError(try SessionCipher.open(t, key: serverKeys.receive)) { e in XCTAssertEqual((e as? FairwayError)?.code, .unauthenticated) }
        }
        XCTAssertThrowsError(try SessionCipher.open(sealed, key: clientKeys.receive), "the other direction's key does not open it")

        // A responder's message 3 from another run is refused, and the responder is unchanged.
        var other = InitiatorHandshake(identity: SessionIdentity(NodeKey()))
        let (_, m2b) = try ResponderHandshake.respond(to: other.start(), identity: SessionIdentity(server))
        let (m3b, _, _) = try other.finish(response: m2b)
        XCTAssertThrowsError(try responder.finish(m3b)) { e in XCTAssertEqual((e as? FairwayError)?.code, .unauthenticated) }
        XCTAssertNoThrow(try responder.finish(m3), "a refused message 3 left the pending handshake usable")
    }

    func testTheSessionPlaintextMustComeFromThePeerAndProvenanceKindsMustBeSigned() throws {
        let peer = NodeKey(), other = NodeKey()
        let identity = PeerIdentity(publicKey: peer.publicKey)
        let ping = Envelope(sender: peer.nodeID, sentAt: Timestamp(unixMilliseconds: 1), payload: .ping)
        XCTAssertEqual(try WireCodec.openFromSession(WireCodec.sealForSession(ping, signedBy: nil), peer: identity).envelope, ping)
        XCTAssertFalse(try WireCodec.openFromSession(WireCodec.sealForSession(ping, signedBy: nil), peer: identity).isSigned)
        let join = Envelope(sender: peer.nodeID, sentAt: Timestamp(unixMilliseconds: 1),
                            payload: .join(JoinRequest(nodeID: peer.nodeID, role: .edgeServer, address: "tcp://e:1", version: "0.1.0", publicKey: peer.publicKey)))
        XCTAssertTrue(try WireCodec.openFromSession(WireCodec.sealForSession(join, signedBy: peer), peer: identity).isSigned)
        let cases: [([UInt8], String)] = [
            (WireCodec.sealForSession(join, signedBy: nil), "signed_envelope.signature"),
            (WireCodec.seal(Envelope(sender: other.nodeID, sentAt: Timestamp(unixMilliseconds: 1), payload: .ping), signedBy: other), "signed_envelope.public_key"),
            (WireCodec.sealForSession(Envelope(sender: other.nodeID, sentAt: Timestamp(unixMilliseconds: 1), payload: .ping), signedBy: nil), "envelope.sender"),
        ]
        for (bytes, field) in cases {
            XCTAssertThrowsError(try WireCodec.openFromSession(bytes, peer: identity)) { e in
                XCTAssertEqual((e as? WireCodec.DecodeFailure)?.error.code, .unauthenticated)
                XCTAssertEqual((e as? WireCodec.DecodeFailure)?.error.field, field)
            }
        }
    }

    /// The fast path of `openFromSession` (an unsigned plaintext exactly as `sealForSession`
    /// writes it) must read what protobuf reads, and leave every other layout to protobuf.
    func testTheUnsignedPlaintextFastPathAgreesWithProtobuf() throws {
        let peer = NodeKey()
        let identity = PeerIdentity(publicKey: peer.publicKey)
        let ping = Envelope(sender: peer.nodeID, sentAt: Timestamp(unixMilliseconds: 7), payload: .ping)
        let plain = WireCodec.sealForSession(ping, signedBy: nil)
        let viaProtobuf = [UInt8](try Fairway_V1_SignedEnvelope(serializedBytes: plain).envelope)
        XCTAssertEqual(WireCodec.unsignedEnvelope(in: plain), viaProtobuf)
        // A long envelope (multi-byte length varint) takes the same path.
        let big = Envelope(sender: peer.nodeID, sentAt: Timestamp(unixMilliseconds: 7),
                           payload: .error(FairwayError(.invalidField, String(repeating: "x", count: 300))))
        let bigPlain = WireCodec.sealForSession(big, signedBy: nil)
        XCTAssertEqual(WireCodec.unsignedEnvelope(in: bigPlain), [UInt8](try Fairway_V1_SignedEnvelope(serializedBytes: bigPlain).envelope))
        XCTAssertEqual(try WireCodec.openFromSession(bigPlain, peer: identity).envelope, big)
        // Anything else is not taken by the fast path: a signed plaintext, a truncated one, a
        // length that does not reach the end, trailing fields.
        XCTAssertNil(WireCodec.unsignedEnvelope(in: WireCodec.sealForSession(ping, signedBy: peer)))
        XCTAssertNil(WireCodec.unsignedEnvelope(in: Array(plain.dropLast())))
        XCTAssertNil(WireCodec.unsignedEnvelope(in: plain + [0x12, 0x00]))
        XCTAssertNil(WireCodec.unsignedEnvelope(in: [0x0A]))
        XCTAssertNil(WireCodec.unsignedEnvelope(in: [0x0A] + [UInt8](repeating: 0xFF, count: 11)))
        // Trailing empty fields are still read by protobuf: same envelope, unsigned.
        let trailing = try WireCodec.openFromSession(plain + [0x12, 0x00], peer: identity)
        XCTAssertEqual(trailing.envelope, ping)
        XCTAssertFalse(trailing.isSigned)
    }
}
