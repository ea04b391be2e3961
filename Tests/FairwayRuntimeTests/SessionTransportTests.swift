import FairwayCore
import FairwayNoise
import FairwayRuntime
import FairwayTestSupport
@testable import FairwayWire
import Foundation
import XCTest

/// Issue 12, acceptance 2: the session layer of wire protocol 2 on a real REP socket over tcp.
/// Every hostile frame is refused with a clear code, changes no state (the session's window,
/// the session table) and the server keeps serving; an exact resend gets the original reply; a
/// server that lost its sessions is handshaken again without the caller seeing an error.
final class SessionTransportTests: XCTestCase {
    /// A REP server answering ping with pong, on tcp port 0.
    func server(_ configure: (inout TransportSettings) -> Void = { _ in },
                authorize: @escaping @Sendable (PeerIdentity) -> FairwayError? = { _ in nil }) throws -> (RequestServer, String, Running) {
        var t = TransportSettings()
        configure(&t)
        let key = NodeKey()
        let me = key.nodeID
        let server = try RequestServer(identity: key, settings: t, logger: quietLogger, authorize: authorize, replies: { envelope -> Payload in
            guard case .ping = envelope.payload else { return .error(FairwayError(.unexpectedPayload, "test server serves ping")) }
            return .pong(Pong(nodeID: me, role: .cloudCoordinator, version: FairwayVersion.current))
        })
        let port = try server.listen("tcp://127.0.0.1:0")!
        return (server, "tcp://127.0.0.1:\(port)", Running { await server.run() })
    }

    func ping(_ key: NodeKey, id: MessageID = .random()) -> [UInt8] {
        WireCodec.sealForSession(Envelope(messageID: id, sender: key.nodeID, sentAt: WallClock.now(), payload: .ping), signedBy: nil)
    }

    func frameError(_ bytes: [UInt8]) throws -> FairwayError? {
        if case .error(let e) = try SessionFrame.decode(bytes, maxBytes: 1 << 20) { return e }
        return nil
    }

