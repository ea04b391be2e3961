import CloudCoordinator
import EdgeServer
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
import InProcessCluster
@testable import FairwayWire
import Foundation
import NNG
import XCTest

/// I6: garbage, truncated protobuf, unknown version, oversize and unknown senders
/// get an error reply (or a counted drop on SUB) and the daemon keeps serving.
final class HostileInputTests: XCTestCase {
    let maxBytes = 4096

    /// The refusal a reply carries: a plaintext error frame, or an error envelope in a session.
    func decodeReply(_ bytes: [UInt8]) throws -> FairwayError? {
        if case .error(let e) = try SessionFrame.decode(bytes, maxBytes: 1 << 22) { return e }
        return nil
    }

    func refusal(_ reply: VerifiedEnvelope) -> FairwayError? {
        if case .error(let e) = reply.envelope.payload { return e }
        return nil
    }

    /// Sends each hostile message to `url` and checks the error reply; then a ping still works.
    /// Frame-level garbage gets a plaintext error frame; hostile envelopes inside an honest
    /// session (the sender's own) get an error reply in that session.
    func assertRefusesHostileInput(url: String, unknownSenderPayload: (NodeID) -> Payload, file: StaticString = #filePath, line: UInt = #line) async throws {
        let c = try client(url)
        defer { c.close() }
        let me = NodeKey(), stranger = NodeKey(), victim = NodeKey()
        let valid = WireCodec.seal(Envelope(sender: me.nodeID, sentAt: WallClock.now(), payload: .ping), signedBy: me)
        var wrongVersion = try WireCodec.encode(Envelope(sender: me.nodeID, sentAt: WallClock.now(), payload: .ping)).wire()
        wrongVersion.protocolVersion = 99
        var forged = try Fairway_V1_SignedEnvelope(serializedBytes: valid)
        forged.signature[3] ^= 0x40
        let validFrame = SessionFrame.message(SessionMessage(sessionID: 7, counter: 1, ciphertext: [UInt8](repeating: 3, count: 40))).encoded()
        let frames: [(String, [UInt8], FairwayError.Code)] = [
            ("garbage", Array("GET / HTTP/1.1\r\n\r\n".utf8), .malformed),
            ("random bytes", (0..<200).map { _ in UInt8.random(in: 0...255) } + [0xFF], .malformed),
            ("truncated frame", Array(validFrame.prefix(validFrame.count / 2)), .malformed),
            ("unknown session", validFrame, .unknownSession),
        ]
        for (name, bytes, code) in frames {
            let error = try decodeReply(try await c.exchange(bytes))
            XCTAssertEqual(error?.code, code, "\(name): \(String(describing: error))", file: file, line: line)
            XCTAssertFalse(error?.message.isEmpty ?? true, "\(name): the reply says what was wrong", file: file, line: line)
        }
        let oversize = WireCodec.sealForSession(Envelope(sender: me.nodeID, sentAt: WallClock.now(),
                                                         payload: .inferenceRequest(InferenceRequest(cost: 1, input: [UInt8](repeating: 1, count: maxBytes)))), signedBy: nil)
        let envelopes: [(String, [UInt8], NodeKey, FairwayError.Code)] = [
            ("truncated envelope", Array(valid.prefix(valid.count / 2)), me, .malformed),
            ("unknown protocol version", sealRaw(try wrongVersion.serializedBytes(), me), me, .unsupportedVersion),
            ("oversize", oversize, me, .messageTooLarge),
            ("unknown sender", WireCodec.seal(Envelope(sender: stranger.nodeID, sentAt: WallClock.now(), payload: unknownSenderPayload(stranger.nodeID)), signedBy: stranger), stranger, .unknownSender),
            ("forged signature", try forged.serializedBytes(), me, .unauthenticated),
            ("sender is not the session peer", sealRaw(WireCodec.encode(Envelope(sender: victim.nodeID, sentAt: WallClock.now(), payload: unknownSenderPayload(victim.nodeID))), stranger), stranger, .unauthenticated),
            ("stale", WireCodec.seal(Envelope(sender: me.nodeID, sentAt: WallClock.now().adding(milliseconds: -600_000), payload: unknownSenderPayload(me.nodeID)), signedBy: me), me, .stale),
            ("future-dated", WireCodec.seal(Envelope(sender: me.nodeID, sentAt: WallClock.now().adding(milliseconds: 600_000), payload: unknownSenderPayload(me.nodeID)), signedBy: me), me, .stale),
        ]
        for (name, bytes, key, code) in envelopes {
            let error = refusal(try await c.exchangeSealed(bytes, as: key))
            XCTAssertEqual(error?.code, code, "\(name): \(String(describing: error))", file: file, line: line)
            XCTAssertFalse(error?.message.isEmpty ?? true, "\(name): the reply says what was wrong", file: file, line: line)
        }
        // Beyond the transport cap nng drops the connection instead of delivering: no reply,
        // the client reconnects, and the daemon keeps serving.
        do {
            _ = try await c.exchange([UInt8](repeating: 0, count: 64 * maxBytes), timeout: .milliseconds(300))
            XCTFail("a message over the transport cap was answered", file: file, line: line)
        } catch let e as FairwayError {
            XCTAssertEqual(e.code, .noReply, file: file, line: line)
        }
        guard case .pong = try await c.call(.ping) else { return XCTFail("daemon stopped serving", file: file, line: line) }
    }

