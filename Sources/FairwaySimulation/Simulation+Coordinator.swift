import CoordinatorCore
import FairwayCore
import FairwayWire

/// The coordinator's simulated shell: journal, commit, then reply (as `CoordinatorNode`).
extension Simulation {
    func coordinatorHandle(_ r: SimRequest) {
        guard var c = coordinator else { return }
        let key = ReplayKey(sender: r.envelope.sender, messageID: r.envelope.messageID.bytes)
        if let cached = coordinatorDurable.journal[key] ?? coordinatorCache[key] {
            stats.replayedReplies += 1
            reply(to: r, cached)
            return
        }
        if r.envelope.payload.kind.isReadOnly {
            reply(to: r, c.onQuery(r.envelope))
            return
        }
        let (answer, directives) = c.onRequest(VerifiedRequest(r.envelope), now: time(.coordinator))
        guard commitCoordinator(c, directives) else { return }
        if case .error = answer {} else {
            if CoordinatorInstance.durableKinds.contains(r.envelope.payload.kind) {
                coordinatorDurable.journal[key] = answer
            } else {
                if coordinatorCache.count > 20_000 { coordinatorCache = [:] }
                coordinatorCache[key] = answer
            }
        }
        if chance(settings.crashInHandlerRate / 2) {
            crash(.coordinator, why: "after commit, before reply")
            return
        }
        reply(to: r, answer)
    }

    func coordinatorTick() {
        guard var c = coordinator else { return }
        let directives = c.onTick(now: time(.coordinator))
        _ = commitCoordinator(c, directives)
    }

    /// Commits one batch (or crashes before it), then carries out the rest of the directives.
    /// Returns false when the coordinator crashed before the commit.
    private func commitCoordinator(_ c: CoordinatorInstance, _ directives: [CoordinatorInstance.Directive]) -> Bool {
        let persists = directives.contains { d in
            switch d {
            case .wake, .log, .epoch(.announce): false
            default: true
            }
        }
        if persists, chance(settings.crashInHandlerRate / 2) {
            crash(.coordinator, why: "before commit")
            return false
        }
        coordinator = c
        if persists {
            note { "coordinator commits " + directives.compactMap(\.traceSummary).joined(separator: "; ") }
            let before = coordinatorDurable
            coordinatorDurable.apply(directives, instance: c)
            checker.onCoordinatorCommit(directives, before: before, after: coordinatorDurable)
        }
        for d in directives {
            switch d {
            case .epoch(.announce(let a)):
                for i in 0..<settings.edges { send(.announcement(a, from: ids[.coordinator]!, to: .edge(i))) }
            case .wake(let at):
                wake(.coordinator, at: at)
            default: break
            }
        }
        return true
    }
}

extension CoordinatorInstance.Directive {
    /// A short line for the trace (persist directives only).
    var traceSummary: String? {
        switch self {
        case .membership(.persist(let m)): "member \(m.name) \(m.state)"
        case .membership(.transition(let id, let from, let to)): "member \(id.rawValue.prefix(8)) \(from)→\(to)"
        case .epoch(.persist(let e, _)): "epoch \(e)"
        case .tokens(.persistGrants(let r, let grants, _)): "grants of epoch \(r.epoch): \(grants.values.reduce(0, +)) tokens"
        case .tokens(.persistTokens(let accounts, let leases, _)):
            "accounts [\(accounts.map { "\($0.agent.rawValue.prefix(8)) granted \($0.granted)" }.joined(separator: ", "))] leases [\(leases.map { "#\($0.id) \($0.agent.rawValue.prefix(8)) \($0.used)/\($0.tokens)\($0.settled ? " settled" : "")\($0.writtenOff ? " written-off" : "")" }.joined(separator: ", "))]"
        case .tokens(.compact(let accounts, let removed)): "compact \(removed.count) leases of \(accounts.count) accounts"
        case .ledger(.append(let r, _, _, _, _)): "leaf \(r.index) (\(r.kind))"
        case .ledger(.signHead(let h)): "head size \(h.treeSize)"
        case .contracts(.pay(let p)): "pay \(p.edge.rawValue.prefix(8)) round \(p.round) period \(p.period): \(p.reward)"
        case .contracts(.persistEdge(let r)): "contract record of \(r.edge.rawValue.prefix(8)) round \(r.round): integrated \(r.periods.map(\.integrated))"
        case .contracts(.persistRound(let r)): "contract round \(r.round) period \(r.period) until epoch \(r.deadlineEpoch)"
        case .contracts(.persistModule(let m)): "module v\(m.version) (accuracy \(m.accuracy))"
        case .contracts(.persistChunk(let edge, let u)): "chunk \(u.chunks.count)/\(u.chunkCount) of \(edge.rawValue.prefix(8))"
        case .contracts(.clearChunks(let edge)): "chunks of \(edge.rawValue.prefix(8)) cleared"
        case .cloud: "cloud allocation"
        case .epoch(.announce), .wake, .log: nil
        }
    }
}