    func testTamperedReplayedOutOfWindowAndUnknownSessionFramesAreRefusedWithoutStateChange() async throws {
        let (server, url, running) = try server()
        let c = try client(url)
        defer { c.close() }
        let me = NodeKey()
        var s = try await ManualSession.open(c, as: me, first: ping(me))
        XCTAssertEqual(server.sessionCount, 1)

        // A tampered ciphertext: refused, and the window did not move (the honest message with
        // that counter is still served afterwards).
        let firstPing = ping(me)
        var tampered = s.message(firstPing, counter: 1)
        tampered.ciphertext[3] ^= 0x01
        let tamperedReply = try frameError(try await c.exchange(SessionFrame.message(tampered).encoded()))
        XCTAssertEqual(tamperedReply?.code, .unauthenticated, "\(String(describing: tamperedReply))")
        XCTAssertEqual(tamperedReply?.field, "frame.session.ciphertext")
        let honest = SessionFrame.message(s.message(firstPing, counter: 1)).encoded()
        let original = try s.reply(try await c.exchange(honest))
        guard case .pong = original.envelope.payload else { return XCTFail("the honest message after a tampered one: \(original.envelope.payload)") }

        // An exact resend (what nng REQ does): the original reply.
        let resent = try s.reply(try await c.exchange(honest))
        XCTAssertEqual(resent.envelope, original.envelope, "a resend gets the original reply")

        // The same counter with different bytes (a new request): refused as replayed.
        let reused = try s.reply(try await c.exchange(SessionFrame.message(s.message(ping(me), counter: 1)).encoded()))
        guard case .error(let replayed) = reused.envelope.payload else { return XCTFail("a reused counter was served") }
        XCTAssertEqual(replayed.code, .replayed)
        XCTAssertEqual(replayed.field, "frame.session.counter")

        // A counter more than 2048 behind the newest: stale.
        let far = try s.reply(try await c.exchange(SessionFrame.message(s.message(ping(me), counter: 5000)).encoded()))
        guard case .pong = far.envelope.payload else { return XCTFail("counter 5000 (in order) was refused") }
        let old = try frameError(try await c.exchange(SessionFrame.message(s.message(ping(me), counter: 5000 - 2049)).encoded()))
        XCTAssertEqual(old?.code, .stale, "\(String(describing: old))")
        XCTAssertEqual(old?.field, "frame.session.counter")
        let inWindow = try s.reply(try await c.exchange(SessionFrame.message(s.message(ping(me), counter: 5000 - 2047)).encoded()))
        guard case .pong = inWindow.envelope.payload else { return XCTFail("a counter inside the window was refused") }

        // A session id that does not exist.
        var unknown = s.message(ping(me), counter: 6000)
        unknown.sessionID &+= 1
        let noSession = try frameError(try await c.exchange(SessionFrame.message(unknown).encoded()))
        XCTAssertEqual(noSession?.code, .unknownSession)

        // Garbage and a handshake-response frame sent to a server.
        let garbage = try await c.exchange(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        XCTAssertEqual(try frameError(garbage)?.code, .malformed)
        let wrongKind = try await c.exchange(SessionFrame.handshakeResponse(handshakeID: 1, noise: [UInt8](repeating: 1, count: 64)).encoded())
        XCTAssertEqual(try frameError(wrongKind)?.code, .unexpectedPayload)

        XCTAssertEqual(server.sessionCount, 1, "no hostile frame made or ended a session")
        guard case .pong = try await c.call(.ping) else { return XCTFail("the server stopped serving") }
        await running.stop()
    }

    func testAHandshakeWhoseBindingDoesNotMatchItsStaticKeyOrFromANonMemberIsRefused() async throws {
        let member = NodeKey()
        let (server, url, running) = try server(authorize: { peer in
            peer.nodeID == member.nodeID ? nil : FairwayError(.notAdmitted, "\(peer.nodeID) is not a member")
        })
        let c = try client(url)
        defer { c.close() }
        // The binding signs another static key than the one the handshake carries.
        let liar = SessionIdentity(member, staticKey: .generate(),
                                   binding: IdentityBinding.encode(key: member, staticPublicKey: NoiseKeyPair.generate().publicKey))
        do {
            _ = try await ManualSession.open(c, as: member, identity: liar, first: ping(member))
            XCTFail("a binding over another static key was accepted")
        } catch let e as FairwayError {
            XCTAssertEqual(e.code, .unauthenticated, "\(e)")
            XCTAssertEqual(e.field, "frame.handshake_finish.binding.identity_sig")
        }
        XCTAssertEqual(server.sessionCount, 0)

        // A key that is not a member, through the real client.
        let stranger = try client(url)
        defer { stranger.close() }
        do {
            _ = try await stranger.call(.ping)
            XCTFail("a non-member got a session")
        } catch let e as FairwayError {
            XCTAssertEqual(e.code, .notAdmitted, "\(e)")
        }
        XCTAssertEqual(server.sessionCount, 0)

        // The member is served, and a client pinned to another server identity refuses this one.
        let honest = try client(url, key: member)
        defer { honest.close() }
        guard case .pong = try await honest.call(.ping) else { return XCTFail("the member was refused") }
        let pinned = try client(url, key: member)
        defer { pinned.close() }
        pinned.pin(NodeKey().nodeID)
        do {
            _ = try await pinned.call(.ping)
            XCTFail("a pinned client accepted another server identity")
        } catch let e as FairwayError {
            XCTAssertEqual(e.code, .unauthenticated, "\(e)")
        }
        await running.stop()
    }

    func testAServerThatLostItsSessionsIsHandshakenAgainWithoutTheCallerSeeingAnError() async throws {
        let (server, url, firstRun) = try server()
        var running = firstRun
        let c = try client(url)
        defer { c.close() }
        guard case .pong = try await c.call(.ping) else { return XCTFail() }
        server.dropSessions()
        guard case .pong = try await c.call(.ping) else { return XCTFail("no pong after the server forgot the session") }
        XCTAssertEqual(server.counters.snapshot.handshakesCompleted, 2)
        XCTAssertEqual(server.counters.snapshot.refused["unknown-session"], 1)

        // A real restart: a new server process-state on the same port.
        await running.stop()
        server.close()
        let port = Int(url.split(separator: ":").last!)!
        var t = TransportSettings()
        t.workers = 2
        let key = NodeKey()
        let restarted = try RequestServer(identity: key, settings: t, logger: quietLogger) { _ in .pong(Pong(nodeID: key.nodeID, role: .edgeServer, version: FairwayVersion.current)) }
        try restarted.listen("tcp://127.0.0.1:\(port)")
        running = Running { await restarted.run() }
        var reply: Payload?
        for _ in 0..<20 where reply == nil {
            reply = try? await c.call(.ping)
            if reply == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard case .pong(let p)? = reply else { return XCTFail("no pong from the restarted server") }
        XCTAssertEqual(p.nodeID, key.nodeID)
        await running.stop()
    }

    func testSessionsRekeyByMessageCountAndByAge() async throws {
        let (server, url, running) = try server()
        var t = TransportSettings()
        t.sessionRekeyAfterMessages = 4
        let c = try RequestClient(url: url, identity: NodeKey(), settings: t)
        defer { c.close() }
        for _ in 0..<10 { guard case .pong = try await c.call(.ping) else { return XCTFail() } }
        XCTAssertEqual(server.counters.snapshot.handshakesCompleted, 3, "4 + 4 + 2 messages: three sessions")

        var aged = TransportSettings()
        aged.sessionRekeyAfterSeconds = 1
        let d = try RequestClient(url: url, identity: NodeKey(), settings: aged)
        defer { d.close() }
        guard case .pong = try await d.call(.ping) else { return XCTFail() }
        guard case .pong = try await d.call(.ping) else { return XCTFail() }
        XCTAssertEqual(server.counters.snapshot.handshakesCompleted, 4)
        try await Task.sleep(for: .milliseconds(1100))
        guard case .pong = try await d.call(.ping) else { return XCTFail() }
        XCTAssertEqual(server.counters.snapshot.handshakesCompleted, 5, "a session older than rekey_after_s is replaced")
        await running.stop()
    }

    func testAHandshakeFloodIsBudgetedAndDoesNotStarveEstablishedSessions() async throws {
        let (server, url, running) = try server { $0.handshakesPerSecond = 5; $0.handshakeBurst = 5; $0.peerHandshakesPerSecond = 1; $0.peerHandshakeBurst = 2 }
        let established = try client(url)
        defer { established.close() }
        guard case .pong = try await established.call(.ping) else { return XCTFail() }
        let flooder = try client(url)
        defer { flooder.close() }
        let outcome = try await withThrowingTaskGroup(of: (refused: Int, served: Int).self) { group in
            group.addTask {
                var refused = 0
                for _ in 0..<200 {
                    let reply = try await flooder.exchange(SessionFrame.handshakeInit(noise: NoiseKeyPair.generate().publicKey).encoded())
                    if case .error(let e) = try SessionFrame.decode(reply, maxBytes: 1 << 20), e.code == .unavailable { refused += 1 }
                }
                return (refused, 0)
            }
            group.addTask {
                var served = 0
                for _ in 0..<100 { if case .pong = try await established.call(.ping) { served += 1 } }
                return (0, served)
            }
            var total = (refused: 0, served: 0)
            for try await r in group { total.refused += r.refused; total.served += r.served }
            return total
        }
        XCTAssertGreaterThanOrEqual(outcome.refused, 150, "the handshake budget refused the flood")
        XCTAssertEqual(outcome.served, 100, "every request of the established session was served during the flood")
        XCTAssertGreaterThanOrEqual(server.counters.snapshot.refused["unavailable"] ?? 0, outcome.refused, "the server counted each refusal")
        XCTAssertEqual(server.sessionCount, 1, "half-open handshakes are not sessions")

        // One peer re-handshaking over and over is held to its own rate.
        var limited: FairwayError?
        for _ in 0..<6 where limited == nil {
            try await Task.sleep(for: .milliseconds(250))  // within the global budget
            let fresh = try client(url, key: testKey(7))
            defer { fresh.close() }
            do { _ = try await fresh.call(.ping) } catch let e as FairwayError { limited = e }
        }
        XCTAssertEqual(limited?.code, .unavailable, "\(String(describing: limited))")
        XCTAssertEqual(limited?.field, "frame.handshake_finish")
        await running.stop()
    }

    func testKindsThatCarryProvenanceMustBeSignedInsideTheSession() async throws {
        let (_, url, running) = try server()
        let c = try client(url)
        defer { c.close() }
        let me = NodeKey()
        let join = JoinRequest(nodeID: me.nodeID, role: .edgeServer, address: "tcp://127.0.0.1:1", version: FairwayVersion.current, publicKey: me.publicKey)
        let unsigned = WireCodec.sealForSession(Envelope(sender: me.nodeID, sentAt: WallClock.now(), payload: .join(join)), signedBy: nil)
        let reply = try await c.exchangeSealed(unsigned, as: me)
        guard case .error(let e) = reply.envelope.payload else { return XCTFail("an unsigned join was handled") }
        XCTAssertEqual(e.code, .unauthenticated)
        XCTAssertEqual(e.field, "signed_envelope.signature")
        // Signed by another key than the session's: refused too.
        let other = NodeKey()
        let foreign = WireCodec.seal(Envelope(sender: other.nodeID, sentAt: WallClock.now(), payload: .ping), signedBy: other)
        guard case .error(let f) = try await c.exchangeSealed(foreign, as: me).envelope.payload else { return XCTFail("another key's envelope was handled") }
        XCTAssertEqual(f.code, .unauthenticated)
        await running.stop()
    }

    func testAVersion1PeerGetsAVersion1ErrorSayingWhichVersionThisNodeSpeaks() async throws {
        let (_, url, running) = try server()
        let c = try client(url)
        defer { c.close() }
        let me = NodeKey()
        var old = try WireCodec.encode(Envelope(sender: me.nodeID, sentAt: WallClock.now(), payload: .ping)).wire()
        old.protocolVersion = 1
        var signed = Fairway_V1_SignedEnvelope()
        let inner = try old.serializedBytes() as [UInt8]
        signed.envelope = Data(inner)
        signed.publicKey = Data(me.publicKey)
        signed.signature = Data(me.sign(WireCodec.signatureContext + inner))
        let reply = try WireCodec.open(try await c.exchange(try signed.serializedBytes()), archived: true)
        XCTAssertEqual(reply.envelope.protocolVersion, 1, "answered in the version-1 form a version-1 client reads")
        guard case .error(let e) = reply.envelope.payload else { return XCTFail("a version-1 request was served") }
        XCTAssertEqual(e.code, .unsupportedVersion)
        XCTAssertTrue(e.message.contains("protocol 2"), e.message)
        await running.stop()
    }
}

/// A session driven by hand, frame by frame, to send what an honest client never would.
struct ManualSession {
    let id: UInt64
    let peer: PeerIdentity
    let keys: SessionKeys
    var window = ReplayWindow()

    /// Handshakes as `me` (or a hand-made `identity`); `first` rides on message 3 with counter 0.
    static func open(_ c: RequestClient, as me: NodeKey, identity: SessionIdentity? = nil, first: [UInt8]) async throws -> ManualSession {
        var initiator = InitiatorHandshake(identity: identity ?? SessionIdentity(me))
        guard case .handshakeResponse(let id, let message2) = try SessionFrame.decode(try await c.exchange(SessionFrame.handshakeInit(noise: initiator.start()).encoded()), maxBytes: 1 << 20) else {
            throw FairwayError(.malformed, "no message 2")
        }
        let (message3, peer, keys) = try initiator.finish(response: message2)
        var s = ManualSession(id: id, peer: peer, keys: keys)
        let reply = try await c.exchange(SessionFrame.handshakeFinish(handshakeID: id, noise: message3, first: s.message(first, counter: 0)).encoded())
        _ = try s.reply(reply)
        return s
    }

    func message(_ plaintext: [UInt8], counter: UInt64) -> SessionMessage {
        SessionCipher.seal(plaintext, key: keys.send, sessionID: id, counter: counter)
    }

    /// The authenticated reply in this session; a refusal frame is thrown.
    mutating func reply(_ bytes: [UInt8]) throws -> VerifiedEnvelope {
        switch try SessionFrame.decode(bytes, maxBytes: 1 << 20) {
        case .message(let m):
            let plaintext = try SessionCipher.open(m, key: keys.receive)
            guard window.mark(m.counter) == .fresh else { throw FairwayError(.replayed, "reply counter reused") }
            return try WireCodec.openFromSession(plaintext, peer: peer)
        case .error(let e): throw e
        default: throw FairwayError(.malformed, "unexpected frame")
        }
    }
}
