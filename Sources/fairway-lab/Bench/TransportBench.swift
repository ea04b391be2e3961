import ArgumentParser
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation
import Logging
import NNG
import Synchronization

extension FairwayLab.Bench {
    /// Raw nng REQ/REP round trips against the same round trip through Fairway (wire protocol 2:
    /// a Noise session), a handshake per round trip, and the protocol-1 path of an Ed25519
    /// signature on every message, all on the same transport in one run.
    struct Transport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Raw nng REQ/REP vs. Fairway over a session, a fresh handshake, and per-message signatures: same transport, same run.")

        @Option(help: "Transport: tcp, ipc or inproc.") var transport = "tcp"
        @Option(help: "Measured round trips per variant.") var roundTrips = 20_000
        @Option(help: "Measured handshakes (each a fresh session: two round trips and the DH work).") var handshakes = 2_000
        @Option(help: "Warm-up round trips per variant (not measured).") var warmup = 1_000
        @Option(help: "Alternate the variants in blocks of this many round trips (cancels drift).") var block = 1_000
        @Flag(help: "Print one JSON object instead of a table.") var json = false
        @Option(help: "Only time this many round trips through both sides' session code, no socket (for profiling).") var layersOnly: Int?
        @Option(help: "With --layers-only: idle this many µs between round trips (a task sleep), to see the layers run cold as they do between socket events.") var pauseMicroseconds = 0
        @Option(help: "nng contexts serving every server socket, Fairway's and the baselines' alike (default: Fairway as the daemons, 8; the baselines a plain one-context echo loop).") var workers: Int?

        func validate() throws {
            guard ["tcp", "ipc", "inproc"].contains(transport) else { throw ValidationError("--transport must be tcp, ipc or inproc") }
            if let n = layersOnly, n <= 0 { throw ValidationError("--layers-only must be > 0") }
            guard (0...1_000_000).contains(pauseMicroseconds) else { throw ValidationError("--pause-microseconds must be in 0...1000000") }
            if let w = workers, !(1...256).contains(w) { throw ValidationError("--workers must be in 1...256") }
            guard roundTrips > 0, handshakes > 0, warmup >= 0, block > 0 else { throw ValidationError("--round-trips, --handshakes and --block must be > 0") }
        }

        func url(_ name: String) throws -> String {
            switch transport {
            case "tcp": "tcp://127.0.0.1:\(try ProcessSpawner.freePort())"
            case "ipc": "ipc:///tmp/fairway-bench-\(name)-\(getpid())"
            default: "inproc://fairway-bench-\(name)"
            }
        }

        /// A REP socket answering every request with `reply(request)` on `workers` contexts.
        static func echo(_ socket: Socket, workers: Int, _ reply: @escaping @Sendable ([UInt8]) -> [UInt8]) -> [Task<Void, Never>] {
            (0..<workers).map { _ in
                Task {
                    guard let ctx = try? socket.openContext() else { return }
                    defer { ctx.close() }
                    while !Task.isCancelled {
                        guard let m = try? await ctx.receive(timeout: .seconds(60)) else { return }
                        try? await ctx.send(reply(m.bytes), timeout: .seconds(1))
                    }
                }
            }
        }

