import ArgumentParser
import FairwayControlJSON
import FairwayCore
import FairwayWire
import Foundation

extension Fairwayctl {
    struct Cloud: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fair-Synergy cloud shares: each edge's reported resources, its shares of cloud inference, training compute and labels, and its offloads.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON (epoch, allocator, inference_rps, training_steps, labelling_budget, inference_utility, training_utility, edges[]).") var json = false

        func run() async throws {
            let client = try connection.client()
            defer { client.close() }
            let s = try await ask(client, .cloudStatusRequest) { if case .cloudStatus(let s) = $0 { s } else { nil } }
            let doc = CloudDocument(s)
            if json { return try printJSON(doc) }
            func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
            print("cloud: \(f(doc.inference_rps)) inference requests/s, \(f(doc.training_steps)) training steps per round, \(doc.labelling_budget) labels per period; allocator \(doc.allocator)")
            guard doc.epoch > 0 || !doc.edges.isEmpty else {
                print("no shares yet: they are computed at each epoch boundary for the edges that report resources in their heartbeats")
                return
            }
            print("shares of epoch \(doc.epoch): modelled accuracy Σ eq.3 \(f(doc.inference_utility, 3)), Σ eq.7 \(f(doc.training_utility, 3))")
            print("EDGE            OWN RPS  γ      CLOUD RPS  USED/QUOTA  OFFLOADED  REFUSED  OWN STEPS  γρ     CLOUD STEPS  LABELS OWN  γα     CLOUD LABELS")
            for e in doc.edges {
                let name = (e.name.isEmpty ? String(e.edge_id.prefix(14)) : e.name).padding(toLength: 14, withPad: " ", startingAt: 0)
                func col(_ s: String, _ n: Int) -> String { s.padding(toLength: n, withPad: " ", startingAt: 0) }
                print("\(name)  \(col(f(e.local_inference_rps), 7))  \(col(f(e.gamma_inference, 3), 5))  \(col(f(e.inference_rps), 9))  \(col("\(e.inference_used)/\(e.inference_quota)", 10))  "
                      + "\(col("\(e.offloaded_total)", 9))  \(col("\(e.refused_total)", 7))  \(col(f(e.local_training_steps, 1), 9))  \(col(f(e.gamma_compute, 3), 5))  "
                      + "\(col(f(e.training_steps), 11))  \(col("\(e.labelled_samples)", 10))  \(col(f(e.gamma_labels, 3), 5))  \(e.labels)")
            }
            print("γ from the edge's own training results where gamma_points > 0 (see --json), else its configured defaults")
        }
    }
}
