import ArgumentParser
import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation

extension Fairwayctl {
    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send one inference request as an agent identity through an edge (joining if needed); print the label, confidence, tokens charged and remaining, and whether the cloud served it.",
            discussion: "A fresh identity holds no tokens until the coordinator's next epoch grants it some: the edge then refuses with insufficient-tokens and says when to retry.")
        @OptionGroup var agent: AgentOptions
        @Option(name: .customLong("digit-row"), help: "Send the pixels of this record (0-based) of --digits-file.") var digitRow: Int?
        @Option(name: .customLong("digits-file"), help: "CSV of 8×8 digits for --digit-row.") var digitsFile = "data/uci-digits-8x8.csv"
        @Option(help: "Send these features (comma-separated numbers, e.g. 64 pixels 0–16).") var features: String?
        @Option(help: "Tokens the request costs.") var cost: UInt64 = 1
        @Flag(help: "Print JSON (agent_id, edge, label, confidence, module_version, charged, remaining, served_by_cloud, joined, expected_label).") var json = false

        func run() async throws {
            var request = InferenceRequest(cost: cost)
            var expected: Int?
            if digitRow != nil && features != nil {
                throw fail(ConfigError(field: "--features", message: "give --digit-row or --features, not both"))
            }
            if let row = digitRow {
                let records: [DigitRecord]
                do { records = try DigitsCSV.parse(try String(contentsOfFile: digitsFile, encoding: .utf8)) } catch {
                    throw fail(ConfigError(field: "--digits-file", message: "\(digitsFile): \(error)"))
                }
                guard records.indices.contains(row) else {
                    throw fail(ConfigError(field: "--digit-row", message: "\(digitsFile) has records 0…\(records.count - 1), got \(row)"))
                }
                request.features = records[row].pixels
                expected = records[row].label
            } else if let features {
                var values: [Double] = []
                for (i, part) in features.split(separator: ",").enumerated() {
                    guard let v = Double(part.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                        throw fail(ConfigError(field: "--features[\(i)]", message: "not a finite number: \"\(part)\""))
                    }
                    values.append(v)
                }
                request.features = values
            }
            let (key, client) = try agent.connect()
            defer { client.close() }
            let (reply, joined) = try await agent.joiningIfNeeded(key, client) { try await client.call(.inferenceRequest(request), as: key) }
            guard case .inferenceReply(let r) = reply else { throw fail(FairwayError(.malformed, "expected an inference reply, got \(reply.kind)")) }
            let doc = InferenceDocument(r, agent: key.nodeID, edge: agent.edge, joined: joined, expected: expected)
            if json { return try printJSON(doc) }
            let label = doc.label < 0 ? "- (no prediction: no features, or the edge holds no module yet)" : "\(doc.label)"
            print("LABEL  CONFIDENCE  MODULE  CHARGED  REMAINING  SERVED BY CLOUD")
            print("\(label)  \(String(format: "%.3f", doc.confidence))  \(doc.module_version)  \(doc.charged)  \(doc.remaining)  \(doc.served_by_cloud ? "yes" : "no")")
            if let expected { print("expected label \(expected)") }
        }
    }
}