        func run() async throws {
            var logger = Logger(label: "bench")
            logger.logLevel = .critical
            var settings = TransportSettings()
            settings.peerRatePerSecond = 1e7  // one sender; keep the limiter's cost, not its refusals
            settings.peerBurst = 1e8
            settings.peerHandshakesPerSecond = 1e6
            settings.peerHandshakeBurst = 1e7
            settings.handshakesPerSecond = 1e6
            settings.handshakeBurst = 1e7
            if let workers { settings.workers = workers }
            if let n = layersOnly {
                let stats = try await Self.layersAlone(settings: settings, logger: logger, rounds: n, pause: .microseconds(pauseMicroseconds))
                print(String(format: "layers alone: %.1f µs p50, %.1f µs p99", stats.quantile(0.5), stats.quantile(0.99)))
                return
            }
            let clientKey = NodeKey(), serverKey = NodeKey()
            let me = serverKey.nodeID
            let pong = Payload.pong(Pong(nodeID: me, role: .cloudCoordinator, version: FairwayVersion.current))

            // Fairway: the daemons' RequestServer and RequestClient, answering ping with pong.
            let fwURL = try url("fairway")
            let server = try RequestServer(identity: serverKey, settings: settings, logger: logger) { envelope in
                guard case .ping = envelope.payload else { return .error(FairwayError(.unexpectedPayload, "bench serves ping")) }
                return pong
            }
            try server.listen(fwURL)
            let serving = Task { await server.run() }
            let fwClient = try RequestClient(url: fwURL, identity: clientKey, settings: settings)
            var fresh = settings
            fresh.sessionRekeyAfterMessages = 1  // every call opens a new session
            let handshakeClient = try RequestClient(url: fwURL, identity: NodeKey(), settings: fresh)
            _ = try await fwClient.call(.ping)

            // The baseline sends and returns bytes of the sizes a session ping and pong take.
            let sessionPing = SessionFrame.message(SessionCipher.seal(
                WireCodec.sealForSession(Envelope(sender: clientKey.nodeID, sentAt: WallClock.now(), payload: .ping), signedBy: nil),
                key: [UInt8](repeating: 1, count: 32), sessionID: 1, counter: 1)).encoded()
            let sessionPong = SessionFrame.message(SessionCipher.seal(
                WireCodec.sealForSession(Envelope(sender: me, sentAt: WallClock.now(), inReplyTo: .random(), payload: pong), signedBy: nil),
                key: [UInt8](repeating: 1, count: 32), sessionID: 1, counter: 1)).encoded()
            let rawURL = try url("raw")
            let rep = try Socket(.rep, options: settings.socketOptions())
            try rep.listen(rawURL)
            let echo = Self.echo(rep, workers: workers ?? 1) { _ in sessionPong }
            let rawClient = try RequestClient(url: rawURL, identity: clientKey, settings: settings)

            // Protocol 1: every message sealed (encode + Ed25519 sign) and opened (verify + decode)
            // on both sides, over a plain REP socket: the floor of the old path, without its
            // replay bookkeeping.
            let signedURL = try url("signed")
            let signedRep = try Socket(.rep, options: settings.socketOptions())
            try signedRep.listen(signedURL)
            let signer = Self.echo(signedRep, workers: workers ?? 1) { bytes in
                guard let request = try? WireCodec.open(bytes) else { return [] }
                return WireCodec.seal(request.envelope.reply(from: me, at: WallClock.now(), pong), signedBy: serverKey)
            }
            let signedClient = try RequestClient(url: signedURL, identity: clientKey, settings: settings)

            // Server side only: session frames sealed by hand, sent raw, reply not opened.
            let handKey = NodeKey()
            var initiator = InitiatorHandshake(identity: SessionIdentity(handKey))
            guard case .handshakeResponse(let hid, let hm2) = try SessionFrame.decode(try await fwClient.exchange(SessionFrame.handshakeInit(noise: initiator.start()).encoded()), maxBytes: 1 << 20) else { throw FairwayError(.malformed, "no message 2") }
            let (hm3, _, hkeys) = try initiator.finish(response: hm2)
            func handPing() -> [UInt8] { WireCodec.sealForSession(Envelope(sender: handKey.nodeID, sentAt: WallClock.now(), payload: .ping), signedBy: nil) }
            _ = try await fwClient.exchange(SessionFrame.handshakeFinish(handshakeID: hid, noise: hm3, first: SessionCipher.seal(handPing(), key: hkeys.send, sessionID: hid, counter: 0)).encoded())
            let handCounter = Mutex<UInt64>(1)
            func serverOnlyTrip() async throws {
                let counter = handCounter.withLock { c in defer { c += 1 }; return c }
                let frame = SessionFrame.message(SessionCipher.seal(handPing(), key: hkeys.send, sessionID: hid, counter: counter)).encoded()
                _ = try await fwClient.exchange(frame)
            }
            func rawTrip() async throws { _ = try await rawClient.exchange(sessionPing) }
            func sessionTrip() async throws {
                guard case .pong = try await fwClient.call(.ping) else { throw FairwayError(.malformed, "expected pong") }
            }
            func handshakeTrip() async throws {
                guard case .pong = try await handshakeClient.call(.ping) else { throw FairwayError(.malformed, "expected pong") }
            }
            func signedTrip() async throws {
                let request = WireCodec.seal(Envelope(sender: clientKey.nodeID, sentAt: WallClock.now(), payload: .ping), signedBy: clientKey)
                guard case .pong = try WireCodec.open(try await signedClient.exchange(request)).envelope.payload else {
                    throw FairwayError(.malformed, "expected pong")
                }
            }

            let clock = ContinuousClock()
            for _ in 0..<warmup {
                try await rawTrip()
                try await sessionTrip()
                try await signedTrip()
            }
            for _ in 0..<min(warmup, 100) { try await handshakeTrip() }
            var raw = LatencyStats(), session = LatencyStats(), signed = LatencyStats(), handshake = LatencyStats(), serverOnly = LatencyStats()
            var done = 0, shaken = 0
            let handshakesPerBlock = max(1, handshakes * block / roundTrips)
            let progress = Progress(total: roundTrips * 4 + handshakes, label: "round trips")
            while done < roundTrips || shaken < handshakes {
                let n = min(block, roundTrips - done)
                for _ in 0..<n { raw.add(try await clock.measure { try await rawTrip() }) }
                for _ in 0..<n { session.add(try await clock.measure { try await sessionTrip() }) }
                for _ in 0..<n { serverOnly.add(try await clock.measure { try await serverOnlyTrip() }) }
                for _ in 0..<n { signed.add(try await clock.measure { try await signedTrip() }) }
                let h = min(handshakesPerBlock, handshakes - shaken)
                for _ in 0..<h { handshake.add(try await clock.measure { try await handshakeTrip() }) }
                done += n
                shaken += h
                progress.update(done * 4 + shaken)
            }
            progress.finish()
            for t in echo + signer { t.cancel() }
            rep.close()
            signedRep.close()
            serving.cancel()
            server.close()
            for c in [rawClient, fwClient, handshakeClient, signedClient] { c.close() }
            _ = await serving.value

            // The session layers alone, no socket: the client seals a ping, the server's
            // `respond(to:)` handles the frame, the client opens the reply.
            let layers = try await Self.layersAlone(settings: settings, logger: logger, rounds: min(roundTrips, 5000))
            let result = TransportBenchResult(transport: transport, roundTrips: roundTrips, handshakes: handshakes,
                                              requestBytes: sessionPing.count, replyBytes: sessionPong.count,
                                              raw: raw, session: session, handshake: handshake, signed: signed, layers: layers, serverOnly: serverOnly)
            print(json ? result.json() : result.table())
        }
    }
}

