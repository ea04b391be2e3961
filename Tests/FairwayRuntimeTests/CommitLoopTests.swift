import FairwayCore
import FairwayRuntime
import FairwayTestSupport
import Foundation
import GRDB
import XCTest

/// Durable before visible, on a real SQLite file: no event sees another's effect before it is
/// committed, a failed commit leaves the state as before the batch, and concurrent events
/// share one transaction.
final class CommitLoopTests: XCTestCase {
    struct Injected: Error {}

    func database() throws -> DatabasePool {
        let pool = try DatabasePool(path: temporaryDirectory() + "/loop.sqlite")
        try pool.write { try $0.execute(sql: "CREATE TABLE event (n INTEGER NOT NULL)") }
        return pool
    }

    /// The rows on disk.
    func stored(_ db: DatabasePool) throws -> [Int] { try db.read { try Int.fetchAll($0, sql: "SELECT n FROM event ORDER BY n") } }


    func testAnEffectIsInvisibleUntilCommittedAndAFailedCommitRestoresTheState() async throws {
        let db = try database()
        let loop = CommitLoop<[Int]>([], writer: db)
        let gate = AsyncGate()
        await loop.setCommitHook { _ in await gate.pass() }

        // Event 1 is applied, then held inside its commit.
        let first = Task { try await loop.apply { state in state.append(1); return .init(state.count, writes: [insert(1)]) } }
        let held = await gate.waitUntilHeld()
        XCTAssertTrue(held)
        let seenDuringCommit = await loop.read { $0 }
        XCTAssertEqual(seenDuringCommit, [], "another request reads only committed state")
        // Event 2 arrives during the commit: it is applied after, on the committed state.
        let second = Task { try await loop.apply { state in state.append(2); return .init(state, writes: [insert(2)]) } }
        try await Task.sleep(for: .milliseconds(50))
        let stillUncommitted = await loop.read { $0 }
        XCTAssertEqual(stillUncommitted, [])
        gate.open()
        let firstResult = try await first.value
        XCTAssertEqual(firstResult, 1)
        let secondSaw = try await second.value
        XCTAssertEqual(secondSaw, [1, 2], "the next batch starts from the committed state")
        XCTAssertEqual(try stored(db), [1, 2])

        // An injected failure: the whole batch is refused, state and database as before it.
        await loop.setCommitHook { _ in throw Injected() }
        let a = Task { try await loop.apply { state in state.append(3); return .init(3, writes: [insert(3)]) } }
        let b = Task { try await loop.apply { state in state.append(4); return .init(4, writes: [insert(4)]) } }
        for outcome in [await a.result, await b.result] {
            guard case .failure(let e) = outcome else { return XCTFail("a failed commit returned a result") }
            XCTAssertTrue(e is CommitLoop<[Int]>.CommitFailure, "\(e)")
        }
        let afterFailure = await loop.read { $0 }
        XCTAssertEqual(afterFailure, [1, 2])
        XCTAssertEqual(try stored(db), [1, 2])

        // A write that fails inside the transaction is rolled back with the rest of its batch.
        await loop.setCommitHook(nil)
        let bad: DatabaseWrite = { db in try db.execute(sql: "INSERT INTO missing_table VALUES (1)") }
        let gate2 = AsyncGate()
        await loop.setCommitHook { _ in await gate2.pass() }  // hold the batch so both events share it
        let c = Task { try await loop.apply { state in state.append(5); return .init(5, writes: [insert(5)]) } }
        _ = await gate2.waitUntilHeld()
        await loop.setCommitHook(nil)
        let d = Task { try await loop.apply { state in state.append(6); return .init(6, writes: [bad]) } }
        let e = Task { try await loop.apply { state in state.append(7); return .init(7, writes: [insert(7)]) } }
        try await Task.sleep(for: .milliseconds(50))
        gate2.open()
        _ = try await c.value  // committed alone, before the others arrived
        let outcomes = [await d.result, await e.result]
        XCTAssertTrue(outcomes.allSatisfy { if case .failure = $0 { true } else { false } }, "one batch, one transaction: \(outcomes)")
        let afterBadWrite = await loop.read { $0 }
        XCTAssertEqual(afterBadWrite, [1, 2, 5])
        XCTAssertEqual(try stored(db), [1, 2, 5])
    }

    func testConcurrentEventsShareOneTransaction() async throws {
        let db = try database()
        let loop = CommitLoop<Int>(0, writer: db)
        let gate = AsyncGate()
        await loop.setCommitHook { _ in await gate.pass() }
        let first = Task { try await loop.apply { n in n += 1; return .init(n, writes: [insert(0)]) } }
        _ = await gate.waitUntilHeld()
        let rest = (1...20).map { i in Task { try await loop.apply { n in n += 1; return .init(n, writes: [insert(i)]) } } }
        try await Task.sleep(for: .milliseconds(100))
        gate.open()
        _ = try await first.value
        var results: [Int] = []
        for t in rest { results.append(try await t.value) }
        XCTAssertEqual(Set(results), Set(2...21), "every event applied once, in some order")
        let batches = await loop.batches
        XCTAssertEqual(batches, 2, "the 20 events that waited during the first commit shared the second")
        XCTAssertEqual(try stored(db).count, 21)
    }
}

/// Writes row `n`.
private func insert(_ n: Int) -> DatabaseWrite { { db in try db.execute(sql: "INSERT INTO event (n) VALUES (?)", arguments: [n]) } }
