import CNNG

/// An nng socket of one scalability protocol.
///
/// Thread-safe (nng sockets are) and `Sendable`: use it from any task. All sends and
/// receives are asynchronous (`nng_aio` bridged to continuations) and never block the
/// cooperative thread pool; every one has a finite deadline. `close()` is idempotent and
/// `deinit` closes the socket.
///
/// Only one request may be outstanding on a REQ socket and a REP socket must alternate
/// receive/send; open a `Context` per concurrent request or worker instead.
public final class Socket: Sendable {
    /// The protocol this socket speaks.
    public let protocolKind: SocketProtocol
    /// The options the socket was opened with (also applied to its contexts).
    public let options: SocketOptions
    /// The underlying nng handle.
    let handle: nng_socket
    private let hub = PipeEventHub()
    /// Serialises nng calls against `nng_close` and quiesces before closing.
    let lifecycle = SocketLifecycle()

    /// Opens a socket of `kind` and applies `options` (timeouts, `NNG_OPT_RECVMAXSZ`,
    /// reconnect backoff, REQ resend time, survey time).
    /// - Throws: `NNGError` if nng cannot open the socket, or with `NNG_EINVAL` when
    ///   `options.maxMessageBytes <= 0`.
    public init(_ kind: SocketProtocol, options: SocketOptions = SocketOptions()) throws {
        guard options.maxMessageBytes > 0 else {
            throw NNGError(code: NNGError.invalid, operation: "SocketOptions.maxMessageBytes must be > 0")
        }
        var s = nng_socket()
        let rv: Int32
        switch kind {
        case .req: rv = nng_req0_open(&s)
        case .rep: rv = nng_rep0_open(&s)
        case .pub: rv = nng_pub0_open(&s)
        case .sub: rv = nng_sub0_open(&s)
        case .surveyor: rv = nng_surveyor0_open(&s)
        case .respondent: rv = nng_respondent0_open(&s)
        }
        try NNGError.check(rv, "nng_\(kind.rawValue)0_open")
        protocolKind = kind
        self.options = options
        handle = s
        do {
            PipeEventRegistry.register(hub, socketID: s.id)
            try PipeEventRegistry.installCallbacks(on: s)
            try Socket.apply(options, kind: kind, to: s)
        } catch {
            close()
            throw error
        }
    }

