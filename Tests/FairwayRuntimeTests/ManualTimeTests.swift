import CloudCoordinator
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
import XCTest

/// Shells take an injected clock: a real coordinator (sockets, SQLite) runs on manual time,
/// and an hour-long epoch passes when the test says so, not when a tick polls.
final class ManualTimeTests: XCTestCase {
    func testACoordinatorOnManualTimeCrossesAnEpochOnlyWhenTimeIsAdvanced() async throws {
        let clock = ManualClock(WallClock.now())
        var s = CoordinatorSettings()
        s.controlURL = "tcp://127.0.0.1:0"
        s.epochURL = "tcp://127.0.0.1:0"
        s.dataDirectory = temporaryDirectory()
        s.epochMilliseconds = 3_600_000
        s.membership.heartbeatIntervalMilliseconds = 60_000
        let node = try CoordinatorNode(settings: s, logger: quietLogger, clock: clock)
        try await node.start()
        let running = Running { try await node.run() }
        await eventually(5, "the time loop asleep until its wake-up") { clock.sleeperCount > 0 }
        try await Task.sleep(for: .milliseconds(100))
        let before = await node.epoch
        XCTAssertEqual(before, 0, "no epoch passes while manual time stands still")

        clock.advance(milliseconds: 3_600_000)
        await eventually(5, "epoch 1 after one manual hour") { await node.epoch == 1 }
        try await Task.sleep(for: .milliseconds(100))
        let after = await node.epoch
        XCTAssertEqual(after, 1, "exactly one boundary")
        await running.stop()
    }
}
