import CoordinatorCore
import FairwayCore
import FairwayWire

/// An invariant that failed, where and why.
public struct Violation: Sendable, Hashable, Codable {
    /// `I1` … `I5` (DESIGN.md).
    public var invariant: String
    public var message: String
}

/// Checks I1–I5 after every step, on the simulated durable state and on what clients were told:
///
/// - I1: Σ grants of every recorded epoch ≤ V; for every agent, the tokens it was told it was
///   served ≤ what the coordinator's durable book counts as spent or lent out for it
///   (settled-and-compacted use + Σ used of settled leases + Σ tokens of open ones) ≤ granted;
/// - I2: every receipt an agent got names a durable ledger leaf holding exactly that
///   contribution (also after every coordinator restart); no contribution is recorded twice;
/// - I3: a durable leaf never changes or leaves a gap; every signed tree head covers only
///   durable leaves, its root is their Merkle root (RFC 6962), and heads never shrink;
/// - I5: the releases that left each agent, composed with the RDP accountant, never exceed
///   its (ε, δ) budget (raw records never leave the simulated agent at all: it releases
///   prototypes only).
///
/// - I4 (with contracts): every payment record committed to the ledger pays an edge whose
///   delivery for that round and period is durably integrated, and no (edge, round, period) is
///   paid twice.
struct InvariantChecker {
    let tokensPerEpoch: UInt64
    let budgetEpsilon: Double
    let budgetDelta: Double
    var agentIDs: [NodeID] = []
    private(set) var violation: Violation?
    /// Checks performed, by invariant.
    private(set) var counts: [String: Int] = [:]

    private var served: [NodeID: UInt64] = [:]
    private var releases: [Int: RDPAccountant] = [:]
    private var acknowledged: [(agent: NodeID, messageID: [UInt8], receipt: ContributionReceipt)] = []
    private var tree = MerkleTree.sha256()
    private var recordedKeys: Set<DATLedger.ContributionKey> = []
    private var paid: Set<String> = []

    init(tokensPerEpoch: UInt64, budgetEpsilon: Double, budgetDelta: Double) {
        self.tokensPerEpoch = tokensPerEpoch
        self.budgetEpsilon = budgetEpsilon
        self.budgetDelta = budgetDelta
    }

    mutating func fail(_ invariant: String, _ message: String) {
        if violation == nil { violation = Violation(invariant: invariant, message: message) }
    }

    private mutating func count(_ invariant: String) { counts[invariant, default: 0] += 1 }

    // MARK: events

    mutating func onCoordinatorCommit(_ directives: [CoordinatorInstance.Directive], before: DurableCoordinator, after: DurableCoordinator) {
        var touchedTokens = false
        var expected = before.leaves.count
        for d in directives {
            switch d {
            case .tokens(.persistGrants(let record, let grants, _)):
                count("I1")
                let total = grants.values.reduce(0, +)
                if total > tokensPerEpoch { fail("I1", "epoch \(record.epoch) granted \(total) tokens, more than V = \(tokensPerEpoch)") }
                touchedTokens = true
            case .tokens: touchedTokens = true
            case .ledger(.append(let record, _, let hash, _, _)):
                count("I3")
                if record.kind == .payment { checkPayment(record, durable: after) }
                let i = Int(record.index)
                if i < expected, i < before.leaves.count, before.leaves[i].leafHash != hash {
                    fail("I3", "leaf \(i) was durable and is being rewritten with other content (the ledger is append-only)")
                } else if i > expected {
                    fail("I3", "leaf \(i) written while only \(expected) leaves are durable or in this batch (a gap)")
                }
                expected = max(expected, i + 1)
            default: break
            }
        }
        while tree.size < after.leaves.count {
            let leaf = after.leaves[tree.size]
            _ = tree.append(leafHash: leaf.leafHash)
            count("I2")
            if leaf.record.kind == .contribution, !recordedKeys.insert(leaf.key).inserted {
                fail("I2", "contribution \(hex(leaf.key.id)) of \(leaf.key.agent) recorded twice (leaf \(tree.size - 1))")
            }
        }
        if after.heads.count > before.heads.count {
            var previous = before.heads.last?.treeSize ?? 0
            for head in after.heads[before.heads.count...] {
                count("I3")
                if head.treeSize < previous { fail("I3", "signed head of size \(head.treeSize) after one of size \(previous)") }
                if head.treeSize > UInt64(tree.size) {
                    fail("I3", "a head signed over \(head.treeSize) leaves while only \(tree.size) are durable")
                } else if tree.root(size: Int(head.treeSize)) != head.rootHash {
                    fail("I3", "the signed head of size \(head.treeSize) (epoch \(head.epoch)) does not match the durable leaves' Merkle root")
                }
                previous = head.treeSize
            }
        }
        if touchedTokens { for a in agentIDs { checkTokens(a, durable: after) } }
    }