    private static func apply(_ o: SocketOptions, kind: SocketProtocol, to s: nng_socket) throws(NNGError) {
        try NNGError.check(nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, o.maxMessageBytes), "set \(NNG_OPT_RECVMAXSZ)")
        try NNGError.check(nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, o.sendTimeout.nngMilliseconds), "set \(NNG_OPT_SENDTIMEO)")
        try NNGError.check(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, o.receiveTimeout.nngMilliseconds), "set \(NNG_OPT_RECVTIMEO)")
        try NNGError.check(nng_socket_set_ms(s, NNG_OPT_RECONNMINT, o.reconnectMin.nngMilliseconds), "set \(NNG_OPT_RECONNMINT)")
        try NNGError.check(nng_socket_set_ms(s, NNG_OPT_RECONNMAXT, o.reconnectMax.nngMilliseconds), "set \(NNG_OPT_RECONNMAXT)")
        switch kind {
        case .req:
            try NNGError.check(nng_socket_set_ms(s, NNG_OPT_REQ_RESENDTIME, o.requestResend.nngMilliseconds), "set \(NNG_OPT_REQ_RESENDTIME)")
        case .surveyor:
            try NNGError.check(nng_socket_set_ms(s, NNG_OPT_SURVEYOR_SURVEYTIME, o.surveyTime.nngMilliseconds), "set \(NNG_OPT_SURVEYOR_SURVEYTIME)")
        default:
            break
        }
    }

    deinit {
        close()
    }

    /// Longest time `close()` waits for `nng_close` before giving up (see `close()`).
    public static var closeWaitLimit: Duration { SocketLifecycle.closeWaitLimit }

    /// The positive nng socket id (`nng_socket_id`), unique within the process.
    public var id: UInt32 { handle.id }

    /// True once `close()` has been called.
    public var isClosed: Bool { lifecycle.isClosed }

    /// Runs `body` — one short, non-blocking nng call on this socket or one of its contexts
    /// — under the socket's lifecycle lock, unless the socket is closed (then returns nil
    /// without running it). See `SocketLifecycle` for why.
    func ifOpen<R: Sendable>(_ body: () -> R) -> R? {
        lifecycle.ifOpen(body)
    }

    // MARK: - Endpoints

    /// Starts listening on `url` (`nng_listen`), e.g. `tcp://0.0.0.0:7400`, `ipc:///tmp/x`,
    /// `inproc://name`. Binding is synchronous and does not wait for peers.
    /// - Throws: `NNGError` on a bad URL (`NNG_EINVAL`/`NNG_ENOTSUP`), an address already
    ///   in use (`NNG_EADDRINUSE`) or a closed socket.
    public func listen(_ url: String) throws {
        _ = try listenReturningPort(url)
    }

    /// Starts listening on `url` and returns the bound TCP port (useful with `tcp://host:0`,
    /// where the OS picks the port). Returns nil for non-TCP transports.
    ///
    /// Selected only when the result is used as `Int?` (`let port: Int? = try s.listen(url)`);
    /// a bare `try s.listen(url)` statement calls the `Void` overload. Prefer
    /// `listenReturningPort(_:)`, which is unambiguous.
    @_disfavoredOverload
    public func listen(_ url: String) throws -> Int? {
        try listenReturningPort(url)
    }

    /// Starts listening on `url` and returns the bound TCP port (the ephemeral port
    /// chosen by the OS when the URL asked for port 0), or nil for non-TCP transports.
    public func listenReturningPort(_ url: String) throws -> Int? {
        let h = handle
        let (rv, port): (Int32, Int?) = ifOpen {
            var listener = nng_listener()
            let rv = nng_listen(h, url, &listener, 0)
            guard rv == 0 else { return (rv, nil) }
            var port: Int32 = 0
            if nng_listener_get_int(listener, NNG_OPT_TCP_BOUND_PORT, &port) == 0 {
                return (0, Int(port))
            }
            return (0, nil)
        } ?? (NNGError.closed, nil)
        try NNGError.check(rv, "nng_listen(\(url))")
        return port
    }

    /// Dials `url` (`nng_dial` with `NNG_FLAG_NONBLOCK`): returns at once and connects in
    /// the background, reconnecting with the `reconnectMin`…`reconnectMax` backoff for as
    /// long as the socket is open. Start order of dialer and listener therefore never
    /// matters; sends wait (up to their deadline) for a connection.
    /// - Throws: `NNGError` only for immediate failures, e.g. a malformed URL or an
    ///   unsupported transport.
    public func dial(_ url: String) throws {
        let h = handle
        let rv = ifOpen { nng_dial(h, url, nil, Int32(NNG_FLAG_NONBLOCK)) } ?? NNGError.closed
        try NNGError.check(rv, "nng_dial(\(url))")
    }

    // MARK: - Messaging

    /// Sends `bytes` on the socket's default context.
    /// - Parameter timeout: deadline for the send; nil uses `options.sendTimeout`.
    ///   REQ/SURVEYOR sends wait for a connected peer within this deadline.
    /// - Throws: `NNGError` (`isTimeout`, `isClosed`, `isCancelled`, …). On failure the
    ///   message is discarded.
    public func send(_ bytes: [UInt8], timeout: Duration? = nil) async throws {
        let s = handle
        let lifecycle = lifecycle
        try await AsyncOperation.send(
            bytes, timeout: timeout ?? options.sendTimeout, operation: "send",
            start: { aio in lifecycle.submit(aio) { nng_send_aio(s, aio) } },
            finished: { lifecycle.finished($0) }
        )
    }

    /// Receives one message on the socket's default context.
    /// - Parameter timeout: deadline; nil uses `options.receiveTimeout`.
    /// - Throws: `NNGError` (`isTimeout` when nothing arrived in time, `isClosed`,
    ///   `isCancelled` when the task was cancelled).
    public func receive(timeout: Duration? = nil) async throws -> Message {
        let s = handle
        let lifecycle = lifecycle
        return try await AsyncOperation.receive(
            timeout: timeout ?? options.receiveTimeout, operation: "receive",
            start: { aio in lifecycle.submit(aio) { nng_recv_aio(s, aio) } },
            finished: { lifecycle.finished($0) }
        )
    }

    /// Opens an independent context (`nng_ctx_open`) for REQ, REP, SURVEYOR, RESPONDENT
    /// (and SUB) sockets, with this socket's timeouts applied. The context keeps the
    /// socket alive.
    /// - Throws: `NNGError` with `NNG_ENOTSUP` for PUB, or `isClosed`.
    public func openContext() throws -> Context {
        try Context(socket: self)
    }

    /// SUB only: subscribes to messages whose body starts with `topic`
    /// (`NNG_OPT_SUB_SUBSCRIBE`); `[]` subscribes to everything. A SUB socket receives
    /// nothing until it subscribes.
    /// - Throws: `NNGError` (`NNG_ENOTSUP` on other protocols).
    public func subscribe(_ topic: [UInt8] = []) throws {
        // Always pass a valid pointer, even for an empty topic.
        let buffer: [UInt8] = topic.isEmpty ? [0] : topic
        let h = handle
        let rv = ifOpen {
            buffer.withUnsafeBytes { raw in
                nng_socket_set(h, NNG_OPT_SUB_SUBSCRIBE, raw.baseAddress, topic.count)
            }
        } ?? NNGError.closed
        try NNGError.check(rv, "subscribe")
    }

    /// A stream of pipes being added to and removed from this socket (from
    /// `NNG_PIPE_EV_ADD_POST` / `NNG_PIPE_EV_REM_POST`). Each call returns a new
    /// independent stream that sees events from the moment of the call (pipes already
    /// connected are not replayed). Streams finish when the socket is closed; a stream
    /// obtained after `close()` is already finished. Buffering is unbounded.
    public func pipeEvents() -> AsyncStream<PipeEvent> {
        hub.makeStream()
    }

    /// Closes the socket (`nng_close`). Pending operations on it and its contexts fail with
    /// `isClosed`; new ones fail with `isClosed` at once; dialers and
    /// listeners stop (the port is released); pipe-event streams finish. Idempotent.
    ///
    /// Blocking: this blocks the calling thread for a few milliseconds — it first aborts
    /// pending socket-level operations, closes all contexts and pauses 5 ms so in-flight
    /// pipe I/O drains, then waits for `nng_close`. Call it at shutdown, not in a hot path.
    ///
    /// nng 1.5.2 can hang forever in `nng_close` when pipes carry traffic at that moment
    /// (nanomsg/nng#1543, #1813; fixed upstream in 1.8.0). The quiescing above avoids this
    /// for our own traffic, but not for a peer that keeps sending, so `nng_close` runs on a
    /// dedicated thread and this waits at most `Socket.closeWaitLimit` (2 s); on expiry it
    /// returns anyway (listeners are closed first, so the address is free), that thread is
    /// leaked, and nng's reaper — hence later closes in this process — may stay stuck.
    /// Prefer stopping traffic (stop the peers or stop sending) before closing.
    /// Unsent queued messages are discarded (no linger).
    public func close() {
        guard lifecycle.close(handle) else { return }
        PipeEventRegistry.unregister(socketID: handle.id)?.finish()
        hub.finish()
    }
}
