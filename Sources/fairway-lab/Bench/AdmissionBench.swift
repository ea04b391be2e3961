import ArgumentParser
import InProcessCluster
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation
import Logging
import NNG

/// Edge admission throughput against raw nng request throughput, measured in the same run.
///
/// Fairway: a real coordinator and edge server in this process, over tcp loopback, with their
/// SQLite files in a temporary directory; `clients` agent identities join through the edge, get
/// tokens, and send inference requests back to back, each in its own session (wire protocol 2).
/// Each admission decrypts and authenticates the request, checks the replay window, journals
/// the request, debits a durable lease and encrypts the reply. Raw: a REP socket with the same
/// number of contexts echoing a reply of the same size to the same number of concurrent REQ
/// clients. Beside them, protocol 1's floor: Ed25519 sign and verify on both sides of raw nng.
/// The variants alternate in `rounds` rounds.
struct AdmissionBench {
    var clients = 8
    var seconds = 2.0
    var rounds = 3
    /// Which variants run (all by default); a skipped one reports NaN.
    var variants: Set<Variant> = Set(Variant.allCases)

    enum Variant: String, CaseIterable, ExpressibleByArgument {
        case raw, protocol1, admission, prebuilt
    }

    struct Result: Codable {
        var clients, rounds: Int
        var secondsPerRound: Double
        /// Medians, requests per second: raw nng; protocol 1's signing floor (the client seals
        /// and opens, the server opens and seals: two Ed25519 signatures and two verifications
        /// per round trip, nothing else); edge admissions end to end; and with the request
        /// envelopes built before the clock starts (the client still encrypts and decrypts).
        var rawRequestsPerSecond, signedRequestsPerSecond, admissionsPerSecond, presignedAdmissionsPerSecond: Double
        /// The edge's group commit during the end-to-end variant: events per commit-loop batch
        /// (requests and ticks; each batch is one SQLite transaction and one fsync).
        var eventsPerCommit: Double
        /// Mean wall time of one of those transactions (SQLite write and fsync), milliseconds.
        var transactionMilliseconds: Double
        /// End to end, the client signing and verifying on the same two cores.
        var ratio: Double { admissionsPerSecond / rawRequestsPerSecond }
        /// What the edge sustains against raw nng, the target's measure.
        var edgeRatio: Double { presignedAdmissionsPerSecond / rawRequestsPerSecond }
    }

