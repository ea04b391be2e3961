import GRDB

/// Group commit: concurrent writers to one database share transactions, so N writes that
/// arrive while a commit is being synced cost one fsync instead of N. Each `write` returns only
/// after the transaction holding its work is durable (with the database's `synchronous` level),
/// and fails if that transaction failed. Writes are applied in submission order.
public actor GroupCommit {
    private let writer: any DatabaseWriter
    private var pending: [(work: @Sendable (Database) throws -> Void, done: CheckedContinuation<Void, Error>)] = []
    private var flushing = false
    /// Transactions committed and writes carried (for benchmarks: writes / transactions is the batching).
    public private(set) var transactions = 0
    public private(set) var writes = 0

    public init(_ writer: any DatabaseWriter) { self.writer = writer }

    /// Runs `work` inside a shared transaction; returns when that transaction is durable.
    public func write(_ work: @escaping @Sendable (Database) throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            pending.append((work, c))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let works = batch.map(\.work)
            do {
                try await writer.write { db in for w in works { try w(db) } }
                transactions += 1
                writes += batch.count
                for b in batch { b.done.resume() }
            } catch {
                // One failing write fails its whole transaction; retry the others alone so a
                // bad write cannot take down its neighbours.
                for b in batch {
                    do {
                        try await writer.write { db in try b.work(db) }
                        transactions += 1
                        writes += 1
                        b.done.resume()
                    } catch {
                        b.done.resume(throwing: error)
                    }
                }
            }
        }
        flushing = false
    }
}
