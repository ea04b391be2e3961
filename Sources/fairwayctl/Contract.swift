import ArgumentParser
import FairwayControlJSON
import FairwayCore
import FairwayWire
import Foundation

extension Fairwayctl {
    struct Contract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Two-period dynamic contracts: the current menus, who picked what, payments, the integrated module.",
            subcommands: [Show.self])

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print the current round and period, the menus (T, R), each edge's items, accuracy and payments, and the module version.")
            @OptionGroup var connection: ConnectionOptions
            @Flag(help: "Print JSON (round, period, T1, R1, T2, R2, edges[], module_version, module_accuracy, total_paid).") var json = false

            func run() async throws {
                let client = try connection.client()
                defer { client.close() }
                let s = try await ask(client, .contractStatusRequest) { if case .contractStatus(let s) = $0 { s } else { nil } }
                let doc = ContractDocument(s)
                if json { return try printJSON(doc) }
                guard doc.round > 0 else {
                    print("no contract is running (cloud-coordinator contracts.period_epochs is 0, or the first round has not opened)")
                    return
                }
                func money(_ x: Double) -> String { String(format: "%.2f", x) }
                print("round \(doc.round), period \(doc.period): epochs \(doc.opens_epoch)–\(doc.deadline_epoch) (deadline), \(doc.scheme) rewards")
                print("period 1 menu: " + zip(doc.T1, doc.R1).enumerated().map { "item \($0.offset) (T \($0.element.0), R \(money($0.element.1)))" }.joined(separator: "  "))
                for (k, (t, r)) in zip(doc.T2, doc.R2).enumerated() {
                    print("period 2 menu after item \(k): " + zip(t, r).enumerated().map { "item \($0.offset) (T \($0.element.0), R \(money($0.element.1)))" }.joined(separator: "  "))
                }
                print("EDGE           P1 ITEM  ACC1   PAID1   P2 ITEM  ACC2   PAID2")
                func item(_ i: Int?) -> String { i.map { $0 == -2 ? "declined" : "\($0)" } ?? "-" }
                for e in doc.edges {
                    print("\(e.edge_id.prefix(14))  \(item(e.period1_item).padding(toLength: 7, withPad: " ", startingAt: 0))  \(String(format: "%.3f", e.accuracy1))  \(money(e.paid1).padding(toLength: 6, withPad: " ", startingAt: 0))  \(item(e.period2_item).padding(toLength: 7, withPad: " ", startingAt: 0))  \(String(format: "%.3f", e.accuracy2))  \(money(e.paid2))")
                }
                print("module version \(doc.module_version) (held-out accuracy \(String(format: "%.3f", doc.module_accuracy))); paid so far \(money(doc.total_paid))")
            }
        }
    }
}
