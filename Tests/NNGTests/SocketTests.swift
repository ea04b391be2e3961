import Foundation
import NNG
import XCTest

final class SocketTests: XCTestCase {

    // MARK: 1. REQ/REP round trip over inproc, ipc, tcp

    func testRequestReplyOverInproc() async throws {
        try await roundTrip(listenURL: uniqueInproc())
    }

    func testRequestReplyOverIPC() async throws {
        let (url, path) = uniqueIPC()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await roundTrip(listenURL: url)
    }

    func testRequestReplyOverTCP() async throws {
        try await roundTrip(listenURL: nil)
    }

    private func roundTrip(listenURL: String?) async throws {
        let rep = try Socket(.rep, options: testOptions())
        let req = try Socket(.req, options: testOptions())
        defer { req.close(); rep.close() }
        let url: String
        if let listenURL {
            try rep.listen(listenURL)
            url = listenURL
        } else {
            url = try listenTCP(rep)
        }
        try req.dial(url)

        // Raw socket-level REP (no contexts): receive then reply.
        let server = Task {
            let m = try await rep.receive(timeout: .seconds(5))
            XCTAssertNotNil(m.pipe)
            try await rep.send(m.bytes.reversed(), timeout: .seconds(5))
        }
        try await withDeadline(10) {
            try await req.send([1, 2, 3, 4], timeout: .seconds(5))
            let reply = try await req.receive(timeout: .seconds(5))
            XCTAssertEqual(reply.bytes, [4, 3, 2, 1])
        }
        try await server.value

        // And through a REQ context with request().
        let worker = try serveREP(rep) { $0 + [0xFF] }
        defer { worker.cancel() }
        let ctx = try req.openContext()
        let reply = try await withDeadline(10) { try await ctx.request(Array("hello".utf8), timeout: .seconds(5)) }
        XCTAssertEqual(reply, Array("hello".utf8) + [0xFF])
        // Empty message round trip.
        let empty = try await withDeadline(10) { try await ctx.request([], timeout: .seconds(5)) }
        XCTAssertEqual(empty, [0xFF])
    }

    // MARK: 2. REP contexts serve concurrent requests from REQ contexts

    func testConcurrentContextsMatchReplies() async throws {
        let rep = try Socket(.rep, options: testOptions())
        let req = try Socket(.req, options: testOptions())
        defer { req.close(); rep.close() }
        let url = try listenTCP(rep)
        try req.dial(url)

        // Each worker delays a bit so requests overlap, and tags the reply.
        let contexts = try (0..<4).map { _ in try rep.openContext() }
        let served = Task {
            await withTaskGroup(of: Int.self) { group in
                for ctx in contexts {
                    group.addTask {
                        var count = 0
                        while true {
                            do {
                                let m = try await ctx.receive(timeout: .seconds(5))
                                try await Task.sleep(for: .milliseconds(50))
                                try await ctx.send(m.bytes + Array("-reply".utf8), timeout: .seconds(5))
                                count += 1
                            } catch {
                                return count
                            }
                        }
                    }
                }
                return await group.reduce(0, +)
            }
        }

        let n = 8
        let start = ContinuousClock.now
        let replies = try await withDeadline(15) {
            try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                for i in 0..<n {
                    let ctx = try req.openContext()
                    group.addTask {
                        let reply = try await ctx.request(Array("req-\(i)".utf8), timeout: .seconds(8))
                        return (i, reply)
                    }
                }
                var out: [Int: [UInt8]] = [:]
                for try await (i, r) in group { out[i] = r }
                return out
            }
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(replies.count, n)
        for i in 0..<n {
            XCTAssertEqual(replies[i].map { String(decoding: $0, as: UTF8.self) }, "req-\(i)-reply")
        }
        // 8 requests × 50 ms on 4 workers should overlap (well under the serial 400 ms × slack).
        XCTAssertLessThan(elapsed, .seconds(5))
        rep.close()
        let total = await served.value
        XCTAssertGreaterThanOrEqual(total, n)
    }

