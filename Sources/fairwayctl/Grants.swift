import ArgumentParser
import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation

extension Fairwayctl {
    struct Grants: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the coordinator's token grants: per agent the tokens granted, used and remaining (cumulative), and V and Σ grants of recent epochs.",
            discussion: "From the coordinator's status and epochs replies; the wire keeps no per-agent history per epoch.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "How many recent epochs (1–1000).") var limit: UInt32 = 5
        @Flag(help: "Print JSON {\"epoch\",\"agents\":[{agent_id,name,via,via_name,state,granted,used,remaining}],\"epochs\":[..],\"total_granted\"}.") var json = false

        func run() async throws {
            let client = try connection.client()
            defer { client.close() }
            let status = try await ask(client, .statusRequest) { if case .statusReply(let s) = $0 { s } else { nil } }
            let epochs = try await ask(client, .epochsRequest(limit: limit)) { if case .epochsReply(let e) = $0 { e } else { nil } }
            let doc = GrantsDocument(status: status, epochs: epochs)
            if json { return try printJSON(doc) }
            var rows = [["AGENT", "NAME", "VIA", "STATE", "GRANTED", "USED", "REMAINING"]]
            for a in doc.agents {
                rows.append([String(a.agent_id.prefix(12)) + "…", a.name.isEmpty ? "-" : a.name, a.via_name ?? a.via.map { String($0.prefix(12)) } ?? "-",
                             a.state, "\(a.granted)", "\(a.used)", "\(a.remaining)"])
            }
            print(Table.render(rows))
            print("\(doc.agents.count) agents, \(doc.total_granted) tokens granted in all; epoch \(doc.epoch)")
            print("EPOCH  V  GRANTED  AGENTS  ALLOCATOR")
            for e in doc.epochs { print("\(e.epoch)  \(e.total_tokens)  \(e.granted)  \(e.agents)  \(e.allocator)") }
        }
    }
}

/// Plain text tables: columns padded to their widest cell.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        let widths = (0..<first.count).map { c in rows.map { $0[c].count }.max()! }
        return rows.map { r in r.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") }.joined(separator: "\n")
    }
}
