import ArgumentParser
import DaemonCommand
import CloudCoordinator

@main
struct CloudCoordinatorCommand: AsyncParsableCommand {
    static let configuration = DaemonOptions.configuration("cloud-coordinator", CoordinatorSettings.self, abstract: "Runs the Fairway cloud coordinator: membership, admission, epochs with token grants, leases and accounts (later: valuation, contracts, the DAT ledger).")
    @OptionGroup var options: DaemonOptions
    func run() async throws { try await options.run(CoordinatorSettings.self, label: "fairway.coordinator") { try CoordinatorNode(settings: $0, logger: $1) } }
}
