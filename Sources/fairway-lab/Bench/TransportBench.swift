import ArgumentParser
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation
import Logging
import NNG

extension FairwayLab.Bench {
    /// Raw nng REQ/REP round trips versus the same round trip through the Fairway
    /// envelope (encode, decode, validate, idempotency cache, dispatch, reply).
    struct Transport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Raw nng REQ/REP vs. Fairway envelope + dispatch round trips, same transport, same run.")

        @Option(help: "Transport: tcp, ipc or inproc.") var transport = "tcp"
        @Option(help: "Measured round trips per variant.") var roundTrips = 20_000
        @Option(help: "Warm-up round trips per variant (not measured).") var warmup = 1_000
        @Option(help: "Alternate the variants in blocks of this many round trips (cancels drift).") var block = 1_000
        @Flag(help: "Print one JSON object instead of a table.") var json = false

        func validate() throws {
            guard ["tcp", "ipc", "inproc"].contains(transport) else { throw ValidationError("--transport must be tcp, ipc or inproc") }
            guard roundTrips > 0, warmup >= 0, block > 0 else { throw ValidationError("--round-trips and --block must be > 0") }
        }

        func url(_ name: String) throws -> String {
            switch transport {
            case "tcp": "tcp://127.0.0.1:\(try ProcessSpawner.freePort())"
            case "ipc": "ipc:///tmp/fairway-bench-\(name)-\(getpid())"
            default: "inproc://fairway-bench-\(name)"
            }
        }

        func run() async throws {
            var logger = Logger(label: "bench")
            logger.logLevel = .critical
            var settings = TransportSettings()
            settings.peerRatePerSecond = 1e7  // the bench client is one sender; keep the limiter's cost, not its refusals
            settings.peerBurst = 1e8
            let clientKey = NodeKey(), serverKey = NodeKey()
            let me = serverKey.nodeID
            // The baseline sends and returns bytes the size of a sealed (signed) ping and pong.
            let requestBytes = WireCodec.seal(Envelope(sender: clientKey.nodeID, sentAt: WallClock.now(), payload: .ping), signedBy: clientKey)

            // Baseline: a REP socket echoing a fixed reply of the same size as a Fairway pong.
            let rawURL = try url("raw")
            let replyBytes = WireCodec.seal(Envelope(sender: me, sentAt: WallClock.now(), inReplyTo: .random(),
                                                     payload: .pong(Pong(nodeID: me, role: .cloudCoordinator, version: FairwayVersion.current))), signedBy: serverKey)
            let rep = try Socket(.rep, options: settings.socketOptions())
            try rep.listen(rawURL)
            let echo = Task {
                while !Task.isCancelled {
                    guard (try? await rep.receive(timeout: .seconds(60))) != nil else { return }
                    try? await rep.send(replyBytes)
                }
            }
            let rawClient = try RequestClient(url: rawURL, identity: clientKey, settings: settings)

            // Fairway: the daemons' RequestServer and RequestClient, answering ping with pong.
            let fwURL = try url("fairway")
            let server = try RequestServer(identity: serverKey, settings: settings, logger: logger) { envelope in
                guard case .ping = envelope.payload else { return .error(FairwayError(.unexpectedPayload, "bench serves ping")) }
                return .pong(Pong(nodeID: me, role: .cloudCoordinator, version: FairwayVersion.current))
            }
            try server.listen(fwURL)
            let serving = Task { await server.run() }
            let fwClient = try RequestClient(url: fwURL, identity: clientKey, settings: settings)

            func rawTrip() async throws { _ = try await rawClient.exchange(requestBytes) }
            func fairwayTrip() async throws {
                guard case .pong = try await fwClient.call(.ping) else { throw FairwayError(.malformed, "expected pong") }
            }

            let clock = ContinuousClock()
            for _ in 0..<warmup {
                try await rawTrip()
                try await fairwayTrip()
            }
            var raw = LatencyStats(), fairway = LatencyStats()
            var done = 0
            let progress = Progress(total: roundTrips * 2, label: "round trips")
            while done < roundTrips {
                let n = min(block, roundTrips - done)
                for _ in 0..<n { raw.add(try await clock.measure { try await rawTrip() }) }
                for _ in 0..<n { fairway.add(try await clock.measure { try await fairwayTrip() }) }
                done += n
                progress.update(done * 2)
            }
            progress.finish()
            echo.cancel()
            rep.close()
            serving.cancel()
            server.close()
            rawClient.close()
            fwClient.close()
            _ = await serving.value

            // What signing alone costs on this machine: a round trip seals twice and opens twice.
            var seal = LatencyStats(), open = LatencyStats()
            let ping = Envelope(sender: clientKey.nodeID, sentAt: WallClock.now(), payload: .ping)
            for _ in 0..<2000 {
                var sealed: [UInt8] = []
                seal.add(clock.measure { sealed = WireCodec.seal(ping, signedBy: clientKey) })
                open.add(clock.measure { _ = try? WireCodec.open(sealed) })
            }
            let result = TransportBenchResult(transport: transport, roundTrips: roundTrips, requestBytes: requestBytes.count,
                                              replyBytes: replyBytes.count, raw: raw, fairway: fairway, seal: seal, open: open)
            print(json ? result.json() : result.table())
        }
    }
}