    func run(progress: Progress?) async throws -> Result {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-bench-admission-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var transport = TransportSettings()
        transport.peerRatePerSecond = 1e7
        transport.peerBurst = 1e8
        transport.workers = 8

        let cluster = try await InProcessCluster(directory: dir, logger: logger, coordinator: {
            $0.epochMilliseconds = 300
            $0.tokens.tokensPerEpoch = UInt64(clients) * 1_000_000
            $0.admission.maxBucketSize = 1_000_000
            $0.transport = transport
        }, edge: {
            $0.heartbeatIntervalMilliseconds = 200
            $0.agentExpiryMisses = 10_000
            $0.cloud.inferenceRPS = 1e7  // measure admission, not the edge's own capacity (issue 11)
            $0.transport = transport
        })
        let edgeURL = await cluster.edgeURLs[0]
        defer { Task { await cluster.stop() } }

        // Agents join through the edge and wait for their first lease.
        let keys = (0..<clients).map { _ in NodeKey() }
        let agentClients = try keys.map { try RequestClient(url: edgeURL, identity: $0, settings: transport) }
        defer { for c in agentClients { c.close() } }
        for (i, key) in keys.enumerated() {
            let join = JoinRequest(nodeID: key.nodeID, role: .edgeAgent, address: "", version: FairwayVersion.current,
                                   bucketSize: 1_000_000, name: "bench-\(i)", publicKey: key.publicKey)
            try await retry { _ = try await agentClients[i].call(.join(join)) }
        }
        for client in agentClients {
            try await retry {
                guard case .inferenceReply = try await client.call(.inferenceRequest(InferenceRequest(cost: 1))) else {
                    throw FairwayError(.malformed, "expected an inference reply")
                }
            }
        }

        // Raw baseline: same contexts, same concurrency, frames the size of a session's inference
        // request and reply.
        let serverKey = NodeKey()
        func frame(_ e: Envelope) -> [UInt8] {
            SessionFrame.message(SessionCipher.seal(WireCodec.sealForSession(e, signedBy: nil), key: [UInt8](repeating: 1, count: 32), sessionID: 1, counter: 1)).encoded()
        }
        let replyBytes = frame(Envelope(sender: serverKey.nodeID, sentAt: WallClock.now(), inReplyTo: .random(),
                                        payload: .inferenceReply(InferenceReply(charged: 1, remaining: 999_999))))
        let requestBytes = frame(Envelope(sender: keys[0].nodeID, sentAt: WallClock.now(), payload: .inferenceRequest(InferenceRequest(cost: 1))))
        let echo = try RawEchoServer(reply: replyBytes, transport: transport)
        let rawPort = echo.port
        let rawClients = try (0..<clients).map { _ in try RequestClient(url: "tcp://127.0.0.1:\(rawPort)", identity: serverKey, settings: transport) }
        // Signing floor: a REP socket that only opens the request and seals the reply.
        let signedRep = try Socket(.rep, options: transport.socketOptions())
        let signedPort = try signedRep.listenReturningPort("tcp://127.0.0.1:0")!
        let signer = (0..<transport.workers).map { _ in
            Task {
                guard let ctx = try? signedRep.openContext() else { return }
                defer { ctx.close() }
                while !Task.isCancelled {
                    guard let m = try? await ctx.receive(timeout: .seconds(60)),
                          let request = try? WireCodec.open(m.bytes) else { return }
                    let reply = WireCodec.seal(request.envelope.reply(from: serverKey.nodeID, at: WallClock.now(),
                                                                      .inferenceReply(InferenceReply(charged: 1, remaining: 999_999))), signedBy: serverKey)
                    try? await ctx.send(reply, timeout: .seconds(1))
                }
            }
        }
        // Protocol 1's path: raw exchanges of signed envelopes, opened (verified) on both sides.
        let signedClients = try keys.map { try RequestClient(url: "tcp://127.0.0.1:\(signedPort)", identity: $0, settings: transport) }
        defer {
            for c in rawClients + signedClients { c.close() }
            for t in signer { t.cancel() }
            echo.close()
            signedRep.close()
        }

        var batchSizes: [Double] = [], transactionMilliseconds: [Double] = []
        var raw: [Double] = [], signed: [Double] = [], admitted: [Double] = [], presigned: [Double] = []
        for round in 0..<rounds {
            if variants.contains(.raw) {
                raw.append(try await throughput(seconds: seconds) { i in _ = try await rawClients[i].exchange(requestBytes) })
            }
            progress?.update(4 * round + 1)
            if variants.contains(.protocol1) { signed.append(try await throughput(seconds: seconds) { i in
                let request = WireCodec.seal(Envelope(sender: keys[i].nodeID, sentAt: WallClock.now(), payload: .inferenceRequest(InferenceRequest(cost: 1))), signedBy: keys[i])
                guard case .inferenceReply = try WireCodec.open(try await signedClients[i].exchange(request)).envelope.payload else {
                    throw FairwayError(.malformed, "expected an inference reply")
                }
            }) }
            progress?.update(4 * round + 2)
            let edgeState = await cluster.edges[0].state
            let (b0, e0, t0) = (await edgeState.batches, await edgeState.events, await edgeState.transactionTime)
            if variants.contains(.admission) { admitted.append(try await throughput(seconds: seconds) { i in
                guard case .inferenceReply = try await agentClients[i].call(.inferenceRequest(InferenceRequest(cost: 1))) else {
                    throw FairwayError(.malformed, "expected an inference reply")
                }
            }) }
            let (b1, e1, t1) = (await edgeState.batches, await edgeState.events, await edgeState.transactionTime)
            batchSizes.append(Double(e1 - e0) / Double(max(1, b1 - b0)))
            transactionMilliseconds.append((t1 - t0).milliseconds / Double(max(1, b1 - b0)))
            progress?.update(4 * round + 3)
            guard variants.contains(.prebuilt) else { progress?.update(4 * round + 4); continue }
            // Fresh ids every round: a resent id would be answered from the replay cache.
            let batches = keys.map { key in
                (0..<presignedPerClient).map { _ in
                    WireCodec.sealForSession(Envelope(sender: key.nodeID, sentAt: WallClock.now(), payload: .inferenceRequest(InferenceRequest(cost: 1))), signedBy: nil)
                }
            }
            presigned.append(try await throughput(seconds: seconds, limit: presignedPerClient) { i, n in
                _ = try await agentClients[i].exchangeSealed(batches[i][n], as: keys[i])
            })
            progress?.update(4 * round + 4)
        }
        return Result(clients: clients, rounds: rounds, secondsPerRound: seconds,
                      rawRequestsPerSecond: median(raw), signedRequestsPerSecond: median(signed), admissionsPerSecond: median(admitted),
                      presignedAdmissionsPerSecond: median(presigned), eventsPerCommit: median(batchSizes),
                      transactionMilliseconds: median(transactionMilliseconds))
    }

