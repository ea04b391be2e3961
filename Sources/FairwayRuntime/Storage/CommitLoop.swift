import GRDB

/// One database write, run inside a batch's transaction.
public typealias DatabaseWrite = @Sendable (Database) throws -> Void

/// Durable before visible: the one way every shell changes its role instance.
///
/// Events (requests, ticks, call results) are applied to a *copy* of the committed state, a
/// batch at a time: all events waiting when a batch starts. Their state writes, and for
/// requests the journal entries of their replies, commit in **one transaction**; only then does
/// the copy become the committed state, and only then do the events' callers get their results
/// (the replies to send, the announcements to publish, the calls to make). The next batch is
/// admitted after that. So:
/// - no request or reply observes state that is not durable (`read` sees committed state only);
/// - a failed commit throws `CommitFailure` to every event of the batch and leaves the state
///   exactly as it was before the batch;
/// - N concurrent requests share one transaction and one fsync (group commit).
public actor CommitLoop<State: Sendable> {
    /// What applying one event produced.
    public struct Step<Result: Sendable>: Sendable {
        /// The event's result, handed to its caller after the commit.
        public var result: Result
        /// State writes, in order, committed with the batch.
        public var writes: [DatabaseWrite]
        /// Work done after the batch is applied and before it commits (encoding a reply and
        /// making its journal entry): returns the final result and more writes for the same
        /// transaction.
        public var finish: (@Sendable (Result) -> (Result, [DatabaseWrite]))?

        public init(_ result: Result, writes: [DatabaseWrite] = [], finish: (@Sendable (Result) -> (Result, [DatabaseWrite]))? = nil) {
            self.result = result
            self.writes = writes
            self.finish = finish
        }
    }

    /// The batch's transaction failed; nothing of it was applied.
    public struct CommitFailure: Error, Sendable, CustomStringConvertible {
        public var underlying: String
        public var description: String { "commit failed, state restored from before the batch: \(underlying)" }
    }

    /// Called before each commit with the batch size; may wait or throw (tests inject faults
    /// and hold commits open with it).
    public typealias CommitHook = @Sendable (_ batchSize: Int) async throws -> Void

    private var state: State
    private let writer: (any DatabaseWriter)?
    private var pending: [Pending] = []
    private var flushing = false
    private var hook: CommitHook?
    /// Batches committed and events carried (events / batches is the batching).
    public private(set) var batches = 0
    public private(set) var events = 0
    /// Time spent in the batches' transactions (write and fsync), summed.
    public private(set) var transactionTime: Duration = .zero

    private struct Pending {
        var apply: (inout State) -> (result: any Sendable, writes: [DatabaseWrite], finish: (@Sendable (any Sendable) -> (any Sendable, [DatabaseWrite]))?)
        var resume: (Result<any Sendable, any Error>) -> Void
    }

    /// - Parameter writer: the role's database; nil for a role without durable state.
    public init(_ state: State, writer: (any DatabaseWriter)?) {
        self.state = state
        self.writer = writer
    }

    /// Installs a hook run before every commit (fault injection in tests).
    public func setCommitHook(_ hook: CommitHook?) { self.hook = hook }

    /// The committed state, read atomically.
    public func read<R: Sendable>(_ body: (State) -> R) -> R { body(state) }

    /// Applies `event` in the next batch; returns its result once the batch is durable.
    /// - Throws: `CommitFailure` if the batch's transaction failed (the state is unchanged).
    public func apply<R: Sendable>(_ event: @escaping @Sendable (inout State) -> Step<R>) async throws -> R {
        let any = try await withCheckedThrowingContinuation { (c: CheckedContinuation<any Sendable, any Error>) in
            pending.append(Pending(apply: { state in
                let step = event(&state)
                let finish = step.finish.map { f in { @Sendable (r: any Sendable) -> (any Sendable, [DatabaseWrite]) in
                    let (out, writes) = f(r as! R)
                    return (out, writes)
                } }
                return (step.result, step.writes, finish)
            }, resume: { c.resume(with: $0) }))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
        return any as! R
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            var working = state
            var applied: [(result: any Sendable, writes: [DatabaseWrite], finish: (@Sendable (any Sendable) -> (any Sendable, [DatabaseWrite]))?)] = []
            applied.reserveCapacity(batch.count)
            for p in batch { applied.append(p.apply(&working)) }
            // Seal replies and make their journal entries. Inline: since wire protocol 2 a
            // reply is encoded, not signed, and child tasks would cost more than the work.
            var results = applied.map(\.result)
            var writes = applied.map(\.writes)
            for (i, a) in applied.enumerated() {
                guard let finish = a.finish else { continue }
                let (out, w) = finish(a.result)
                results[i] = out
                writes[i] += w
            }
            let all = writes.flatMap { $0 }
            do {
                if let hook { try await hook(batch.count) }
                if let writer, !all.isEmpty {
                    let started = ContinuousClock.now
                    try await writer.write { db in for w in all { try w(db) } }
                    transactionTime += ContinuousClock.now - started
                }
                state = working
                batches += 1
                events += batch.count
                for (p, r) in zip(batch, results) { p.resume(.success(r)) }
            } catch {
                let failure = CommitFailure(underlying: "\(error)")
                for p in batch { p.resume(.failure(failure)) }
            }
        }
        flushing = false
    }
}
