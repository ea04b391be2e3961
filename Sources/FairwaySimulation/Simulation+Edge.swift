import EdgeServerCore
import FairwayCore
import FairwayWire

/// An edge server's simulated shell (as `EdgeServerNode`): agents' requests, relayed joins,
/// forwarded contributions, offloads, and the coordinator link's calls.
extension Simulation {
    func edgeHandle(_ i: Int, _ r: SimRequest) {
        guard var e = edges[i] else { return }
        let node = SimNode.edge(i)
        let key = ReplayKey(sender: r.envelope.sender, messageID: r.envelope.messageID.bytes)
        if let cached = edgeDurable[i].journal[key] ?? edgeCache[i][key] {
            stats.replayedReplies += 1
            reply(to: r, cached)
            return
        }
        guard inProgress[node]?.contains(key) != true else { return }
        let request = VerifiedRequest(r.envelope)
        let now = time(node)
        switch r.envelope.payload {
        case .join:
            switch e.onAgentJoin(request) {
            case .failure(let refusal):
                reply(to: r, .error(refusal))
            case .success(var join):
                join.agentProof = r.sealed
                inProgress[node, default: []].insert(key)
                call(from: node, to: .coordinator, payload: .join(join), purpose: .edgeRelayJoin(i, agent: r, join: join))
            }
        case .contribution:
            let checked = e.onAgentContribution(request, now: now)
            edges[i] = e
            switch checked {
            case .failure(let refusal):
                reply(to: r, .error(refusal))
            case .success:
                inProgress[node, default: []].insert(key)
                call(from: node, to: .coordinator, payload: .contributionBatch(ContributionBatch(contributions: [r.sealed])), purpose: .edgeForward(i, agent: r))
            }
        case .inferenceRequest:
            switch e.routeInference(request, now: now) {
            case .local:
                let (answer, directives) = e.onAgentRequest(request, now: now)
                edgeCommitAndReply(i, e, directives, answer, to: r, journal: key)
            case .refuse(let answer):
                edges[i] = e
                reply(to: r, answer)
            case .offload(let offload):
                edges[i] = e
                inProgress[node, default: []].insert(key)
                call(from: node, to: .coordinator, payload: .cloudInferenceRequest(offload), purpose: .edgeOffload(i, agent: r))
            }
        default:
            let (answer, directives) = e.onAgentRequest(request, now: now)
            edgeCommitAndReply(i, e, directives, answer, to: r, journal: nil)
        }
    }

    func edgeTick(_ i: Int) {
        guard var e = edges[i] else { return }
        let directives = e.onTick(now: time(.edge(i)))
        _ = edgeCommit(i, e, directives)
    }

    /// Commits (or crashes before), journals an admitted inference, replies (or crashes before).
    private func edgeCommitAndReply(_ i: Int, _ e: EdgeInstance, _ directives: [EdgeInstance.Directive], _ answer: Payload, to r: SimRequest, journal key: ReplayKey?) {
        guard edgeCommit(i, e, directives) else { return }
        if let key, case .inferenceReply = answer { edgeDurable[i].journal[key] = answer }
        inProgress[.edge(i)]?.remove(ReplayKey(sender: r.envelope.sender, messageID: r.envelope.messageID.bytes))
        if chance(settings.crashInHandlerRate / 2) {
            crash(.edge(i), why: "after commit, before reply")
            return
        }
        reply(to: r, answer)
    }

    /// Commits one batch of the edge (or crashes before it) and carries out calls and wakes.
    @discardableResult
    private func edgeCommit(_ i: Int, _ e: EdgeInstance, _ directives: [EdgeInstance.Directive]) -> Bool {
        let node = SimNode.edge(i)
        let persists = directives.contains { if case .leases = $0 { true } else if case .draining = $0 { true } else { false } }
        if persists, chance(settings.crashInHandlerRate / 2) {
            crash(node, why: "before commit")
            return false
        }
        edges[i] = e
        if persists { edgeDurable[i].apply(directives) }
        for d in directives {
            switch d {
            case .call(let c):
                edgeCallQueue[i].append(c)
            case .train(let order):
                if contracts == nil {
                    if var e = edges[i] {
                        let more = e.onTrainingFailed(order, "no training without contracts", now: time(node))
                        edgeCommit(i, e, more)
                    }
                } else {
                    // The shell trains off the actor; the result comes back later as its own event.
                    queue.push(.trained(i, generation: generation[node]!, order, good: !chance(settings.badModuleRate)), at: now + uniform(20, 300))
                }
            case .wake(let at):
                wake(node, at: at)
            case .leases, .draining, .log:
                break
            }
        }
        pumpCalls(i)
        return true
    }