    /// Pre-signed requests per client and round (enough for `seconds` at the edge's pace).
    var presignedPerClient: Int { max(500, Int(seconds * 1500)) }

    private func throughput(seconds: Double, _ request: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        try await throughput(seconds: seconds, limit: .max) { i, _ in try await request(i) }
    }

    /// Requests per second with `clients` concurrent loops for `seconds` (or `limit` requests each).
    private func throughput(seconds: Double, limit: Int, _ request: @escaping @Sendable (Int, Int) async throws -> Void) async throws -> Double {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let start = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<clients {
                group.addTask {
                    var n = 0
                    while ContinuousClock.now < deadline && n < limit {
                        try await request(i, n)
                        n += 1
                    }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / (ContinuousClock.now - start).milliseconds * 1000
    }

    private func retry(_ body: () async throws -> Void) async throws {
        var last: Error?
        for _ in 0..<100 {
            do { return try await body() } catch {
                last = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw last!
    }

    private func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

extension FairwayLab.Bench {
    struct Admission: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Edge admission throughput (signed inference requests debiting durable leases) vs raw nng REQ/REP, same run.")
        @Option(help: "Concurrent agent identities (and raw REQ clients).") var clients = 8
        @Option(help: "Seconds per measured round and variant.") var seconds = 2.0
        @Option(help: "Rounds (variants alternate; medians reported).") var rounds = 3
        @Option(help: "Variants to run, comma-separated: raw, protocol1, admission, prebuilt (default: all; a skipped one prints nan). For profiling one path.")
        var variants = "raw,protocol1,admission,prebuilt"
        @Flag(help: "Print one JSON object instead of a table.") var json = false

        func validate() throws {
            for v in variants.split(separator: ",") where AdmissionBench.Variant(rawValue: String(v)) == nil {
                throw ValidationError("--variants: unknown variant '\(v)' (known: raw, protocol1, admission, prebuilt)")
            }
        }

        func run() async throws {
            let progress = Progress(total: 4 * rounds, label: "variant runs")
            let chosen = Set(variants.split(separator: ",").compactMap { AdmissionBench.Variant(rawValue: String($0)) })
            let r = try await AdmissionBench(clients: clients, seconds: seconds, rounds: rounds, variants: chosen).run(progress: progress)
            progress.finish()
            print(json ? r.json : r.table)
        }
    }
}

extension AdmissionBench.Result {
    var table: String {
        """
        edge admission vs raw nng (tcp loopback, \(clients) concurrent clients, median of \(rounds) rounds × \(secondsPerRound) s)
          raw nng REQ/REP                 \(String(format: "%9.0f", rawRequestsPerSecond)) requests/s
          protocol 1: nng + Ed25519 only  \(String(format: "%9.0f", signedRequestsPerSecond)) requests/s   (\(String(format: "%.2f", signedRequestsPerSecond / rawRequestsPerSecond)) × raw: the old path's ceiling)
          edge admission (sessions)       \(String(format: "%9.0f", admissionsPerSecond)) admissions/s (\(String(format: "%.2f", admissionsPerSecond / signedRequestsPerSecond)) × protocol 1's ceiling)
          edge admission, pre-built load  \(String(format: "%9.0f", presignedAdmissionsPerSecond)) admissions/s
          edge group commit               \(String(format: "%9.1f", eventsPerCommit)) events per SQLite transaction, \(String(format: "%.2f", transactionMilliseconds)) ms each
          ratio edge admission / raw      \(String(format: "%9.2f", edgeRatio))   (target ≥ 0.5; end to end: \(String(format: "%.2f", ratio)))
        """
    }

    var json: String {
        func n(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }  // a skipped variant
        return "{\"clients\":\(clients),\"raw_requests_per_second\":\(n(rawRequestsPerSecond)),\"signed_requests_per_second\":\(n(signedRequestsPerSecond)),\"admissions_per_second\":\(n(admissionsPerSecond)),\"presigned_admissions_per_second\":\(n(presignedAdmissionsPerSecond)),\"ratio\":\(n(ratio)),\"edge_ratio\":\(n(edgeRatio)),\"events_per_commit\":\(n(eventsPerCommit)),\"transaction_ms\":\(n(transactionMilliseconds))}"
    }
}