extension FairwayLab.Bench.Transport {
    /// Round trips through the client's and server's session code with no transport between.
    /// - Parameter pause: idle time between round trips (not timed).
    static func layersAlone(settings: TransportSettings, logger: Logger, rounds: Int, pause: Duration = .zero) async throws -> LatencyStats {
        let serverKey = NodeKey(), clientKey = NodeKey()
        let server = try RequestServer(identity: serverKey, settings: settings, logger: logger) { _ in
            .pong(Pong(nodeID: serverKey.nodeID, role: .cloudCoordinator, version: FairwayVersion.current))
        }
        var initiator = InitiatorHandshake(identity: SessionIdentity(clientKey))
        guard case .handshakeResponse(let id, let m2) = try SessionFrame.decode(await server.respond(to: SessionFrame.handshakeInit(noise: initiator.start()).encoded()), maxBytes: 1 << 20) else {
            throw FairwayError(.malformed, "no handshake response")
        }
        let (m3, peer, keys) = try initiator.finish(response: m2)
        func ping() -> [UInt8] { WireCodec.sealForSession(Envelope(sender: clientKey.nodeID, sentAt: WallClock.now(), payload: .ping), signedBy: nil) }
        _ = await server.respond(to: SessionFrame.handshakeFinish(handshakeID: id, noise: m3, first: SessionCipher.seal(ping(), key: keys.send, sessionID: id, counter: 0)).encoded())
        var stats = LatencyStats()
        let clock = ContinuousClock()
        for counter in 1...UInt64(rounds) {
            if pause > .zero { try await Task.sleep(for: pause) }
            stats.add(try await clock.measure {
                let frame = SessionFrame.message(SessionCipher.seal(ping(), key: keys.sendKey, sessionID: id, counter: counter)).encoded()
                guard case .message(let m) = try SessionFrame.decode(await server.respond(to: frame), maxBytes: 1 << 20),
                      case .pong = try WireCodec.openFromSession(try SessionCipher.open(m, key: keys.receiveKey), peer: peer, digest: false).envelope.payload else {
                    throw FairwayError(.malformed, "expected pong")
                }
            })
        }
        return stats
    }
}

