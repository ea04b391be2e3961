import EdgeAgentCore
import FairwayCore
import FairwayWire

/// An agent identity's simulated shell (as `AgentHost`): joins and heartbeats, the inference
/// workload, and DP releases charged durably to its budget before they leave.
extension Simulation {
    func agentTick(_ i: Int) {
        guard var a = agents[i] else { return }
        let directives = a.onTick(now: time(.agent(i)))
        agents[i] = a
        agentCarryOut(i, directives)
    }

    private func agentCarryOut(_ i: Int, _ directives: [AgentInstance.Directive]) {
        let node = SimNode.agent(i)
        for d in directives {
            guard agents[i] != nil else { return }
            switch d {
            case .send(let edge, let payload):
                var signed = false
                if case .join = payload { signed = true }
                call(from: node, to: .edge(edge), payload: payload, signed: signed, purpose: .agentExchange(i))
            case .infer(let edge, let request):
                call(from: node, to: .edge(edge), payload: .inferenceRequest(request), purpose: .agentInfer(i, cost: request.cost))
            case .contribute(let edge, let sequence):
                release(i, sequence: sequence, to: edge)
            case .wake(let at):
                wake(node, at: at)
            case .log:
                break
            }
        }
    }

    /// Release `sequence`: the pending one byte for byte, or a new one charged durably first.
    private func release(_ i: Int, sequence: UInt64, to edge: Int) {
        let node = SimNode.agent(i)
        if let pending = agentDurable[i].pending, pending.sequence == sequence {
            call(from: node, to: .edge(edge), envelope: pending.envelope, sealed: pending.sealed, purpose: .agentContribute(i, sequence: sequence))
            return
        }
        let m = RDPAccountant.Mechanism(noiseMultiplier: settings.noiseMultiplier, count: 1)
        do {
            try agentBudget[i]!.charge(m)
        } catch {
            let refusal = FairwayError(.invalidField, "privacy budget: \(error)", field: "privacy.budget_epsilon")
            if var a = agents[i] {
                let more = a.onContributionResult(.failure(refusal), now: time(node))
                agents[i] = a
                agentCarryOut(i, more)
            }
            return
        }
        // Durable before the release leaves (`PrivacyBudgetStore.charge`); the test break stores it as spending nothing.
        agentDurable[i].charges.append(settings.breaks.contains(.spendBudgetUnpersisted) ? .init(noiseMultiplier: 0, count: 0) : m)
        let contribution = syntheticContribution(sequence: sequence)
        let envelope = Envelope(messageID: newMessageID(), sender: ids[node]!, sentAt: time(node), payload: .contribution(contribution))
        let sealed = WireCodec.seal(envelope, signedBy: keys[node]!)
        agentDurable[i].releases.append((sequence, sealed, envelope, .pending))
        checker.onRelease(agent: i, m)
        stats.releases += 1
        call(from: node, to: .edge(edge), envelope: envelope, sealed: sealed, purpose: .agentContribute(i, sequence: sequence))
    }

    /// Two prototypes of dimension 16 with noisy counts, as a DP release would carry.
    private func syntheticContribution(sequence: UInt64) -> Contribution {
        func vector() -> [Double] {
            let v = (0..<16).map { _ in rng.nextUnit() * 2 - 1 }
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / max(n, 1e-9) }
        }
        let prototypes = (0..<2).map { _ in Prototype(image: vector(), text: vector(), count: 5 + rng.nextUnit() * 10) }
        return Contribution(prototypes: prototypes, mode: .multimodal, epsilon: 1, delta: 1e-6, noiseMultiplier: settings.noiseMultiplier,
                            sequence: sequence, records: 10, countSigma: 1)
    }

    func agentExchanged(_ i: Int, _ result: Result<Payload, FairwayError>) {
        guard var a = agents[i] else { return }
        let directives = a.onReply(result, now: time(.agent(i)))
        agents[i] = a
        agentCarryOut(i, directives + [.wake(at: a.nextWake(now: time(.agent(i))))])
    }

    func agentInferred(_ i: Int, cost: UInt64, _ result: Result<Payload, FairwayError>) {
        guard var a = agents[i] else { return }
        if case .success(.inferenceReply(let reply)) = result {
            stats.inferencesServed += 1
            checker.onServed(agent: i, tokens: reply.charged, durable: coordinatorDurable)
        }
        let directives = a.onInferenceReply(result, cost: cost, now: time(.agent(i)))
        agents[i] = a
        agentCarryOut(i, directives + [.wake(at: a.nextWake(now: time(.agent(i))))])
    }

    func agentContributed(_ i: Int, sequence: UInt64, _ result: Result<Payload, FairwayError>) {
        guard var a = agents[i] else { return }
        let node = SimNode.agent(i)
        let outcome: Result<ContributionReceipt, FairwayError>
        switch result {
        case .success(.contributionReceipt(let receipt)):
            if let k = agentDurable[i].releases.firstIndex(where: { $0.sequence == sequence }) {
                agentDurable[i].releases[k].state = .acknowledged(leaf: receipt.leafIndex)
                stats.contributionsAcknowledged += 1
                checker.onAcknowledged(agent: ids[node]!, messageID: agentDurable[i].releases[k].envelope.messageID.bytes, receipt: receipt, durable: coordinatorDurable)
            }
            outcome = .success(receipt)
        case .success(let other):
            outcome = .failure(FairwayError(.internal, "edge answered a contribution with \(other.kind)"))
        case .failure(let e):
            if ![.noReply, .unavailable, .inProgress, .unknownSender, .stale].contains(e.code),
               let k = agentDurable[i].releases.firstIndex(where: { $0.sequence == sequence }) {
                agentDurable[i].releases[k].state = .abandoned
            }
            outcome = .failure(e)
        }
        let directives = a.onContributionResult(outcome, now: time(node))
        agents[i] = a
        agentCarryOut(i, directives + [.wake(at: a.nextWake(now: time(node)))])
    }
}
