import ArgumentParser
import EdgeAgent
import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation

extension Fairwayctl {
    struct Ledger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Audit the DAT ledger: verify it, print an inclusion proof, export its records.",
            subcommands: [Verify.self, Proof.self, Export.self])
    }
}

/// Every leaf and signed head, fetched page by page.
private func fetchLedger(_ client: RequestClient) async throws -> LedgerReply {
    var leaves: [[UInt8]] = []
    var last: LedgerReply
    repeat {
        last = try await ask(client, .ledgerRequest(start: UInt64(leaves.count), limit: maxLedgerPage)) { if case .ledgerReply(let r) = $0 { r } else { nil } }
        leaves += last.leaves
        if leaves.count > 1000, leaves.count % 10_000 < Int(maxLedgerPage) {
            FileHandle.standardError.write(Data("fetched \(leaves.count)/\(last.treeSize) leaves\n".utf8))
        }
    } while UInt64(leaves.count) < last.treeSize && !last.leaves.isEmpty
    return LedgerReply(treeSize: UInt64(leaves.count), leaves: leaves, heads: last.heads)
}

extension Fairwayctl.Ledger {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the Merkle tree from every record and check every signed tree head, their consistency and each record's provenance; exit 1 naming what is wrong.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print the report as JSON {\"ok\":..,\"tree_size\":..,\"problems\":[..]}.") var json = false

