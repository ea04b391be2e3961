import FairwayCore
import Synchronization

/// Lets a shell sleep until its instance's next wake-up, and be woken earlier when an event
/// (a request, a call result) asks for an earlier one.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    public init() {}

    /// Wakes the current (or next) `wait`.
    public func ring() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let w = s.waiter else { s.rung = true; return nil }
            s.waiter = nil
            return w
        }
        waiter?.resume()
    }

    /// Returns at `deadline`, when rung, or when the task is cancelled.
    public func wait(until deadline: Timestamp, clock: any NodeClock) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(until: deadline) }
            group.addTask { await self.waitForRing() }
            await group.next()
            self.ring()  // releases the ring waiter if the deadline came first
            group.cancelAll()
            await group.waitForAll()
            self.state.withLock { $0.rung = false }
        }
    }

    private func waitForRing() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.rung { s.rung = false; return true }
                s.waiter = c
                return false
            }
            if resumeNow { c.resume() }
        }
    }
}