    /// Makes the edge's next queued coordinator call, or, with none left, its deferred wake-up.
    private func pumpCalls(_ i: Int) {
        guard !edgeCallBusy[i], edges[i] != nil else { return }
        if !edgeCallQueue[i].isEmpty {
            let c = edgeCallQueue[i].removeFirst()
            edgeCallBusy[i] = true
            call(from: .edge(i), to: .coordinator, payload: c.request.payload, purpose: .edgeLink(i, id: c.id))
        } else if let w = edgePendingWake[i] {
            edgePendingWake[i] = nil
            wake(.edge(i), at: w)
        }
    }

    func edgeTrained(_ i: Int, _ order: ContractWork.TrainingOrder, good: Bool) {
        guard var e = edges[i], let contracts else { return }
        let directives = e.onTrained(order, bytes: good ? contracts.goodModule : contracts.badModule, samples: contracts.samples, now: time(.edge(i)))
        edgeCommit(i, e, directives)
    }

    func edgeLinkResult(_ i: Int, id: UInt64, _ result: Result<Payload, FairwayError>) {
        guard var e = edges[i] else { return }
        edgeCallBusy[i] = false
        let directives = e.onCallResult(id, result, now: time(.edge(i)))
        if edgeCommit(i, e, directives) { pumpCalls(i) }
    }

    func edgeJoinRelayed(_ i: Int, agent r: SimRequest, join: JoinRequest, _ result: Result<Payload, FairwayError>) {
        guard var e = edges[i] else { return }
        let outcome: Result<JoinAccepted, FairwayError>
        switch result {
        case .success(.joinAccepted(let a)): outcome = .success(a)
        case .success(let other): outcome = .failure(FairwayError(.internal, "coordinator answered join with \(other.kind)"))
        case .failure(let error): outcome = .failure(error)
        }
        let (answer, directives) = e.onAgentJoinResult(join, result: outcome, now: time(.edge(i)))
        edgeCommitAndReply(i, e, directives, answer, to: r, journal: nil)
    }

    func edgeContributionForwarded(_ i: Int, agent r: SimRequest, _ result: Result<Payload, FairwayError>) {
        guard edges[i] != nil else { return }
        inProgress[.edge(i)]?.remove(ReplayKey(sender: r.envelope.sender, messageID: r.envelope.messageID.bytes))
        switch result {
        case .success(.contributionBatchAck(let receipts)) where receipts.count == 1:
            reply(to: r, .contributionReceipt(receipts[0]))
        case .success(let other):
            reply(to: r, .error(FairwayError(.internal, "coordinator answered a contribution batch with \(other.kind)")))
        case .failure(let e) where e.code == .noReply:
            reply(to: r, .error(FairwayError(.unavailable, "coordinator did not answer: \(e.message)", retryAfterMilliseconds: 500)))
        case .failure(let e):
            reply(to: r, .error(e))
        }
    }

    func edgeOffloaded(_ i: Int, agent r: SimRequest, _ result: Result<Payload, FairwayError>) {
        guard var e = edges[i] else { return }
        let outcome: Result<CloudInferenceReply, FairwayError>
        switch result {
        case .success(.cloudInferenceReply(let x)): outcome = .success(x)
        case .success(let other): outcome = .failure(FairwayError(.internal, "coordinator answered an offload with \(other.kind)"))
        case .failure(let error): outcome = .failure(error)
        }
        let (answer, directives) = e.onOffloadResult(VerifiedRequest(r.envelope), outcome, now: time(.edge(i)))
        edgeCommitAndReply(i, e, directives, answer, to: r, journal: ReplayKey(sender: r.envelope.sender, messageID: r.envelope.messageID.bytes))
    }
}