        func run() async throws {
            let client = try connection.client()
            defer { client.close() }
            let pong = try await ask(client, .ping) { if case .pong(let p) = $0 { p } else { nil } }
            let ledger = try await fetchLedger(client)
            var report = LedgerAudit.verify(leaves: ledger.leaves, heads: ledger.heads, coordinator: pong.nodeID)
            // A root that does not match a signed head: find the changed leaves by checking each
            // leaf of the range against the coordinator's inclusion proof under that head.
            for problem in report.problems where problem.index == nil && problem.message.contains("was changed") {
                guard let size = problem.headSize, let head = ledger.heads.first(where: { $0.treeSize == size }) else { continue }
                let from = ledger.heads.filter { $0.treeSize < size }.map(\.treeSize).max() ?? 0
                for i in from..<size {
                    let proof = try await ask(client, .ledgerProofRequest(LedgerProofRequest(index: i, treeSize: size))) { if case .ledgerProofReply(let p) = $0 { p } else { nil } }
                    if !LedgerAudit.verifyInclusion(leaf: ledger.leaves[Int(i)], index: i, size: size, path: proof.inclusionPath, root: head.rootHash) {
                        report.problems.append(.init(index: i, headSize: size, message: "stored record does not match the leaf the signed head commits to (tampered)"))
                    }
                }
            }
            if json {
                struct Doc: Encodable { var ok: Bool; var tree_size: UInt64; var heads_checked: Int; var root: String; var problems: [LedgerAudit.Problem] }
                try printJSON(Doc(ok: report.ok, tree_size: report.treeSize, heads_checked: report.headsChecked, root: report.root, problems: report.problems))
            } else {
                print("ledger of \(pong.name) (\(pong.nodeID)): \(report.treeSize) records, \(report.headsChecked) signed tree heads, root \(report.root)")
                for p in report.problems { print("FAIL  \(p)") }
                print(report.ok ? "OK: every record, signature, root and consistency proof checks" : "\(report.problems.count) problems")
            }
            if !report.ok { throw ExitCode(1) }
        }
    }

    struct Proof: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print and check the inclusion proof of record INDEX under a signed tree head: the newest one covering it, or the tree of --size leaves.",
            discussion: """
            Checked: the path proves the record under the root, and that root is the root of a tree \
            head the coordinator signed (Ed25519, by the key whose address the session proved). \
            Without --size the newest signed head covering INDEX is used; a record appended after it \
            is not covered yet: the command says so and exits 1 (heads are signed every epoch). \
            With --size N the tree of N leaves is used; if no head of N leaves was signed the path \
            is checked against the root the coordinator answered and `root_signed` is false.
            """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Leaf index.") var index: UInt64
        @Option(help: "Tree size to prove against (default: that of the newest signed head covering INDEX).") var size: UInt64 = 0
        @Flag(help: "Print JSON {\"index\",\"tree_size\",\"root\",\"leaf_hash\",\"path\":[hex],\"verified\",\"root_signed\",\"signed_head\":{\"tree_size\",\"epoch\",\"signer\"} (absent when no head of that size was signed)}.") var json = false

        func run() async throws {
            let client = try connection.client()
            defer { client.close() }
            let pong = try await ask(client, .ping) { if case .pong(let p) = $0 { p } else { nil } }
            let heads = try await ask(client, .ledgerRequest(start: 0, limit: 1)) { if case .ledgerReply(let r) = $0 { r } else { nil } }.heads
            let head = heads.filter { size == 0 ? $0.treeSize > index : $0.treeSize == size }.max { $0.treeSize < $1.treeSize }
            if head == nil && size == 0 {
                let newest = heads.map(\.treeSize).max() ?? 0
                FileHandle.standardError.write(Data("error: record \(index) is not under a signed tree head yet (the newest covers \(newest) records); retry after the next epoch, or pass --size\n".utf8))
                throw ExitCode(1)
            }
            let treeSize = head?.treeSize ?? size
            let proof = try await ask(client, .ledgerProofRequest(LedgerProofRequest(index: index, treeSize: treeSize))) { if case .ledgerProofReply(let p) = $0 { p } else { nil } }
            let tree = MerkleTree.sha256()
            var problems: [String] = []
            let root = head?.rootHash ?? proof.rootHash
            if !LedgerAudit.verifyInclusion(leaf: proof.leaf, index: proof.index, size: proof.treeSize, path: proof.inclusionPath, root: root) {
                problems.append("the path does not prove the record under the root")
            }
            var signer: NodeID?
            if let head {
                if proof.rootHash != head.rootHash { problems.append("the proof's root is not the signed root of \(head.treeSize) leaves") }
                if !head.signatureIsValid { problems.append("the tree head's signature does not verify") }
                signer = NodeAddress.of(publicKey: head.publicKey)
                if signer != pong.nodeID { problems.append("the tree head is signed by \(signer!), not the coordinator \(pong.nodeID)") }
            }
            let ok = problems.isEmpty
            var doc = InclusionProofDocument(proof, leafHash: tree.leafHash(proof.leaf), verified: ok)
            doc.root_signed = head != nil && ok
            doc.signed_head = head.map { .init(tree_size: $0.treeSize, epoch: $0.epoch, signer: NodeAddress.of(publicKey: $0.publicKey).rawValue) }
            if json { try printJSON(doc) } else {
                let by = head.map { "signed by \(NodeAddress.of(publicKey: $0.publicKey)) in epoch \($0.epoch)" }
                    ?? "NOT SIGNED: no head of \(treeSize) leaves (signed sizes \(heads.map(\.treeSize).sorted())); checked against the coordinator's answer only"
                print("leaf \(doc.index) of \(doc.tree_size): leaf hash \(doc.leaf_hash)\nroot \(doc.root), \(by)")
                for (i, h) in doc.path.enumerated() { print("path[\(i)] \(h)") }
                print(ok ? "verified" : "DOES NOT VERIFY: " + problems.joined(separator: "; "))
            }
            if !ok { throw ExitCode(1) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write every DAT record as JSON lines (stdout or --out FILE).")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Output file (default: stdout).") var out: String?

        func run() async throws {
            let client = try connection.client()
            defer { client.close() }
            let ledger = try await fetchLedger(client)
            let tree = MerkleTree.sha256()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var text = ""
            for (i, leaf) in ledger.leaves.enumerated() {
                let record: DatRecord
                do { record = try DatRecord(leaf: leaf, field: "leaf[\(i)]") } catch { throw fail(error) }
                text += String(decoding: try encoder.encode(DatRecordLine(record, leafHash: tree.leafHash(leaf))), as: UTF8.self) + "\n"
            }
            if let out {
                try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
                FileHandle.standardError.write(Data("wrote \(ledger.leaves.count) records to \(out)\n".utf8))
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}

extension Fairwayctl {
    struct Valuation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show agents' data values v_n (eq. 20) from the iDAO catalog, their novel/normal/noise samples and the privacy they spent.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only this agent id (repeatable).") var agent: [String] = []
        @Flag(help: "Print JSON {\"agents\":[..],\"catalog_clusters\":n}.") var json = false

        func run() async throws {
            try await showValuation(connection: connection, agents: agent, json: json)
        }
    }

    struct Privacy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the privacy an agent has spent over all its releases: the coordinator's account of its ledger records and/or the agent's own budget file.",
            discussion: """
                The agent enforces its own (ε, δ) budget before each release (edge-agent privacy.budget_epsilon) in <data_dir>/privacy.sqlite:                 --data-dir reads it (every identity there, or --agent). --agent alone asks the coordinator, whose account is an RDP accountant                 over the noise multipliers the agent's contributions declared in the ledger. Both: both accounts.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Agent id (required without --data-dir).") var agent: String?
        @Option(name: .customLong("data-dir"), help: "An agent process's data directory (its privacy.sqlite) or `fairwayctl submit --data-dir`'s.") var dataDir: String?
        @Option(help: "The agent's ε budget, to show what remains (default 8, the edge-agent default).") var budgetEpsilon: Double = 8
        @Option(help: "The δ of the local account (default 1e-5, the edge-agent budget_delta).") var budgetDelta: Double = 1e-5
        @Flag(help: "Print JSON {\"coordinator\":[{agent_id,releases,epsilon_spent,delta,budget_epsilon,remaining_epsilon}],\"local\":[..same..]}.") var json = false

        func run() async throws {
            guard agent != nil || dataDir != nil else { throw fail(ConfigError(field: "--agent", message: "give --agent ID, --data-dir DIR, or both")) }
            let id: NodeID?
            do { id = try agent.map { try NodeID($0, field: "--agent") } } catch { throw fail(error) }
            var local: [PrivacyDocument.Account] = []
            if let dataDir {
                let path = (dataDir as NSString).appendingPathComponent("privacy.sqlite")
                guard FileManager.default.fileExists(atPath: path) else {
                    throw fail(ConfigError(field: "--data-dir", message: "\(path) does not exist (not an agent data directory)"))
                }
                do {
                    let store = try PrivacyBudgetStore(directory: dataDir)
                    for a in try id.map { [$0] } ?? store.identities() {
                        let b = try store.budget(for: a, epsilon: budgetEpsilon, delta: budgetDelta)
                        local.append(.init(agent_id: a.rawValue, releases: UInt64(b.charged.count), epsilon_spent: b.spent, delta: budgetDelta, budget_epsilon: budgetEpsilon))
                    }
                } catch { throw fail(error) }
            }
            var coordinator: [PrivacyDocument.Account] = []
            if let id {
                let client = try connection.client()
                defer { client.close() }
                let reply = try await ask(client, .valuationRequest([id])) { if case .valuationReply(let r) = $0 { r } else { nil } }
                guard let a = reply.agents.first else { throw fail(FairwayError(.invalidField, "the coordinator knows no agent \(id)", field: "--agent")) }
                coordinator.append(.init(agent_id: a.agentID.rawValue, releases: a.contributions, epsilon_spent: a.epsilonSpent, delta: a.delta, budget_epsilon: budgetEpsilon))
            }
            if json { return try printJSON(PrivacyDocument(coordinator: coordinator, local: local)) }
            func show(_ a: PrivacyDocument.Account, _ source: String) {
                let spent = a.epsilon_spent.map { String(format: "%.4f", $0) } ?? "unbounded (a release without a DP guarantee)"
                print("agent \(a.agent_id) (\(source)): \(a.releases) releases; ε spent \(spent) at δ = \(a.delta)")
                if let r = a.remaining_epsilon { print("  remaining of an ε = \(a.budget_epsilon) budget: \(String(format: "%.4f", r))") }
            }
            for a in coordinator { show(a, "coordinator's ledger") }
            for a in local { show(a, "budget file \(dataDir ?? "")") }
            if coordinator.isEmpty && local.isEmpty { print("no releases charged in \(dataDir ?? "")") }
        }
    }
}

private func showValuation(connection: ConnectionOptions, agents: [String], json: Bool) async throws {
    let client = try connection.client()
    defer { client.close() }
    let ids: [NodeID]
    do { ids = try agents.map { try NodeID($0, field: "--agent") } } catch { throw fail(error) }
    let reply = try await ask(client, .valuationRequest(ids)) { if case .valuationReply(let r) = $0 { r } else { nil } }
    if json { return try printJSON(ValuationDocument(reply)) }
    print("AGENT  VALUE  CONTRIBUTIONS  NOVEL  NORMAL  NOISE  EPSILON")
    for a in reply.agents {
        let eps = a.epsilonSpent.isFinite ? String(format: "%.3f", a.epsilonSpent) : "inf"
        print("\(StatusTable.short(a.agentID))  \(String(format: "%.4f", a.value))  \(a.contributions)  \(a.novelSamples)  \(a.normalSamples)  \(a.noiseSamples)  \(eps)")
    }
    print("\(reply.catalogClusters) clusters in the catalog")
}