struct TransportBenchResult {
    var transport: String
    var roundTrips, requestBytes, replyBytes: Int
    /// Round trips: raw nng, and Fairway's envelope and dispatch.
    var raw, fairway: LatencyStats
    /// One `WireCodec.seal` (encode + Ed25519 sign) and one `open` (Ed25519 verify + decode).
    var seal, open: LatencyStats
    /// The signing part of a Fairway round trip: two seals and two opens.
    var signingP50: Double { 2 * seal.quantile(0.5) + 2 * open.quantile(0.5) }

    var ratioP50: Double { fairway.quantile(0.5) / raw.quantile(0.5) }
    var ratioP99: Double { fairway.quantile(0.99) / raw.quantile(0.99) }

    func table() -> String {
        func f(_ x: Double) -> String { String(format: "%9.1f", x) }
        return """
        transport \(transport), \(roundTrips) round trips per variant, request \(requestBytes) B, reply \(replyBytes) B
        variant                         p50 µs     p99 µs
        raw nng REQ/REP              \(f(raw.quantile(0.5)))  \(f(raw.quantile(0.99)))
        Fairway envelope + dispatch  \(f(fairway.quantile(0.5)))  \(f(fairway.quantile(0.99)))
        ratio (Fairway / raw)        \(String(format: "%9.3f", ratioP50))  \(String(format: "%9.3f", ratioP99))   target p50 ≤ 1.5: \(ratioP50 <= 1.5 ? "met" : "NOT met")
        seal (encode + Ed25519 sign)  \(f(seal.quantile(0.5)))  \(f(seal.quantile(0.99)))
        open (Ed25519 verify + decode)\(f(open.quantile(0.5)))  \(f(open.quantile(0.99)))
        of the Fairway p50, signing (2 seals + 2 opens) is \(String(format: "%.1f", signingP50)) µs; without it the ratio would be \(String(format: "%.3f", (fairway.quantile(0.5) - signingP50) / raw.quantile(0.5)))
        """
    }

    func json() -> String {
        func n(_ x: Double) -> String { String(format: "%.3f", x) }
        return "{\"transport\":\"\(transport)\",\"round_trips\":\(roundTrips),\"raw_p50_us\":\(n(raw.quantile(0.5))),\"raw_p99_us\":\(n(raw.quantile(0.99))),\"fairway_p50_us\":\(n(fairway.quantile(0.5))),\"fairway_p99_us\":\(n(fairway.quantile(0.99))),\"ratio_p50\":\(n(ratioP50)),\"ratio_p99\":\(n(ratioP99)),\"seal_p50_us\":\(n(seal.quantile(0.5))),\"open_p50_us\":\(n(open.quantile(0.5)))}"
    }
}