    /// A coordinator on tcp port 0 in a temporary directory, running; its control URL.
    func coordinator(_ configure: (inout CoordinatorSettings) -> Void) async throws -> (CoordinatorNode, String, Running) {
        var s = CoordinatorSettings()
        s.controlURL = "tcp://127.0.0.1:0"
        s.epochURL = "tcp://127.0.0.1:0"
        s.dataDirectory = temporaryDirectory()
        configure(&s)
        let node = try CoordinatorNode(settings: s, logger: quietLogger)
        try await node.start()
        return (node, "tcp://127.0.0.1:\(await node.controlPort!)", Running { try await node.run() })
    }

    func testCoordinatorControlSocketRefusesHostileInputAndKeepsServing() async throws {
        let (node, url, r) = try await coordinator { $0.transport.maxMessageBytes = maxBytes }
        try await assertRefusesHostileInput(url: url, unknownSenderPayload: { .heartbeat(Heartbeat(nodeID: $0)) })
        let counters = await node.serverCounters
        XCTAssertGreaterThanOrEqual(counters.refusedTotal, 12)
        let members = await node.status()
        XCTAssertEqual(members.count, 1, "no hostile message created a member")
        await r.stop()
    }

    func testAFloodingSenderIsRateLimitedWithRetryAfterWhileOthersAreServed() async throws {
        let (_, url, r) = try await coordinator { $0.transport.peerRatePerSecond = 5; $0.transport.peerBurst = 5 }
        let flooder = try client(url), honest = try client(url)
        defer { flooder.close(); honest.close() }
        var refused: FairwayError?
        for _ in 0..<20 {
            do { _ = try await flooder.call(.ping) } catch let e as FairwayError { refused = e; break }
        }
        XCTAssertEqual(refused?.code, .unavailable)
        XCTAssertGreaterThan(refused?.retryAfterMilliseconds ?? 0, 0)
        XCTAssertTrue(refused?.message.contains("rate limit") ?? false, "\(String(describing: refused))")
        guard case .pong = try await honest.call(.ping) else { return XCTFail("another sender was refused") }
        await r.stop()
    }

