import FairwayCore
import FairwayControlJSON
import FairwayRuntime
import FairwayTestSupport
import Foundation
import XCTest

/// Issue 4, acceptance 2 (I1 end to end): a token-hungry agent is served exactly its grants
/// over several epochs, across a kill -9 of its edge server and failover; refusals carry the
/// reason. Real processes on loopback, started by `fairwayctl cluster up`.
final class TokenClusterTests: XCTestCase {
    let tokensPerEpoch: UInt64 = 20
    let epochMilliseconds = 1000

    func testHungryAgentIsServedExactlyItsGrantsAcrossEdgeKillAndFailover() async throws {
        try await withProcessCluster("tokens", [
            "--edges", "2", "--agents", "1", "--epoch-ms", "\(epochMilliseconds)", "--tokens-per-epoch", "\(tokensPerEpoch)",
            "--bucket-size", "40", "--inference-rate", "100", "--inference-cost", "1",
        ]) { try await exercise(dir: $0, url: $1) }
    }

    func agentRow(_ url: String) async -> StatusDocument.Node? {
        await statusJSON(url)?.first { $0.role == "edge-agent" }
    }

    /// I1 at the coordinator: used ≤ granted, every time we look.
    func checkAccount(_ url: String, file: StaticString = #filePath, line: UInt = #line) async -> StatusDocument.Node? {
        guard let a = await agentRow(url), let g = a.tokens_granted, let u = a.tokens_used else { return nil }
        XCTAssertLessThanOrEqual(u, g, "agent used more than it was granted", file: file, line: line)
        return a
    }

    func exercise(dir: String, url: String) async throws {
        var cluster = try LocalCluster.load(directory: dir)
        await eventually(15, "4 alive nodes and tokens flowing") {
            guard let nodes = await statusJSON(url), nodes.count == 4, nodes.allSatisfy({ $0.state == "alive" }) else { return false }
            return (await checkAccount(url))?.tokens_used ?? 0 > 0
        }
        // A few epochs at the first edge.
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(epochMilliseconds))
            _ = await checkAccount(url)
        }
        guard let nodes = await statusJSON(url), let agent = await agentRow(url),
              let home = nodes.first(where: { $0.id == agent.via })?.name else { return XCTFail("agent has no edge") }
        let other = home == "edge-1" ? "edge-2" : "edge-1"
        let usedBeforeKill = agent.tokens_used ?? 0

        // kill -9 the agent's edge mid-stream: the agent fails over; its open lease is frozen.
        try cluster.signal(home, SIGKILL)
        await eventually(15, "agent alive via \(other)") {
            guard let nodes = await statusJSON(url), let otherID = nodes.named(other)?.id, let a = await checkAccount(url) else { return false }
            return a.state == "alive" && a.via == otherID
        }
        await eventually(10, "agent served at \(other)") { (await checkAccount(url))?.tokens_used ?? 0 > usedBeforeKill }
        // The dead edge restarts on its data directory and settles the leases it held.
        try cluster.restart(home)
        await eventually(10, "\(home) alive again") { await statusJSON(url)?.named(home)?.state == "alive" }
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(epochMilliseconds))
            _ = await checkAccount(url)
        }
        let homeLog = try String(contentsOfFile: "\(dir)/logs/\(home).log", encoding: .utf8)
        XCTAssertTrue(homeLog.contains("restored") && homeLog.contains("token leases"), "the restarted edge restored and settled its leases")

        // Hungry: the frozen tokens came back and were spent, so at some point little is left.
        await eventually(10, "bucket drained to at most one epoch's grant") {
            (await checkAccount(url))?.tokens_remaining ?? .max <= tokensPerEpoch
        }

        // Stop the agent (SIGTERM writes its final usage) and let the edge settle its leases.
        try cluster.signal("agents", SIGTERM)
        let agentsPID = cluster.processes.first { $0.name == "agents" }!.pid
        await eventually(10, "agent process exited") { !ProcessSpawner.isAlive(agentsPID) }
        let usage = try JSONDecoder().decode([UsageRow].self, from: Data(contentsOf: URL(fileURLWithPath: "\(dir)/data/agents/usage.json")))[0].usage
        var final: StatusDocument.Node?
        await eventually(15, "coordinator usage settled to what the agent saw") {
            guard let a = await checkAccount(url), let used = a.tokens_used else { return false }
            final = a
            return used >= usage.servedTokens && used - usage.servedTokens <= usage.unanswered
        }
        // Once the agent is dead it gets no more grants: account and epoch history are stable.
        await eventually(15, "stopped agent declared dead") { await agentRow(url)?.state == "dead" }
        final = await checkAccount(url) ?? final
        let granted = final?.tokens_granted ?? 0, used = final?.tokens_used ?? 0
        print("agent: granted \(granted), used \(used) at the coordinator; saw \(usage.servedTokens) served in \(usage.admitted) requests, " +
              "\(usage.refused) refused, \(usage.unanswered) unanswered; last refusal: \(usage.lastRefusal)")
        // I1: never served more than granted; every token the agent was served is accounted for.
        XCTAssertLessThanOrEqual(usage.servedTokens, used)
        XCTAssertLessThanOrEqual(used, granted)
        XCTAssertEqual(usage.servedTokens, usage.admitted, "cost 1 per request")
        XCTAssertGreaterThan(usage.servedTokens, tokensPerEpoch * 4, "served over several epochs")
        // Refusals say why and when to retry.
        XCTAssertGreaterThan(usage.refused, 0, "a hungry agent hits the end of its grant")
        XCTAssertTrue(usage.lastRefusal.contains("token") && usage.lastRefusal.contains("next grants"), usage.lastRefusal)
        XCTAssertGreaterThan(usage.lastRetryAfterMilliseconds, 0)

        // Σ grants ≤ V in every epoch, from the durable epoch records.
        let (ecode, eout, eerr) = try await runTool("fairwayctl", ["epochs", "--coordinator", url, "--json", "--limit", "1000"])
        XCTAssertEqual(ecode, 0, eerr)
        let epochs = try JSONDecoder().decode(EpochsDocument.self, from: Data(eout.utf8)).epochs
        XCTAssertGreaterThan(epochs.count, 6)
        for e in epochs {
            XCTAssertLessThanOrEqual(e.granted, e.total_tokens, "epoch \(e.epoch)")
            XCTAssertEqual(e.total_tokens, tokensPerEpoch)
        }
        XCTAssertEqual(epochs.map(\.granted).reduce(0, +), granted, "the agent's account is the sum of its epoch grants")

        let (downCode, _, downErr) = try await runTool("fairwayctl", ["cluster", "down", "--dir", dir])
        XCTAssertEqual(downCode, 0, downErr)
    }
}
