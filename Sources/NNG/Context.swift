import CNNG
import Synchronization

/// An independent protocol state on one socket (`nng_ctx`): its own request/reply or
/// survey state, so many requests (REQ), workers (REP), surveys (SURVEYOR) or answers
/// (RESPONDENT) can be in flight concurrently on a single socket.
///
/// `Sendable`; operations are asynchronous and never block the cooperative pool. Each
/// context allows one send and one receive outstanding at a time. The context keeps its
/// socket alive; `close()` is idempotent and `deinit` closes it.
public final class Context: Sendable {
    /// The socket this context belongs to.
    public let socket: Socket
    let handle: nng_ctx
    private let closed = Mutex(false)

    init(socket: Socket) throws {
        let s = socket.handle
        let o = socket.options
        let kind = socket.protocolKind
        // Open and configure under the socket's lifecycle lock (see Socket.ifOpen).
        let result: (Int32, nng_ctx, String)? = socket.lifecycle.openContext {
            var c = nng_ctx()
            let rv = nng_ctx_open(&c, s)
            guard rv == 0 else { return (rv, c, "nng_ctx_open") }
            var settings: [(String, Duration)] = [
                (NNG_OPT_SENDTIMEO, o.sendTimeout), (NNG_OPT_RECVTIMEO, o.receiveTimeout),
            ]
            switch kind {
            case .req: settings.append((NNG_OPT_REQ_RESENDTIME, o.requestResend))
            case .surveyor: settings.append((NNG_OPT_SURVEYOR_SURVEYTIME, o.surveyTime))
            default: break
            }
            for (name, value) in settings {
                let rv = nng_ctx_set_ms(c, name, value.nngMilliseconds)
                if rv != 0 {
                    nng_ctx_close(c)
                    return (rv, c, "nng_ctx_set_ms(\(name))")
                }
            }
            return (0, c, "")
        }
        guard let (rv, c, what) = result else {
            throw NNGError(code: NNGError.closed, operation: "nng_ctx_open")
        }
        try NNGError.check(rv, what)
        self.socket = socket
        handle = c
    }

    deinit {
        close()
    }

    /// Sends `bytes` on this context: a request (REQ), the reply to the last received
    /// request (REP), a survey (SURVEYOR) or an answer (RESPONDENT).
    /// - Parameter timeout: deadline; nil uses the socket's `options.sendTimeout`.
    /// - Throws: `NNGError` (`isTimeout`, `isClosed`, `isCancelled`, …); the message is
    ///   discarded on failure.
    public func send(_ bytes: [UInt8], timeout: Duration? = nil) async throws {
        let c = handle
        try await AsyncOperation.send(bytes, timeout: timeout ?? socket.options.sendTimeout, operation: "context send") {
            aio in socket.ifOpen { nng_ctx_send(c, aio) } != nil
        }
    }

    /// Receives one message on this context.
    /// - Parameter timeout: deadline; nil uses the socket's `options.receiveTimeout`.
    /// - Throws: `NNGError` (`isTimeout`, `isClosed`, `isCancelled`, …). On a SURVEYOR
    ///   context `isTimeout` also means the survey time ended.
    public func receive(timeout: Duration? = nil) async throws -> Message {
        let c = handle
        return try await AsyncOperation.receive(timeout: timeout ?? socket.options.receiveTimeout, operation: "context receive") {
            aio in socket.ifOpen { nng_ctx_recv(c, aio) } != nil
        }
    }

    /// REQ contexts: sends `bytes` and awaits the reply, with ONE overall deadline covering
    /// both (waiting for a peer, resends, and the reply).
    /// - Parameter timeout: overall deadline; nil uses the socket's `options.receiveTimeout`.
    /// - Returns: the reply body.
    /// - Throws: `NNGError`; `isTimeout` when the deadline passed.
    public func request(_ bytes: [UInt8], timeout: Duration? = nil) async throws -> [UInt8] {
        let clock = ContinuousClock()
        let budget = timeout ?? socket.options.receiveTimeout
        let deadline = clock.now.advanced(by: budget)
        try await send(bytes, timeout: budget)
        let remaining = clock.now.duration(to: deadline)
        return try await receive(timeout: remaining > .zero ? remaining : .zero).bytes
    }

    /// Closes the context (`nng_ctx_close`); its pending operations fail with `isClosed`.
    /// Idempotent. The socket stays open.
    public func close() {
        let first = closed.withLock { c -> Bool in
            if c { return false }
            c = true
            return true
        }
        if first {
            let c = handle
            // Once the socket is closing, it closes every context itself.
            socket.lifecycle.closeContext(c)
        }
    }
}