    func testEdgeAgentSocketRefusesHostileInputAndItsSubscriberCountsDrops() async throws {
        // A stand-in publisher where the edge expects the coordinator's epochs.
        let pub = try Socket(.pub)
        let pubPort = try pub.listenReturningPort("tcp://127.0.0.1:0")!
        defer { pub.close() }
        var e = EdgeServerSettings()
        e.listenURL = "tcp://127.0.0.1:0"
        e.coordinatorURL = "tcp://127.0.0.1:1"  // nobody: the edge stays unregistered
        e.coordinatorEpochURL = "tcp://127.0.0.1:\(pubPort)"
        e.dataDirectory = temporaryDirectory()
        e.transport.maxMessageBytes = maxBytes
        let edge = try EdgeServerNode(settings: e, logger: quietLogger)
        try await edge.start()
        let r = Running { try await edge.run() }
        let port = await edge.listenPort!
        try await assertRefusesHostileInput(url: "tcp://127.0.0.1:\(port)", unknownSenderPayload: { .heartbeat(Heartbeat(nodeID: $0)) })

        // SUB has no reply path: garbage is dropped and counted, valid announcements still arrive.
        await eventually(10, "garbage publications dropped and counted") {
            try await pub.send(Array("not an envelope".utf8))
            return await edge.subscriberCounters.dropped > 0
        }
        let publisher = NodeKey()
        let announcement = WireCodec.seal(Envelope(sender: publisher.nodeID, sentAt: WallClock.now(),
                                                   payload: .epochAnnouncement(EpochAnnouncement(epoch: 1, startedAt: WallClock.now(), aliveMembers: 1))), signedBy: publisher)
        await eventually(10, "a valid announcement after garbage is received") {
            try await pub.send(announcement)
            return await edge.subscriberCounters.received > 0
        }
        await r.stop()
    }
}

extension HostileInputTests {
    /// What a client written from the README found (issue 8): every REP socket applies the
    /// replay window, the duplicate check and the reply cache to every kind, ping and status too.
    func testPingAndStatusPassTheReplayWindowTheDuplicateCheckAndTheReplyCache() async throws {
        let cluster = try await InProcessCluster(directory: temporaryDirectory(), logger: quietLogger)
        defer { Task { await cluster.stop() } }
        for url in [cluster.coordinatorURL, await cluster.edgeURLs[0]] {
            let c = try client(url)
            defer { c.close() }
            let me = NodeKey()
            let id = MessageID.random()
            let ping = WireCodec.sealForSession(Envelope(messageID: id, sender: me.nodeID, sentAt: WallClock.now(), payload: .ping), signedBy: nil)
            let first = try await c.exchangeSealed(ping, as: me)
            guard case .pong = first.envelope.payload else { return XCTFail("ping not answered at \(url)") }
            try await Task.sleep(for: .milliseconds(5))
            let again = try await c.exchangeSealed(ping, as: me)
            XCTAssertEqual(again.envelope, first.envelope, "\(url): a resent ping gets the original reply")
            let reused = WireCodec.sealForSession(Envelope(messageID: id, sender: me.nodeID, sentAt: WallClock.now(), payload: .statusRequest), signedBy: nil)
            let reusedReply = try await c.exchangeSealed(reused, as: me)
            XCTAssertEqual(refusal(reusedReply)?.code, .replayed, "\(url): a reused id with other content")
            for kind in [Payload.ping, .statusRequest] {
                let old = WireCodec.sealForSession(Envelope(sender: me.nodeID, sentAt: WallClock.now().adding(milliseconds: -600_000), payload: kind), signedBy: nil)
                let stale = try await c.exchangeSealed(old, as: me)
                XCTAssertEqual(refusal(stale)?.code, .stale, "\(url): a 10-minute-old \(kind.kind)")
                // Refusals decided from the message alone are not cached: the resend is judged again.
                let resent = try await c.exchangeSealed(old, as: me)
                XCTAssertEqual(refusal(resent)?.code, .stale, "\(url): resent, still stale")
            }
        }
    }