    // MARK: 3. PUB/SUB

    func testPublishSubscribe() async throws {
        let pub = try Socket(.pub, options: testOptions())
        let sub = try Socket(.sub, options: testOptions())
        defer { sub.close(); pub.close() }
        let url = try listenTCP(pub)
        try sub.dial(url)
        try sub.subscribe(Array("epoch".utf8))

        // Slow joiner: keep publishing until the subscriber sees one (bounded).
        let got = try await withDeadline(15) { () -> Message? in
            for attempt in 0..<100 {
                try await pub.send(Array("other-\(attempt)".utf8), timeout: .seconds(1))
                try await pub.send(Array("epoch-\(attempt)".utf8), timeout: .seconds(1))
                do {
                    return try await sub.receive(timeout: .milliseconds(100))
                } catch let e as NNGError where e.isTimeout {
                    continue
                }
            }
            return nil
        }
        let message = try XCTUnwrap(got, "subscriber never received a publication")
        XCTAssertTrue(String(decoding: message.bytes, as: UTF8.self).hasPrefix("epoch-"))

        // Topic filtering: only "epoch…" messages arrive.
        try await pub.send(Array("other".utf8))
        try await pub.send(Array("epoch-final".utf8))
        var last = try await sub.receive(timeout: .seconds(2))
        while String(decoding: last.bytes, as: UTF8.self) != "epoch-final" {
            XCTAssertTrue(String(decoding: last.bytes, as: UTF8.self).hasPrefix("epoch-"))
            last = try await sub.receive(timeout: .seconds(2))
        }

        // Non-SUB sockets reject subscribe.
        XCTAssertThrowsError(try pub.subscribe()) { XCTAssertTrue($0 is NNGError) }
    }

    // MARK: 4. SURVEYOR/RESPONDENT

    func testSurveyAnsweredByTwoRespondents() async throws {
        let surveyor = try Socket(.surveyor, options: testOptions())
        let r1 = try Socket(.respondent, options: testOptions())
        let r2 = try Socket(.respondent, options: testOptions())
        defer { r1.close(); r2.close(); surveyor.close() }
        let url = try listenTCP(surveyor)
        let events = surveyor.pipeEvents()
        try r1.dial(url)
        try r2.dial(url)

        let responders = [(r1, UInt8(1)), (r2, UInt8(2))].map { sock, tag in
            Task {
                while true {
                    do {
                        let m = try await sock.receive(timeout: .seconds(1))
                        try await sock.send(m.bytes + [tag], timeout: .seconds(1))
                    } catch let e as NNGError where e.isTimeout {
                        continue
                    } catch {
                        return
                    }
                }
            }
        }
        defer { responders.forEach { $0.cancel() } }

        // Wait for both pipes so the survey reaches both.
        try await withDeadline(10) {
            var added = 0
            for await e in events {
                if case .added = e { added += 1 }
                if added == 2 { return }
            }
        }

        let ctx = try surveyor.openContext()
        let answers = try await withDeadline(15) { () -> Set<UInt8> in
            for round in 0..<10 {
                let start = ContinuousClock.now
                try await ctx.send([UInt8(round)], timeout: .seconds(2))
                var tags = Set<UInt8>()
                // Receive until the survey time (500 ms) ends with a timeout.
                while true {
                    do {
                        let m = try await ctx.receive(timeout: .seconds(3))
                        XCTAssertEqual(m.bytes.first, UInt8(round))
                        tags.insert(m.bytes.last!)
                    } catch let e as NNGError where e.isTimeout {
                        break
                    }
                }
                XCTAssertLessThan(ContinuousClock.now - start, .seconds(2.5), "survey should end at survey time")
                if tags.count == 2 { return tags }
            }
            return []
        }
        XCTAssertEqual(answers, [1, 2])
    }