    mutating func onCoordinatorRestarted(durable: DurableCoordinator) {
        for a in acknowledged { checkRecorded(a.agent, a.messageID, a.receipt, durable: durable) }
    }

    mutating func onServed(agent i: Int, tokens: UInt64, durable: DurableCoordinator) {
        let a = agentIDs[i]
        served[a, default: 0] += tokens
        checkTokens(a, durable: durable)
    }

    mutating func onAcknowledged(agent: NodeID, messageID: [UInt8], receipt: ContributionReceipt, durable: DurableCoordinator) {
        acknowledged.append((agent, messageID, receipt))
        checkRecorded(agent, messageID, receipt, durable: durable)
    }

    mutating func onRelease(agent i: Int, _ m: RDPAccountant.Mechanism) {
        count("I5")
        var acc = releases[i] ?? RDPAccountant()
        acc.compose(m)
        releases[i] = acc
        let spent = acc.epsilon(delta: budgetDelta).epsilon
        if spent > budgetEpsilon {
            fail("I5", "agent-\(i + 1) released beyond its budget: ε spent \(spent) > budget \(budgetEpsilon) at δ \(budgetDelta)")
        }
    }

    // MARK: checks

    private mutating func checkRecorded(_ agent: NodeID, _ messageID: [UInt8], _ receipt: ContributionReceipt, durable: DurableCoordinator) {
        count("I2")
        let i = Int(receipt.leafIndex)
        guard i < durable.leaves.count else {
            fail("I2", "\(agent) was told its contribution \(hex(messageID)) is leaf \(i), but only \(durable.leaves.count) leaves are durable")
            return
        }
        let leaf = durable.leaves[i]
        if leaf.key.agent != agent || leaf.key.id != messageID {
            fail("I2", "\(agent) was told its contribution \(hex(messageID)) is leaf \(i), but the durable leaf \(i) holds \(hex(leaf.key.id)) of \(leaf.key.agent)")
        }
    }

    private mutating func checkPayment(_ record: DatRecord, durable: DurableCoordinator) {
        count("I4")
        guard let c = record.contract else {
            fail("I4", "payment leaf \(record.index) names no contract round and period")
            return
        }
        if !paid.insert("\(record.agentID.rawValue)/\(c.round)/\(c.period)").inserted {
            fail("I4", "edge \(record.agentID) paid twice for round \(c.round) period \(c.period)")
        }
        guard let edge = durable.contractEdges[record.agentID], edge.round == c.round, (1...2).contains(c.period) else {
            fail("I4", "edge \(record.agentID) paid \(record.credit) for round \(c.round) period \(c.period) with no durable delivery of that round")
            return
        }
        if !edge[c.period].integrated {
            fail("I4", "edge \(record.agentID) paid \(record.credit) for round \(c.round) period \(c.period), but its module was never integrated")
        }
    }

    private mutating func checkTokens(_ agent: NodeID, durable: DurableCoordinator) {
        count("I1")
        let told = served[agent] ?? 0
        guard let account = durable.accounts[agent] else {
            if told > 0 { fail("I1", "\(agent) was served \(told) tokens but has no durable account") }
            return
        }
        var committed = account.settledUsed
        for lease in durable.leases.values where lease.agent == agent { committed += lease.settled ? lease.used : lease.tokens }
        if committed > account.granted {
            fail("I1", "the coordinator's durable book commits \(committed) tokens of \(agent), more than the \(account.granted) granted")
        }
        if told > committed {
            fail("I1", "\(agent) was served \(told) tokens, but the coordinator's durable book counts only \(committed) as used or lent out (granted \(account.granted))")
        }
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.prefix(8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}
