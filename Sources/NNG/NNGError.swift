import CNNG

/// One typed error for every nng failure surfaced by this module.
///
/// `code` is the nng errno (`NNG_ETIMEDOUT`, `NNG_ECLOSED`, …) as returned by the C
/// library, or `0` for failures detected on the Swift side before nng was involved.
/// `operation` names what failed, e.g. `"nng_dial(tcp://127.0.0.1:1)"` or `"receive"`.
/// Two errors are equal when both `code` and `operation` are equal.
public struct NNGError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The nng error number (an `nng_errno_enum` raw value), or `0` for Swift-side errors.
    public let code: Int32
    /// The failed operation, e.g. `"nng_listen(tcp://127.0.0.1:0)"`, `"send"`, `"receive"`.
    public let operation: String

    /// Creates an error for `code` (nng errno, or 0 for Swift-side) raised by `operation`.
    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// Human-readable text: the operation followed by `nng_strerror(code)` and the number.
    public var description: String {
        if code == 0 {
            return "\(operation): failed (Swift-side error)"
        }
        return "\(operation): \(String(cString: nng_strerror(code))) (nng error \(code))"
    }

    /// True when the deadline of the operation passed (`NNG_ETIMEDOUT`).
    public var isTimeout: Bool { code == NNGError.timedOut }
    /// True when the socket or context was closed (`NNG_ECLOSED`).
    public var isClosed: Bool { code == NNGError.closed }
    /// True when the operation was cancelled, e.g. by Swift task cancellation (`NNG_ECANCELED`).
    public var isCancelled: Bool { code == NNGError.canceled }
    /// True when a message exceeded a size limit (`NNG_EMSGSIZE`).
    public var isMessageTooLarge: Bool { code == NNGError.messageSize }

    // Swift imports nng_errno_enum with a UInt32 raw value while functions return Int32.
    static let timedOut = Int32(NNG_ETIMEDOUT.rawValue)
    static let closed = Int32(NNG_ECLOSED.rawValue)
    static let canceled = Int32(NNG_ECANCELED.rawValue)
    static let messageSize = Int32(NNG_EMSGSIZE.rawValue)
    static let invalid = Int32(NNG_EINVAL.rawValue)
    static let noMemory = Int32(NNG_ENOMEM.rawValue)
    static let notSupported = Int32(NNG_ENOTSUP.rawValue)

    /// Throws `NNGError(code: rv, operation:)` when `rv != 0`.
    @inline(__always)
    static func check(_ rv: Int32, _ operation: @autoclosure () -> String) throws(NNGError) {
        if rv != 0 { throw NNGError(code: rv, operation: operation()) }
    }
}
