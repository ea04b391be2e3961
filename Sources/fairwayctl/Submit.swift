import ArgumentParser
import EdgeAgent
import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation

extension Fairwayctl {
    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit one DP contribution as an agent identity through an edge: join if needed, release a block of records the way edge-agent does, print the receipt.",
            discussion: """
                The release is built by edge-agent's own code (EdgeAgent.ReleaseMaker): records are embedded, assigned to the public \
                anchors, clipped, summed and noised; only the prototypes leave. With --data-dir the release is charged, before it is \
                sent, to DIR/privacy.sqlite (the budget file edge-agent keeps), and an unacknowledged release there is resent byte for byte.
                """)
        @OptionGroup var agent: AgentOptions
        @Option(name: .customLong("data-path"), help: "CSV of private 8×8 digit records (data/uci-digits-8x8.csv format).") var dataPath: String
        @Option(help: "Keep only records with these labels (repeatable or comma-separated, 0–9).") var labels: [String] = []
        @Option(name: .customLong("records-per-release"), help: "Records summarised by the release.") var recordsPerRelease = 100
        @Option(help: "Which block of records to release (from 1; default: the next one in --data-dir's budget file, else 1).") var sequence: UInt64?
        @Option(help: "Privacy mode: multimodal, image-only or none.") var mode = "multimodal"
        @Option(help: "ε of the release.") var epsilon: Double = 1
        @Option(help: "δ of the release.") var delta: Double = 1e-6
        @Option(name: .customLong("data-dir"), help: "Charge the release to the budget file DIR/privacy.sqlite (as edge-agent does).") var dataDir: String?
        @Option(name: .customLong("budget-epsilon"), help: "The identity's ε budget (with --data-dir).") var budgetEpsilon: Double = 8
        @Option(name: .customLong("budget-delta"), help: "The identity's δ budget (with --data-dir).") var budgetDelta: Double = 1e-5
        @Flag(help: "Print JSON (agent_id, edge, sequence, records, prototypes, epsilon, delta, joined, leaf_index, credit, value, novel_samples, normal_samples, noise_samples, tree_size, duplicate).")
        var json = false

        func run() async throws {
            var settings = EdgeAgentSettings()
            settings.data.path = dataPath
            settings.data.labels = labels.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            settings.data.recordsPerRelease = recordsPerRelease
            guard let m = PrivacyMode(rawValue: mode) else {
                throw fail(ConfigError(field: "--mode", message: "must be one of \(PrivacyMode.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(mode)\""))
            }
            settings.privacy.mode = m
            settings.privacy.epsilon = epsilon
            settings.privacy.delta = delta
            settings.privacy.budgetEpsilon = budgetEpsilon
            settings.privacy.budgetDelta = budgetDelta
            do { try settings.validate() } catch { throw fail(error) }
            let maker: ReleaseMaker
            do { maker = try ReleaseMaker(settings: settings, identities: 1) } catch { throw fail(error) }

            let (key, client) = try agent.connect()
            defer { client.close() }
            let id = key.nodeID
            let store: PrivacyBudgetStore?
            do { store = try dataDir.map { try PrivacyBudgetStore(directory: $0) } } catch { throw fail(error) }

            // The release: a pending one resent as is, else a new one charged durably before it leaves.
            var pending: PrivacyBudgetStore.Pending?
            var contribution: Contribution
            do {
                pending = try store?.pending(for: id)
                if let p = pending, sequence == nil || sequence == p.sequence {
                    guard case .contribution(let c) = try WireCodec.open(p.sealed).envelope.payload else {
                        throw FairwayError(.internal, "pending release \(p.sequence) does not carry a contribution", field: "privacy.sqlite")
                    }
                    contribution = c
                    FileHandle.standardError.write(Data("resending release \(p.sequence) of \(id), charged earlier but never acknowledged\n".utf8))
                } else {
                    if let p = pending { try await store?.abandon(identity: id, sequence: p.sequence) }
                    let next = try sequence ?? store.map { UInt64(try $0.finished(for: id) + 1) } ?? 1
                    guard let built = try maker.make(identity: 0, sequence: next) else {
                        throw FairwayError(.invalidField, "no records left for release \(next) (\(maker.recordCount(identity: 0)) records, \(recordsPerRelease) per release)",
                                           field: "--sequence")
                    }
                    contribution = built.contribution
                    let now = WallClock.now()
                    let envelope = Envelope(sender: id, sentAt: now, payload: .contribution(built.contribution))
                    let release = PrivacyBudgetStore.Pending(sequence: next, sealed: WireCodec.seal(envelope, signedBy: key), sentAt: now)
                    if let store {
                        if let charge = built.charge {
                            var budget = try store.budget(for: id, epsilon: budgetEpsilon, delta: budgetDelta)
                            do { try await store.charge(charge, to: &budget, identity: id, release: release) } catch let e as PrivacyBudget.Exhausted {
                                throw FairwayError(.invalidField, "privacy budget: \(e)", field: "--budget-epsilon")
                            }
                        } else {
                            try await store.record(release, identity: id)
                        }
                    }
                    pending = release
                }
            } catch {
                throw fail(error)
            }
            let release = pending!
            let messageID: MessageID
            do { messageID = try WireCodec.open(release.sealed).envelope.messageID } catch { throw fail(error) }
            let (reply, joined) = try await agent.joiningIfNeeded(key, client) {
                try await client.callSealed(release.sealed, messageID: messageID, as: key)
            }
            guard case .contributionReceipt(let receipt) = reply.envelope.payload else {
                throw fail(FairwayError(.malformed, "expected a contribution receipt, got \(reply.envelope.payload.kind)"))
            }
            do { try await store?.acknowledge(identity: id, sequence: release.sequence, leafIndex: receipt.leafIndex) } catch { throw fail(error) }
            let doc = SubmitDocument(receipt, contribution: contribution, edge: agent.edge, joined: joined)
            if json { return try printJSON(doc) }
            print("agent \(doc.agent_id)\(joined ? " (joined)" : "") released \(doc.prototypes) prototypes of \(doc.records) records (release \(doc.sequence), ε \(doc.epsilon), δ \(doc.delta)) via \(doc.edge)")
            print("LEAF  CREDIT  VALUE   NOVEL  NORMAL  NOISE  TREE SIZE\(doc.duplicate ? "  (duplicate: already recorded)" : "")")
            print("\(doc.leaf_index)  \(String(format: "%.2f", doc.credit))  \(String(format: "%.4f", doc.value))  \(doc.novel_samples)  \(doc.normal_samples)  \(doc.noise_samples)  \(doc.tree_size)")
        }
    }
}
