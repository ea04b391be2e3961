import ArgumentParser
import DaemonCommand
import EdgeAgent

@main
struct EdgeAgentCommand: AsyncParsableCommand {
    static let configuration = DaemonOptions.configuration("edge-agent", EdgeAgentSettings.self, abstract: "Runs Fairway agent identities (one Ed25519 key each): join through an edge server, heartbeat, fail over, run an inference workload.")
    @OptionGroup var options: DaemonOptions
    func run() async throws { try await options.run(EdgeAgentSettings.self, label: "fairway.edge-agent") { try AgentHost(settings: $0, logger: $1) } }
}
