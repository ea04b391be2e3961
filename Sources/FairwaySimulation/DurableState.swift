import CoordinatorCore
import EdgeServerCore
import FairwayCore
import FairwayWire

/// What the coordinator's database would hold: only what persist directives made durable.
/// A crash keeps this and loses everything else.
struct DurableCoordinator {
    var members: [NodeID: Member] = [:]
    var epoch: (epoch: UInt64, startedAt: Timestamp)?
    var accounts: [NodeID: TokenAccount] = [:]
    var leases: [UInt64: TokenLease] = [:]
    var nextLeaseID: UInt64 = 1
    /// Ledger leaves in index order, with their key and receipt.
    var leaves: [(record: DatRecord, leafHash: [UInt8], key: DATLedger.ContributionKey, receipt: ContributionReceipt)] = []
    var heads: [SignedTreeHead] = []
    /// Σ grants of each epoch, as recorded.
    var epochGrants: [UInt64: UInt64] = [:]
    var round = Contracts.RoundState()
    var contractEdges: [NodeID: Contracts.EdgeRecord] = [:]
    var uploads: [NodeID: Contracts.PartialUpload] = [:]
    var module: Contracts.GlobalModule?
    var totalPaid = 0.0
    /// The replay journal: replies to requests of `CoordinatorInstance.durableKinds`, by (sender, message id).
    var journal: [ReplayKey: Payload] = [:]

    /// Applies one batch's persist directives (one transaction).
    mutating func apply(_ directives: [CoordinatorInstance.Directive], instance: CoordinatorInstance) {
        for d in directives {
            switch d {
            case .membership(.persist(let m)): members[m.id] = m
            case .membership(.transition(let id, _, _)): if let m = instance.membership.members[id] { members[id] = m }
            case .epoch(.persist(let e, let at)): epoch = (e, at)
            case .tokens(.persistGrants(let record, let grants, let accs)):
                epochGrants[record.epoch] = grants.values.reduce(0, +)
                for a in accs { accounts[a.agent] = a }
            case .tokens(.persistTokens(let accs, let ls, let next)):
                for a in accs { accounts[a.agent] = a }
                for l in ls { leases[l.id] = l }
                nextLeaseID = max(nextLeaseID, next)
            case .tokens(.compact(let accs, let removed)):
                for a in accs { accounts[a.agent] = a }
                for id in removed { leases[id] = nil }
            case .ledger(.append(let record, _, let hash, let id, let receipt)):
                // A leaf index is written once (the store's primary key): a second write at an
                // index already held is a conflict the real store refuses with its transaction.
                if record.index == UInt64(leaves.count) {
                    leaves.append((record, hash, DATLedger.ContributionKey(agent: record.agentID, id: id), receipt))
                }
            case .ledger(.signHead(let head)): heads.append(head)
            case .contracts(.persistRound(let r)): round = r
            case .contracts(.persistEdge(let record)): contractEdges[record.edge] = record
            case .contracts(.persistChunk(let edge, let upload)): uploads[edge] = upload
            case .contracts(.clearChunks(let edge)): uploads[edge] = nil
            case .contracts(.persistModule(let m)): module = m
            case .contracts(.pay(let p)): totalPaid += p.reward
            case .epoch(.announce), .cloud, .wake, .log: break
            }
        }
    }

    /// The state a restarted coordinator starts from.
    func restored() throws -> CoordinatorInstance.Restored {
        let tokens = try TokenAccounts(accounts: accounts.values.sorted { $0.agent < $1.agent }, leases: leases.values.sorted { $0.id < $1.id }, nextLeaseID: nextLeaseID)
        var receipts: [DATLedger.ContributionKey: ContributionReceipt] = [:]
        var contributions: [(record: DatRecord, contribution: Contribution)] = []
        for leaf in leaves {
            receipts[leaf.key] = leaf.receipt
            if let v = try? WireCodec.open(leaf.record.provenance, archived: true), case .contribution(let c) = v.envelope.payload {
                contributions.append((leaf.record, c))
            }
        }
        let ledger = DATLedger(leafHashes: leaves.map(\.leafHash), receipts: receipts, lastHeadSize: heads.last?.treeSize)
        let contracts = Contracts.Restored(round: round, edges: contractEdges.values.sorted { $0.edge < $1.edge }, uploads: uploads, module: module, totalPaid: totalPaid)
        return CoordinatorInstance.Restored(members: members.values.sorted { $0.id < $1.id }, epoch: epoch, tokens: tokens, ledger: ledger,
                                            contributions: contributions, contracts: contracts)
    }
}

/// A request's idempotency key at a server.
struct ReplayKey: Hashable {
    var sender: NodeID
    var messageID: [UInt8]
}

/// What an edge server's database would hold.
struct DurableEdge {
    var leases: [UInt64: TokenLease] = [:]
    var retired: Set<UInt64> = []
    var draining = false
    /// Replies to inference requests (`EdgeInstance.durableKinds`), by (sender, message id).
    var journal: [ReplayKey: Payload] = [:]

    mutating func apply(_ directives: [EdgeInstance.Directive]) {
        for d in directives {
            switch d {
            case .leases(.persist(let ls, let r)):
                for l in ls { leases[l.id] = l }
                retired.formUnion(r)
                for id in r { leases[id] = nil }
            case .draining(let on): draining = on
            case .call, .train, .wake, .log: break
            }
        }
    }

    var restoredLeases: EdgeLeases { EdgeLeases(leases: leases.values.sorted { $0.id < $1.id }, retiredLeaseIDs: retired) }
}

/// What an agent's privacy store would hold (`PrivacyBudgetStore`): each charge, and each
/// release with its sealed envelope and state.
struct DurableAgent {
    enum ReleaseState { case pending, acknowledged(leaf: UInt64), abandoned }
    var charges: [RDPAccountant.Mechanism] = []
    var releases: [(sequence: UInt64, sealed: [UInt8], envelope: Envelope, state: ReleaseState)] = []

    var finished: Int { releases.filter { if case .pending = $0.state { false } else { true } }.count }
    var pending: (sequence: UInt64, sealed: [UInt8], envelope: Envelope)? {
        releases.first { if case .pending = $0.state { true } else { false } }.map { ($0.sequence, $0.sealed, $0.envelope) }
    }
}
