import CNNG
import Synchronization

/// Fan-out of pipe events of one socket to any number of `AsyncStream`s.
///
/// nng calls the pipe-notify callback on its own threads with a `void *` argument. We pass
/// the socket id (not an object pointer) as that argument and look the hub up in a global
/// registry, so a late callback after `close()` finds nothing instead of a dangling pointer.
final class PipeEventHub: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<PipeEvent>.Continuation] = [:]
        var finished = false
    }

    private let state = Mutex(State())

    /// A new stream receiving every event from now on. Buffering is unbounded (pipe events
    /// are rare: one per connect/disconnect); drop the stream to unsubscribe.
    func makeStream() -> AsyncStream<PipeEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: PipeEvent.self, bufferingPolicy: .unbounded)
        let id: Int? = state.withLock { s in
            if s.finished { return nil }
            let id = s.nextID
            s.nextID += 1
            s.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func yield(_ event: PipeEvent) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for c in subscribers { c.yield(event) }
    }

    func finish() {
        let subscribers = state.withLock { s in
            s.finished = true
            let all = Array(s.subscribers.values)
            s.subscribers.removeAll()
            return all
        }
        for c in subscribers { c.finish() }
    }
}

/// Global socket-id → hub map used by the C pipe-notify callback.
enum PipeEventRegistry {
    private static let hubs = Mutex<[UInt32: PipeEventHub]>([:])

    static func register(_ hub: PipeEventHub, socketID: UInt32) {
        hubs.withLock { $0[socketID] = hub }
    }

    static func unregister(socketID: UInt32) -> PipeEventHub? {
        hubs.withLock { $0.removeValue(forKey: socketID) }
    }

    static func hub(for socketID: UInt32) -> PipeEventHub? {
        hubs.withLock { $0[socketID] }
    }

    /// Installs ADD_POST and REM_POST callbacks on `socket`. The callback's argument is the
    /// socket id encoded in the pointer bits (ids are positive, so the pointer is non-nil).
    static func installCallbacks(on socket: nng_socket) throws(NNGError) {
        let arg = UnsafeMutableRawPointer(bitPattern: UInt(socket.id))
        for event in [NNG_PIPE_EV_ADD_POST, NNG_PIPE_EV_REM_POST] {
            let rv = nng_pipe_notify(socket, event, { pipe, event, arg in
                // Runs on an nng thread; must not block. Only a lock + stream yield.
                let socketID = UInt32(truncatingIfNeeded: UInt(bitPattern: arg))
                guard let hub = PipeEventRegistry.hub(for: socketID) else { return }
                let p = Pipe(id: pipe.id)
                if event == NNG_PIPE_EV_ADD_POST {
                    hub.yield(.added(p))
                } else if event == NNG_PIPE_EV_REM_POST {
                    hub.yield(.removed(p))
                }
            }, arg)
            try NNGError.check(rv, "nng_pipe_notify")
        }
    }
}