    // MARK: 5. Timeout

    func testReceiveTimeout() async throws {
        let rep = try Socket(.rep, options: testOptions())
        defer { rep.close() }
        _ = try listenTCP(rep)
        let start = ContinuousClock.now
        let error = await assertThrowsNNG({ try await rep.receive(timeout: .milliseconds(100)) }, { $0.isTimeout })
        let elapsed = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(80))
        XCTAssertLessThan(elapsed, .seconds(2))
        XCTAssertEqual(error?.operation, "receive")
        XCTAssertTrue(error?.description.contains("receive") ?? false)

        // Default deadline from options.
        var o = testOptions()
        o.receiveTimeout = .milliseconds(150)
        let sub = try Socket(.sub, options: o)
        defer { sub.close() }
        try sub.subscribe()
        await assertThrowsNNG({ try await sub.receive() }, { $0.isTimeout })

        // REQ send with no peer times out instead of hanging.
        let req = try Socket(.req, options: testOptions())
        defer { req.close() }
        await assertThrowsNNG({ try await req.send([1], timeout: .milliseconds(100)) }, { $0.isTimeout })
    }

    // MARK: 6. Cancellation

    func testCancellationOfPendingReceive() async throws {
        let rep = try Socket(.rep, options: testOptions(timeout: .seconds(30)))
        defer { rep.close() }
        let task = Task { try await rep.receive(timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))
        let start = ContinuousClock.now
        task.cancel()
        let result = try await withDeadline(5) { await task.result }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
        switch result {
        case .success: XCTFail("receive should not succeed")
        case .failure(let e):
            XCTAssertTrue((e as? NNGError)?.isCancelled ?? false, "got \(e)")
        }

        // Already-cancelled task: fails at once, no 30 s wait.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await rep.receive(timeout: .seconds(30))
        }
        let earlyResult = try await withDeadline(5) { await early.result }
        if case .failure(let e) = earlyResult {
            XCTAssertTrue((e as? NNGError)?.isCancelled ?? false, "got \(e)")
        } else {
            XCTFail("expected cancellation")
        }

        // Cancelled context send (REQ, no peer) as well.
        let req = try Socket(.req, options: testOptions(timeout: .seconds(30)))
        defer { req.close() }
        let ctx = try req.openContext()
        let sendTask = Task { try await ctx.request([1, 2, 3], timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))
        sendTask.cancel()
        let sendResult = try await withDeadline(5) { await sendTask.result }
        if case .failure(let e) = sendResult {
            XCTAssertTrue((e as? NNGError)?.isCancelled ?? false, "got \(e)")
        } else {
            XCTFail("expected cancellation")
        }
    }

    // MARK: 7. Oversize messages are dropped, smaller ones still delivered

    func testOversizeMessageIsNotDelivered() async throws {
        let rep = try Socket(.rep, options: testOptions(maxMessageBytes: 1024))
        let req = try Socket(.req, options: testOptions())
        defer { req.close(); rep.close() }
        let url = try listenTCP(rep)
        try req.dial(url)
        let repCtx = try rep.openContext()
        let reqCtx = try req.openContext()

        // Oversize request: nng closes the pipe on the REP side; REQ reconnects and resends,
        // which is dropped again. The REP never sees it.
        let big = [UInt8](repeating: 0xAB, count: 4096)
        let bigTask = Task { try await reqCtx.request(big, timeout: .seconds(1)) }
        let error = await assertThrowsNNG({ try await repCtx.receive(timeout: .milliseconds(800)) }, { $0.isTimeout })
        XCTAssertNotNil(error)
        let bigResult = await bigTask.result
        if case .success = bigResult { XCTFail("oversize request must not be answered") }

        // A small request on the same context afterwards is delivered and answered.
        let worker = try serveREP(rep) { $0 }
        defer { worker.cancel() }
        repCtx.close()
        let small = [UInt8](repeating: 0x01, count: 512)
        let reply = try await withDeadline(10) { try await reqCtx.request(small, timeout: .seconds(5)) }
        XCTAssertEqual(reply, small)

        // The limit covers the whole SP message: body + the 4-byte REQ request id.
        let exact = [UInt8](repeating: 0x02, count: 1024 - 4)
        let reply2 = try await withDeadline(10) { try await reqCtx.request(exact, timeout: .seconds(5)) }
        XCTAssertEqual(reply2, exact)
    }

    // MARK: 8. Reconnect: dial before listen, then peer restart

    func testReconnectAndPeerRestart() async throws {
        // Pick a free port, then release it.
        let probe = try Socket(.rep)
        let url = try listenTCP(probe)
        probe.close()

        let req = try Socket(.req, options: testOptions())
        defer { req.close() }
        try req.dial(url)  // nobody listening yet: non-blocking dial must not fail
        let ctx = try req.openContext()
        let first = Task { try await ctx.request(Array("one".utf8), timeout: .seconds(8)) }

        try await Task.sleep(for: .milliseconds(300))
        let rep1 = try Socket(.rep, options: testOptions())
        try rep1.listen(url)
        let worker1 = try serveREP(rep1) { $0 + Array("@1".utf8) }
        let reply1 = try await withDeadline(10) { try await first.value }
        XCTAssertEqual(reply1, Array("one@1".utf8))

        // Peer restart: close the REP, open a new one on the same URL.
        rep1.close()
        worker1.cancel()
        await worker1.value
        let rep2 = try Socket(.rep, options: testOptions())
        defer { rep2.close() }
        try rep2.listen(url)
        let worker2 = try serveREP(rep2) { $0 + Array("@2".utf8) }
        defer { worker2.cancel() }
        let reply2 = try await withDeadline(10) { try await ctx.request(Array("two".utf8), timeout: .seconds(8)) }
        XCTAssertEqual(reply2, Array("two@2".utf8))
    }

    // MARK: 9. Pipe events

    func testPipeEventsReportAddedAndRemoved() async throws {
        let rep = try Socket(.rep, options: testOptions())
        defer { rep.close() }
        let url = try listenTCP(rep)
        let events = rep.pipeEvents()
        let secondStream = rep.pipeEvents()  // several consumers are fine

        let req = try Socket(.req, options: testOptions())
        try req.dial(url)
        let collected = try await withDeadline(10) { () -> [PipeEvent] in
            var out: [PipeEvent] = []
            for await e in events {
                out.append(e)
                if out.count == 1 { req.close() }
                if out.count == 2 { break }
            }
            return out
        }
        XCTAssertEqual(collected.count, 2)
        guard case .added(let p) = collected[0] else { return XCTFail("first event \(collected[0])") }
        XCTAssertEqual(collected[1], .removed(p))
        XCTAssertNotEqual(p.id, 0)

        // Closing the socket finishes the streams.
        rep.close()
        let rest = try await withDeadline(5) { () -> [PipeEvent] in
            var out: [PipeEvent] = []
            for await e in secondStream { out.append(e) }
            return out
        }
        XCTAssertEqual(rest, collected)
        let afterClose = try await withDeadline(5) { () -> Int in
            var n = 0
            for await _ in rep.pipeEvents() { n += 1 }
            return n
        }
        XCTAssertEqual(afterClose, 0)
    }

    // MARK: 10. Many pending operations don't starve the cooperative pool

    func testManyPendingReceivesDoNotBlockPool() async throws {
        let idle = try Socket(.rep, options: testOptions())
        let rep = try Socket(.rep, options: testOptions())
        let req = try Socket(.req, options: testOptions())
        defer { req.close(); rep.close(); idle.close() }
        _ = try listenTCP(idle)
        let url = try listenTCP(rep)
        try req.dial(url)
        let worker = try serveREP(rep)
        defer { worker.cancel() }
        let idleContexts = try (0..<50).map { _ in try idle.openContext() }

        let start = ContinuousClock.now
        let pending = Task { await withTaskGroup(of: Bool.self) { group in
            for ctx in idleContexts {
                group.addTask {
                    do {
                        _ = try await ctx.receive(timeout: .milliseconds(1500))
                        return false
                    } catch {
                        return (error as? NNGError)?.isTimeout ?? false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        } }
        // While 50 receives are parked, a round trip completes well before they time out.
        try await Task.sleep(for: .milliseconds(100))
        let ctx = try req.openContext()
        let reply = try await withDeadline(10) { try await ctx.request([42], timeout: .seconds(5)) }
        XCTAssertEqual(reply, [42])
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(1400), "round trip waited for the parked receives")

        let results = try await withDeadline(10) { await pending.value }
        XCTAssertEqual(results.count, 50)
        XCTAssertTrue(results.allSatisfy { $0 }, "all parked receives should time out")
    }

    // MARK: Extras: cancellation races, close semantics and errors

    func testCancellationRaceStress() async throws {
        let rep = try Socket(.rep, options: testOptions())
        let req = try Socket(.req, options: testOptions())
        defer { req.close(); rep.close() }
        try req.dial(try listenTCP(rep))
        // Replies take ~0.5 ms so cancellations land before, during and after the request.
        let worker = try serveREP(rep, workers: 2, delay: .microseconds(500))
        defer { worker.cancel() }
        let ctx = try req.openContext()
        let outcomes = try await withDeadline(60) {
            var local = (ok: 0, cancelled: 0)
            for i in 0..<300 {
                let payload = [UInt8(i % 256), UInt8(i / 256)]
                let task = Task { try await ctx.request(payload, timeout: .seconds(5)) }
                switch i % 4 {
                case 0: task.cancel()
                case 1: await Task.yield(); task.cancel()
                case 2: try await Task.sleep(for: .microseconds(Int.random(in: 0...1500))); task.cancel()
                default: break  // not cancelled
                }
                switch await task.result {
                case .success(let reply):
                    XCTAssertEqual(reply, payload)
                    local.ok += 1
                case .failure(let e):
                    XCTAssertTrue((e as? NNGError)?.isCancelled ?? false, "iteration \(i): \(e)")
                    XCTAssertNotEqual(i % 4, 3, "uncancelled request failed: \(e)")
                    local.cancelled += 1
                }
            }
            return local
        }
        XCTAssertGreaterThanOrEqual(outcomes.ok, 75)
        XCTAssertEqual(outcomes.ok + outcomes.cancelled, 300)
    }

    /// Regression for two nng 1.5.2 defects hit when closing sockets with busy contexts:
    /// a concurrent nng_ctx_send/recv/close can touch the freed socket ("panic:
    /// pthread_mutex_lock: Invalid argument"), and nng_close under traffic can hang forever.
    /// Socket serialises ctx calls against nng_close and quiesces first; hammer it over TCP.
    func testCloseWhileContextsAreBusyDoesNotCrash() async throws {
        try await withDeadline(90) {
            for round in 0..<40 {
                let rep = try Socket(.rep, options: testOptions(timeout: .seconds(2)))
                let req = try Socket(.req, options: testOptions(timeout: .seconds(2)))
                let url = try listenTCP(rep)
                try req.dial(url)
                let repContexts = try (0..<6).map { _ in try rep.openContext() }
                let reqContexts = try (0..<6).map { _ in try req.openContext() }
                // Workers keep issuing context operations until both closes have returned,
                // so calls race with every phase of close (they fail fast once closed).
                let stop = StopFlag()
                let busy = Task {
                    await withTaskGroup(of: Void.self) { group in
                        for ctx in repContexts {
                            group.addTask {
                                while !stop.isSet {
                                    if let m = try? await ctx.receive(timeout: .milliseconds(200)) {
                                        _ = try? await ctx.send(m.bytes, timeout: .milliseconds(200))
                                    }
                                    await Task.yield()
                                }
                            }
                        }
                        for ctx in reqContexts {
                            group.addTask {
                                while !stop.isSet {
                                    _ = try? await ctx.request([1, 2, 3], timeout: .milliseconds(200))
                                    await Task.yield()
                                }
                            }
                        }
                    }
                }
                try await Task.sleep(for: .microseconds(Int.random(in: 200...3000)))
                let closeStart = ContinuousClock.now
                if round % 2 == 0 {
                    rep.close()
                    // Closing contexts concurrently with socket close is the other half of the race.
                    for ctx in repContexts { ctx.close() }
                    req.close()
                } else {
                    async let a: Void = rep.close()
                    async let b: Void = req.close()
                    _ = await (a, b)
                }
                // close() quiesces before nng_close, which avoids nng 1.5.2's close-under-traffic
                // hang (nanomsg/nng#1813); a hang would show up as close() hitting its 2 s cap.
                let closeTime = ContinuousClock.now - closeStart
                XCTAssertLessThan(closeTime, .seconds(1.5), "round \(round): close() took \(closeTime)")
                stop.set()
                await busy.value
            }
        }
    }

    func testCloseFailsPendingOperationsAndIsIdempotent() async throws {
        let rep = try Socket(.rep, options: testOptions(timeout: .seconds(30)))
        let ctx = try rep.openContext()
        let pendingSocket = Task { try await rep.receive(timeout: .seconds(30)) }
        let pendingCtx = Task { try await ctx.receive(timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))
        rep.close()
        rep.close()
        XCTAssertTrue(rep.isClosed)
        for task in [pendingSocket, pendingCtx] {
            let r = try await withDeadline(5) { await task.result }
            if case .failure(let e) = r {
                XCTAssertTrue((e as? NNGError)?.isClosed ?? false, "got \(e)")
            } else {
                XCTFail("expected closed")
            }
        }
        await assertThrowsNNG({ try await rep.send([1]) }, { $0.isClosed })
        await assertThrowsNNG({ try await ctx.send([1]) }, { $0.isClosed })
        XCTAssertThrowsError(try rep.listen("tcp://127.0.0.1:0"))
        ctx.close()
        ctx.close()
    }

    func testEndpointErrors() throws {
        let a = try Socket(.rep)
        let b = try Socket(.rep)
        defer { a.close(); b.close() }
        let url = try listenTCP(a)
        XCTAssertThrowsError(try b.listen(url)) { error in
            let e = error as? NNGError
            XCTAssertNotNil(e)
            XCTAssertTrue(e?.operation.contains(url) ?? false)
            XCTAssertTrue(e?.description.contains(url) ?? false)
        }
        XCTAssertThrowsError(try b.listen("bogus://nowhere"))
        XCTAssertThrowsError(try b.dial("not a url"))
        // Non-blocking dial to a closed port succeeds immediately.
        try b.dial("tcp://127.0.0.1:1")
        // Port reporting: TCP gives a port, other transports nil.
        let port: Int? = try b.listen("tcp://127.0.0.1:0")
        XCTAssertNotNil(port)
        XCTAssertGreaterThan(port ?? 0, 0)
        XCTAssertNil(try b.listenReturningPort(uniqueInproc()))
        try a.openContext().close()  // REP supports contexts
        var bad = SocketOptions()
        bad.maxMessageBytes = 0
        XCTAssertThrowsError(try Socket(.req, options: bad))
        let pub = try Socket(.pub)
        defer { pub.close() }
        XCTAssertThrowsError(try pub.openContext())
    }

    func testAllProtocolsOpen() throws {
        for kind in SocketProtocol.allCases {
            let s = try Socket(kind)
            XCTAssertEqual(s.protocolKind, kind)
            s.close()
        }
    }
}
