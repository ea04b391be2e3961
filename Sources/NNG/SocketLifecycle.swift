import CNNG
import Dispatch
import Foundation
import Synchronization

/// Serialises every nng call on one socket (and its contexts) against `nng_close`, tracks
/// what must be quiesced before closing, and runs the close itself.
///
/// Two nng 1.5.2 defects shape this type:
///
/// 1. **Context release vs. close (crash).** `nni_ctx_rele` destroys a context (the
///    protocol's `ctx_fini` locks the socket's protocol mutex) *after* waking the thread in
///    `nng_close`, which then frees the socket. An `nng_ctx_send`/`nng_ctx_recv`/
///    `nng_ctx_close` racing with `nng_close` can lock freed memory and abort with
///    "panic: pthread_mutex_lock: Invalid argument" (reproduced by our tests). Fix: every
///    such call runs under `state`'s lock and only while open; `close` flips `closed` under
///    the same lock first, so none is in flight during, or starts after, `nng_close`.
/// 2. **Close under traffic (hang).** nng 1.5.2 can hang forever in `nng_close` when pipes
///    carry traffic at that moment (nanomsg/nng#1543, #1813; fixed in 1.8.0 by PR #1824):
///    the reaper thread waits for a pipe aio that never completes, and from then on every
///    close in the process stalls. Reproduced with plain C against the Debian library.
///    Mitigation: before `nng_close` we cancel our pending socket-level operations, close
///    every context (so this side stops sending), and pause briefly so in-flight pipe I/O
///    drains — in C this took the hang rate for REQ/REP from most runs to 0 of 180 rounds.
///    It cannot stop a peer that keeps sending to us (e.g. a PUB flooding this SUB), so
///    `nng_close` additionally runs on a dedicated thread and the caller waits at most
///    `closeWaitLimit`.
final class SocketLifecycle: Sendable {
    private struct State {
        var closed = false
        /// Open contexts by nng ctx id.
        var contexts: [UInt32: nng_ctx] = [:]
        /// Socket-level aios in flight (valid until `finished` removes them; they are
        /// reaped only afterwards, so they can be cancelled while present).
        var operations: [UInt: AIOPointer] = [:]
    }

    /// An `nng_aio*` stored in the lock-protected state.
    struct AIOPointer: @unchecked Sendable { let raw: OpaquePointer }

    private let state = Mutex(State())

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Runs `body` under the lock if the socket is still open; nil when closed.
    func ifOpen<R: Sendable>(_ body: () -> R) -> R? {
        state.withLock { s in s.closed ? nil : body() }
    }

    /// Submits a socket-level operation: records `aio` and runs `body` (which hands it to
    /// nng) under the lock. Returns false, without running `body`, when closed.
    func submit(_ aio: OpaquePointer, _ body: () -> Void) -> Bool {
        state.withLock { s in
            if s.closed { return false }
            s.operations[UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(aio)))] = AIOPointer(raw: aio)
            body()
            return true
        }
    }

    /// Forgets a completed socket-level operation (before its aio is reaped).
    func finished(_ aio: OpaquePointer) {
        _ = state.withLock { s in
            s.operations.removeValue(forKey: UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(aio))))
        }
    }

    /// Opens a context with `body` under the lock and records it. Nil when closed.
    func openContext(_ body: () -> (Int32, nng_ctx, String)) -> (Int32, nng_ctx, String)? {
        state.withLock { s in
            if s.closed { return nil }
            let result = body()
            if result.0 == 0 { s.contexts[result.1.id] = result.1 }
            return result
        }
    }

    /// Closes one context (`nng_ctx_close`) under the lock, unless the socket is closed
    /// (then `close` has closed it already).
    func closeContext(_ ctx: nng_ctx) {
        state.withLock { s in
            guard !s.closed, s.contexts.removeValue(forKey: ctx.id) != nil else { return }
            nng_ctx_close(ctx)
        }
    }

    /// Longest time `close` waits for `nng_close`.
    static let closeWaitLimit: Duration = .seconds(2)
    /// Pause between quiescing and `nng_close`, letting in-flight pipe I/O drain.
    static let drainPause: Duration = .milliseconds(5)

    /// Closes the socket once: marks it closed, aborts pending socket-level operations,
    /// closes all contexts, pauses `drainPause`, then runs `nng_close` on a dedicated
    /// thread and waits at most `closeWaitLimit`. Returns false if already closed.
    @discardableResult
    func close(_ socket: nng_socket) -> Bool {
        let contexts: [nng_ctx]? = state.withLock { s in
            if s.closed { return nil }
            s.closed = true
            // Cancel under the lock: a listed aio cannot be reaped until `finished` runs,
            // which needs this lock.
            for op in s.operations.values { nng_aio_abort(op.raw, NNGError.closed) }
            let all = Array(s.contexts.values)
            s.contexts.removeAll()
            return all
        }
        guard let contexts else { return false }
        // No nng_ctx_* call can be running or start now (all run under the lock and check
        // `closed`), so these and nng_close below are safe.
        for ctx in contexts { nng_ctx_close(ctx) }
        Thread.sleep(forTimeInterval: Self.seconds(Self.drainPause))
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            nng_close(socket)
            done.signal()
        }
        thread.name = "nng-close-\(socket.id)"
        thread.start()
        let finished = done.wait(timeout: .now() + Self.seconds(Self.closeWaitLimit)) == .success
        if !finished {
            FileHandle.standardError.write(Data("""
                NNG: nng_close(socket \(socket.id)) did not finish within \(Self.closeWaitLimit); \
                continuing without it (nng 1.5.2 close-under-traffic bug, nanomsg/nng#1813)\n
                """.utf8))
        }
        return true
    }

    private static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) / 1e18
    }
}
