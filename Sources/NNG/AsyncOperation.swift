import CNNG
import Synchronization

/// The bridge from one `nng_aio` operation to Swift concurrency.
///
/// Every send/receive allocates its own aio (one operation per aio, as nng requires) and
/// runs it exactly once:
///
/// 1. A `Completion` box is passed **retained** as the aio callback argument; the callback
///    (on an nng worker thread) takes that reference back, resumes the continuation and
///    does nothing else — no blocking, no nng calls.
/// 2. The aio always gets a finite timeout (`nng_aio_set_timeout`), so even a lost
///    cancellation cannot leave an operation pending forever.
/// 3. `withTaskCancellationHandler` maps Swift cancellation to `nng_aio_cancel`; after the
///    start call `Task.isCancelled` is re-checked, because `nng_aio_cancel` is a no-op on
///    an aio that has not started yet.
/// 4. `start` returns false when it did not submit the operation (the socket was already
///    closed); the operation then fails with `NNG_ECLOSED` without waiting.
/// 5. After the continuation resumes, the result and message are read on the calling
///    task, and the aio is handed to `nng_aio_reap`, which frees it on nng's reaper
///    thread. The cooperative pool never blocks; the cancellation handler can no longer
///    run at that point (Swift removes it before `withTaskCancellationHandler` returns).
enum AsyncOperation {
    /// Runs a send: `start` must hand the aio to `nng_send_aio` / `nng_ctx_send` and return
    /// true, or return false without submitting it. `finished` runs after completion, just
    /// before the aio is reaped.
    /// The message is owned by nng on success; on failure it is taken back and freed here.
    static func send(
        _ bytes: [UInt8],
        timeout: Duration,
        operation: String,
        start: (OpaquePointer) -> Bool,
        finished: (OpaquePointer) -> Void = { _ in }
    ) async throws(NNGError) {
        if Task.isCancelled { throw NNGError(code: NNGError.canceled, operation: operation) }
        var msg: OpaquePointer?
        try NNGError.check(nng_msg_alloc(&msg, bytes.count), operation)
        guard let msg else { throw NNGError(code: NNGError.noMemory, operation: operation) }
        if !bytes.isEmpty {
            bytes.withUnsafeBytes { src in
                nng_msg_body(msg)!.copyMemory(from: src.baseAddress!, byteCount: src.count)
            }
        }
        let aio: AIOHandle
        do {
            aio = try AIOHandle.allocate(operation: operation)
        } catch {
            nng_msg_free(msg)
            throw error
        }
        nng_aio_set_msg(aio.raw, msg)
        let rv = await aio.run(timeout: timeout, start: start)
        if rv != 0, let unsent = nng_aio_get_msg(aio.raw) {
            // Failed send: the caller still owns the message.
            nng_msg_free(unsent)
        }
        finished(aio.raw)
        aio.reap()
        try NNGError.check(rv, operation)
    }

    /// Runs a receive: `start` must hand the aio to `nng_recv_aio` / `nng_ctx_recv` and
    /// return true, or return false without submitting it. `finished` runs after
    /// completion, just before the aio is reaped.
    /// The received message is copied into a `Message` and freed.
    static func receive(
        timeout: Duration,
        operation: String,
        start: (OpaquePointer) -> Bool,
        finished: (OpaquePointer) -> Void = { _ in }
    ) async throws(NNGError) -> Message {
        if Task.isCancelled { throw NNGError(code: NNGError.canceled, operation: operation) }
        let aio = try AIOHandle.allocate(operation: operation)
        let rv = await aio.run(timeout: timeout, start: start)
        var message: Message?
        if rv == 0, let msg = nng_aio_get_msg(aio.raw) {
            nng_aio_set_msg(aio.raw, nil)
            message = Message(nngMessage: msg)
            nng_msg_free(msg)
        }
        finished(aio.raw)
        aio.reap()
        try NNGError.check(rv, operation)
        guard let message else { throw NNGError(code: 0, operation: operation) }
        return message
    }
}

extension Message {
    /// Copies the body and pipe of an `nng_msg` (does not free it).
    init(nngMessage msg: OpaquePointer) {
        let count = nng_msg_len(msg)
        if count > 0, let body = nng_msg_body(msg) {
            bytes = Array(UnsafeRawBufferPointer(start: body, count: count))
        } else {
            bytes = []
        }
        let p = nng_msg_get_pipe(msg)
        pipe = p.id == 0 ? nil : Pipe(id: p.id)
    }
}

/// Wakes the awaiting task from the aio callback. The continuation is guarded by a
/// `Mutex` so the hand-off between the task (install) and nng's thread (fire) is race-free.
private final class Completion: Sendable {
    private let continuation = Mutex<CheckedContinuation<Void, Never>?>(nil)

    func install(_ c: CheckedContinuation<Void, Never>) {
        continuation.withLock { $0 = c }
    }

    func fire() {
        let c = continuation.withLock { slot -> CheckedContinuation<Void, Never>? in
            let c = slot
            slot = nil
            return c
        }
        c?.resume()
    }
}

/// The aio callback. Runs on an nng thread exactly once per started operation, and
/// balances the `passRetained` done in `AIOHandle.allocate`.
private func aioCallback(_ arg: UnsafeMutableRawPointer?) {
    guard let arg else { return }
    Unmanaged<Completion>.fromOpaque(arg).takeRetainedValue().fire()
}

/// A `Sendable` view of one single-use `nng_aio*` and its completion box.
struct AIOHandle: @unchecked Sendable {
    // @unchecked: the pointer is only used by the owning operation, by its cancellation
    // handler (which nng makes thread-safe: nng_aio_cancel), and finally by nng_aio_reap
    // after both are done.
    let raw: OpaquePointer
    private let completion: Completion

    static func allocate(operation: String) throws(NNGError) -> AIOHandle {
        let completion = Completion()
        let arg = Unmanaged.passRetained(completion)
        var aio: OpaquePointer?
        let rv = nng_aio_alloc(&aio, aioCallback, arg.toOpaque())
        guard rv == 0, let aio else {
            arg.release()
            throw NNGError(code: rv == 0 ? NNGError.noMemory : rv, operation: operation)
        }
        return AIOHandle(raw: aio, completion: completion)
    }

    /// Starts the operation with a finite timeout and waits for the callback.
    /// Returns `nng_aio_result`, or `NNG_ECLOSED` when `start` declined to submit.
    func run(timeout: Duration, start: (OpaquePointer) -> Bool) async -> Int32 {
        let aio = raw
        nng_aio_set_timeout(aio, timeout.nngMilliseconds)
        var submitted = true
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                completion.install(c)
                guard start(aio) else {
                    // Never submitted: no callback will come. Balance the retain taken in
                    // allocate() and resume ourselves.
                    submitted = false
                    Unmanaged.passUnretained(completion).release()
                    completion.fire()
                    return
                }
                // nng_aio_cancel is a no-op before start; close the race here.
                if Task.isCancelled { nng_aio_cancel(aio) }
            }
        } onCancel: {
            nng_aio_cancel(self.raw)
        }
        return submitted ? nng_aio_result(aio) : NNGError.closed
    }

    /// Frees the aio on nng's reaper thread (never blocks the caller). The aio must not
    /// be used afterwards.
    func reap() {
        nng_aio_reap(raw)
    }
}