struct TransportBenchResult {
    var transport: String
    var roundTrips, handshakes, requestBytes, replyBytes: Int
    /// Round trips: raw nng; Fairway in an established session; Fairway on a fresh session
    /// each time (handshake, then the request on message 3); protocol 1's sign-and-verify.
    var raw, session, handshake, signed: LatencyStats
    /// Both sides' session code per round trip, no socket (what Fairway adds in CPU).
    var layers: LatencyStats
    /// Frames sealed ahead by hand and replies not opened: the server's share of the session.
    var serverOnly: LatencyStats

    var ratioP50: Double { session.quantile(0.5) / raw.quantile(0.5) }
    var ratioP99: Double { session.quantile(0.99) / raw.quantile(0.99) }
    /// What opening a session adds to the request it carries, µs at p50.
    var handshakeCostP50: Double { handshake.quantile(0.5) - session.quantile(0.5) }

    func table() -> String {
        func f(_ x: Double) -> String { String(format: "%9.1f", x) }
        func r(_ s: LatencyStats) -> String { String(format: "%9.3f", s.quantile(0.5) / raw.quantile(0.5)) }
        return """
        transport \(transport), \(roundTrips) round trips per variant (\(handshakes) handshakes), session request \(requestBytes) B, reply \(replyBytes) B
        variant                                   p50 µs     p99 µs   × raw p50
        raw nng REQ/REP                        \(f(raw.quantile(0.5)))  \(f(raw.quantile(0.99)))  \(r(raw))
        Fairway, established session           \(f(session.quantile(0.5)))  \(f(session.quantile(0.99)))  \(r(session))   target ≤ 1.5: \(ratioP50 <= 1.5 ? "met" : "NOT met")
        Fairway, new session (XX + request)    \(f(handshake.quantile(0.5)))  \(f(handshake.quantile(0.99)))  \(r(handshake))
        Fairway server, client work excluded   \(f(serverOnly.quantile(0.5)))  \(f(serverOnly.quantile(0.99)))  \(r(serverOnly))
        protocol 1: Ed25519 on every message   \(f(signed.quantile(0.5)))  \(f(signed.quantile(0.99)))  \(r(signed))
        Fairway's layers alone (both sides, no socket): \(String(format: "%.1f", layers.quantile(0.5))) µs p50 per round trip
        a handshake adds \(String(format: "%.1f", handshakeCostP50)) µs at p50 to the request it carries (one more round trip; per side four X25519 operations and one Ed25519 verification)
        """
    }

    func json() -> String {
        func n(_ x: Double) -> String { String(format: "%.3f", x) }
        return "{\"transport\":\"\(transport)\",\"round_trips\":\(roundTrips),\"handshakes\":\(handshakes),\"raw_p50_us\":\(n(raw.quantile(0.5))),\"raw_p99_us\":\(n(raw.quantile(0.99))),\"session_p50_us\":\(n(session.quantile(0.5))),\"session_p99_us\":\(n(session.quantile(0.99))),\"handshake_p50_us\":\(n(handshake.quantile(0.5))),\"handshake_p99_us\":\(n(handshake.quantile(0.99))),\"signed_p50_us\":\(n(signed.quantile(0.5))),\"signed_p99_us\":\(n(signed.quantile(0.99))),\"ratio_p50\":\(n(ratioP50)),\"ratio_p99\":\(n(ratioP99)),\"signed_ratio_p50\":\(n(signed.quantile(0.5) / raw.quantile(0.5))),\"handshake_cost_p50_us\":\(n(handshakeCostP50)),\"server_only_p50_us\":\(n(serverOnly.quantile(0.5))),\"layers_p50_us\":\(n(layers.quantile(0.5)))}"
    }
}