    /// A rate-limited request is not remembered: once the sender may send again, the same
    /// bytes are served.
    func testARateLimitedRefusalIsNotCachedForTheResend() async throws {
        let (_, url, r) = try await coordinator { $0.transport.peerRatePerSecond = 2; $0.transport.peerBurst = 1 }
        let c = try client(url)
        defer { c.close() }
        let me = NodeKey()
        _ = try await c.exchangeSealed(WireCodec.sealForSession(Envelope(sender: me.nodeID, sentAt: WallClock.now(), payload: .ping), signedBy: nil), as: me)
        let ping = WireCodec.sealForSession(Envelope(sender: me.nodeID, sentAt: WallClock.now(), payload: .ping), signedBy: nil)
        let limited = refusal(try await c.exchangeSealed(ping, as: me))
        XCTAssertEqual(limited?.code, .unavailable)
        try await Task.sleep(for: .milliseconds(max(600, limited?.retryAfterMilliseconds ?? 0)))
        guard case .pong = try await c.exchangeSealed(ping, as: me).envelope.payload else { return XCTFail("the refusal was cached") }
        await r.stop()
    }

    /// Usage reports and grant requests from a key that never joined are refused, and agent
    /// joins are bounded by field (address, version, bucket size B), through a real edge.
    func testUnknownReportersAndMalformedAgentJoinsAreRefusedByField() async throws {
        let cluster = try await InProcessCluster(directory: temporaryDirectory(), logger: quietLogger, coordinator: {
            $0.membership.heartbeatIntervalMilliseconds = 100
            $0.admission.bucketTiers = [4, 16]
        }, edge: { $0.heartbeatIntervalMilliseconds = 100 })
        defer { Task { await cluster.stop() } }
        let stranger = try client(cluster.coordinatorURL)
        defer { stranger.close() }
        for payload in [Payload.usageReport(UsageReport(usages: [])), .grantRequest(GrantRequest(agentIDs: []))] {
            do {
                _ = try await stranger.call(payload)
                XCTFail("\(payload.kind) from a key that never joined was acknowledged")
            } catch let e as FairwayError {
                XCTAssertEqual(e.code, .unknownSender, "\(payload.kind): \(e)")
            }
        }
        let agentKey = NodeKey()
        let agent = try client(await cluster.edgeURLs[0], key: agentKey)
        defer { agent.close() }
        func join(address: String = "", version: String = "0.1.0", bucket: UInt32 = 4) -> Payload {
            .join(JoinRequest(nodeID: agentKey.nodeID, role: .edgeAgent, address: address, version: version, bucketSize: bucket, publicKey: agentKey.publicKey))
        }
        await eventually(10, "the edge registered") { (try? await agent.call(join())) != nil }
        let cases: [(Payload, String)] = [
            (join(address: "tcp://agent:1"), "join.address"),
            (join(version: ""), "join.version"),
            (join(bucket: 0), "join.bucket_size"),
            (join(bucket: 4_000_000_000), "join.bucket_size"),
            (join(bucket: 8), "join.bucket_size"),
        ]
        for (payload, field) in cases {
            do {
                _ = try await agent.call(payload)
                XCTFail("accepted a join with a bad \(field)")
            } catch let e as FairwayError {
                XCTAssertEqual(e.code, .invalidField, "\(field): \(e)")
                XCTAssertEqual(e.field, field, "\(e)")
            }
        }
    }
}


/// Seals arbitrary inner bytes with `key`'s valid signature (to test checks after the signature).
func sealRaw(_ inner: [UInt8], _ key: NodeKey) -> [UInt8] {
    var outer = Fairway_V1_SignedEnvelope()
    outer.envelope = Data(inner)
    outer.publicKey = Data(key.publicKey)
    outer.signature = Data(key.sign(WireCodec.signatureContext + inner))
    return try! outer.serializedBytes()
}

extension Array where Element == UInt8 {
    func wire() throws -> Fairway_V1_Envelope { try Fairway_V1_Envelope(serializedBytes: self) }
}
