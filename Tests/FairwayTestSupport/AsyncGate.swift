import Synchronization

/// Holds whoever calls `pass()` until the test calls `open()`; `waitUntilHeld()` returns once
/// someone is held. For tests that freeze a daemon at a chosen point (e.g. mid-commit).
public final class AsyncGate: Sendable {
    private struct State {
        var isOpen = false
        var held: [CheckedContinuation<Void, Never>] = []
        var heldCount = 0
    }
    private let state = Mutex(State())

    public init() {}

    /// Waits here until the gate opens (returns at once if it is open).
    public func pass() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let go = state.withLock { s -> Bool in
                s.heldCount += 1
                if s.isOpen { return true }
                s.held.append(c)
                return false
            }
            if go { c.resume() }
        }
    }

    /// Lets everyone held (and every later caller) through.
    public func open() {
        let held = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.isOpen = true
            defer { s.held = [] }
            return s.held
        }
        for c in held { c.resume() }
    }

    /// Polls until at least one caller has reached the gate.
    public func waitUntilHeld(timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.heldCount > 0 }) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
