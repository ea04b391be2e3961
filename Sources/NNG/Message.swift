/// A connection between a socket and one peer (an `nng_pipe`), identified by its
/// process-unique, positive nng pipe id. Ids are not reused while the pipe exists.
public struct Pipe: Sendable, Hashable {
    /// The nng pipe id (`nng_pipe_id`), never 0 for a real pipe.
    public let id: UInt32

    /// Wraps a raw nng pipe id.
    public init(id: UInt32) { self.id = id }
}

/// A connectivity change on a socket, reported by `Socket.pipeEvents()`.
public enum PipeEvent: Sendable, Equatable {
    /// A pipe was attached to the socket (`NNG_PIPE_EV_ADD_POST`).
    case added(Pipe)
    /// A pipe was detached from the socket (`NNG_PIPE_EV_REM_POST`).
    case removed(Pipe)
}

/// A received message: the body bytes (protocol headers such as the REQ/REP
/// request id are stripped by nng) and the pipe it arrived on, when known.
public struct Message: Sendable {
    /// The message body. Its size never exceeds the receiver's `SocketOptions.maxMessageBytes`.
    public var bytes: [UInt8]
    /// The pipe the message was received on; nil when nng did not record one.
    public var pipe: Pipe?

    /// Creates a message value.
    public init(bytes: [UInt8], pipe: Pipe? = nil) {
        self.bytes = bytes
        self.pipe = pipe
    }
}
