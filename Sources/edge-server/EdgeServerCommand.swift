import ArgumentParser
import DaemonCommand
import EdgeServer

@main
struct EdgeServerCommand: AsyncParsableCommand {
    static let configuration = DaemonOptions.configuration("edge-server", EdgeServerSettings.self, abstract: "Runs a Fairway edge server: serves agents, relays their signed joins, vouches for their liveness, admits inference against token leases.")
    @OptionGroup var options: DaemonOptions
    func run() async throws { try await options.run(EdgeServerSettings.self, label: "fairway.edge-server") { try EdgeServerNode(settings: $0, logger: $1) } }
}
