import CoordinatorCore
import EdgeAgentCore
import EdgeServerCore
import FairwayCore
import FairwayWire

/// A deterministic simulation of a whole Fairway cluster (FoundationDB / VOPR style): the real
/// role instances — `CoordinatorInstance`, `EdgeInstance`s and `AgentInstance`s with every
/// sub-instance — driven by a simulated network (delay, loss, duplication, reordering,
/// partitions, REQ resends with the same bytes), simulated clocks (skewed per node) and
/// simulated crashes that keep only what persist directives made durable (a crash may fall
/// before or after a commit). One seeded generator decides everything, so a seed replays the
/// same run step for step. After every step `InvariantChecker` verifies I1–I5 on the
/// simulated durable state and on what clients were told.
///
/// The shells are modelled as the real ones behave: a reply leaves only after its batch's
/// persist directives committed; durable kinds are journaled with their reply; an edge relays
/// joins with the agent's signed envelope and forwards contributions byte for byte; an agent
/// charges its privacy budget durably before a release leaves and resends a pending release
/// byte for byte.
public final class Simulation {
    public let settings: SimulationSettings
    var rng: SeededGenerator
    var queue = EventQueue()
    /// Simulated time, ms since the start.
    var now: Int64 = 0
    /// Simulated time 0 on the nodes' clocks (2026-01-01T00:00:00Z).
    static let epochBase: Int64 = 1_767_225_600_000
    public internal(set) var step = 0
    var trace: [TraceEntry] = []
    var checker: InvariantChecker
    public internal(set) var stats = SimulationStats()

    // MARK: nodes

    var keys: [SimNode: NodeKey] = [:]
    var ids: [SimNode: NodeID] = [:]
    var nodeByID: [NodeID: SimNode] = [:]
    var alive: [SimNode: Bool] = [:]
    var generation: [SimNode: Int] = [:]
    var skew: [SimNode: Int64] = [:]
    var scheduledWake: [SimNode: Int64] = [:]
    var isolated: Set<SimNode> = []
    var allNodes: [SimNode] = []

    var coordinator: CoordinatorInstance?
    var coordinatorDurable = DurableCoordinator()
    var coordinatorCache: [ReplayKey: Payload] = [:]
    var edges: [EdgeInstance?]
    var edgeDurable: [DurableEdge]
    var edgeCache: [[ReplayKey: Payload]]
    /// Each edge's coordinator calls, made one at a time as the shell's time loop awaits them;
    /// while one is out, the edge's wake-ups wait (`edgePendingWake`).
    var edgeCallQueue: [[CoordinatorCall]]
    var edgeCallBusy: [Bool]
    var edgePendingWake: [Timestamp?]
    var agents: [AgentInstance?]
    var agentDurable: [DurableAgent]
    var agentBudget: [PrivacyBudget?]
    var inProgress: [SimNode: Set<ReplayKey>] = [:]
    var calls: [UInt64: PendingCall] = [:]
    var nextCall: UInt64 = 0
    var messageCounter: UInt64 = 0
    /// ε of every agent's budget (so that `releasesPerBudget` releases fit).
    let budgetEpsilon: Double
    let coordinatorSettings: CoordinatorInstance.Settings
    let edgeSettings: EdgeInstance.Settings
    let agentSettings: AgentInstance.Settings

    /// The contract plan and modules (nil: the run has no contracts, and I4 is not exercised).
    let contracts: SimulationContracts?

    public init(settings: SimulationSettings, contracts: SimulationContracts? = nil) {
        self.contracts = contracts
        precondition(settings.edges >= 1 && settings.agents >= 1, "a simulated cluster needs an edge and an agent")
        self.settings = settings
        self.rng = SeededGenerator(seed: settings.seed)
        var c = CoordinatorInstance.Settings()
        c.membership.heartbeatIntervalMilliseconds = settings.heartbeatMilliseconds
        c.membership.suspectAfterMisses = 3
        c.membership.deadAfterMisses = 6
        c.epochMilliseconds = settings.epochMilliseconds
        c.tokens.tokensPerEpoch = settings.tokensPerEpoch
        if contracts != nil {
            c.contracts.periodEpochs = settings.contractPeriodEpochs
            c.contracts.startEpoch = 2
            c.contracts.scheme = .exact
            c.contracts.dataPath = "simulated"
        }
        c.breaks = settings.breaks
        coordinatorSettings = c
        var e = EdgeInstance.Settings()
        e.heartbeatIntervalMilliseconds = settings.heartbeatMilliseconds
        if contracts != nil {
            e.contract.dataPath = "simulated"
            e.contract.pollMilliseconds = 300
            e.contract.chunkBytes = 2048
        }
        edgeSettings = e
        var a = AgentInstance.Settings()
        a.bucketSize = settings.bucketSize
        a.heartbeatIntervalMilliseconds = settings.heartbeatMilliseconds
        a.workload.ratePerSecond = settings.inferenceRate
        a.workload.burst = 2
        a.workload.cost = 1
        a.contribute.releases = settings.releases
        a.contribute.intervalMilliseconds = settings.releaseIntervalMilliseconds
        agentSettings = a
        var accountant = RDPAccountant()
        for _ in 0..<settings.releasesPerBudget { accountant.compose(.init(noiseMultiplier: settings.noiseMultiplier, count: 1)) }
        budgetEpsilon = accountant.epsilon(delta: settings.budgetDelta).epsilon * (1 + 1e-9)
        edges = Array(repeating: nil, count: settings.edges)
        edgeDurable = Array(repeating: DurableEdge(), count: settings.edges)
        edgeCache = Array(repeating: [:], count: settings.edges)
        edgeCallQueue = Array(repeating: [], count: settings.edges)
        edgeCallBusy = Array(repeating: false, count: settings.edges)
        edgePendingWake = Array(repeating: nil, count: settings.edges)
        agents = Array(repeating: nil, count: settings.agents)
        agentDurable = Array(repeating: DurableAgent(), count: settings.agents)
        agentBudget = Array(repeating: nil, count: settings.agents)
        checker = InvariantChecker(tokensPerEpoch: settings.tokensPerEpoch, budgetEpsilon: budgetEpsilon, budgetDelta: settings.budgetDelta)

        allNodes = [.coordinator] + (0..<settings.edges).map(SimNode.edge) + (0..<settings.agents).map(SimNode.agent)
        for node in allNodes {
            var seed = [UInt8]()
            for _ in 0..<4 { withUnsafeBytes(of: rng.next()) { seed.append(contentsOf: $0) } }
            let key = try! NodeKey(privateKey: seed)
            keys[node] = key
            ids[node] = key.nodeID
            nodeByID[key.nodeID] = node
            generation[node] = 0
            alive[node] = false
        }
        checker.agentIDs = (0..<settings.agents).map { ids[.agent($0)]! }
        for node in allNodes { queue.push(.restart(node), at: Int64(rng.nextIndex(below: 50))) }
        queue.push(.faultTick, at: 1000)
    }

    // MARK: run

    /// Runs until `settings.steps` events were processed or an invariant failed.
    /// - Parameter progress: called every `every` steps with the step count.
    public func run(progressEvery every: Int = 0, progress: (Int) -> Void = { _ in }) -> SimulationResult {
        var stuckSince = (time: Int64(-1), step: 0)
        while step < settings.steps, checker.violation == nil, let (time, event) = queue.pop() {
            now = max(now, time)
            if now != stuckSince.time {
                stuckSince = (now, step)
            } else if step - stuckSince.step > Self.livelockSteps {
                checker.fail("liveness", "simulated time has not advanced for \(Self.livelockSteps) steps: a node wakes itself at once, over and over")
                break
            }
            step += 1
            handle(event)
            if every > 0, step % every == 0 { progress(step) }
        }
        return SimulationResult(seed: settings.seed, steps: step, simulatedMilliseconds: now, violation: checker.violation,
                                trace: trace.map { $0.render() }, stats: stats, checks: checker.counts)
    }

    /// Steps at one instant after which the run counts as a livelock.
    static let livelockSteps = 20_000

    func note(_ text: @escaping () -> String) {
        trace.append(TraceEntry(step: step, time: now, text: text))
        if trace.count > settings.traceLength { trace.removeFirst(trace.count - settings.traceLength) }
    }

    private func handle(_ event: SimEvent) {
        switch event {
        case .deliver(let m):
            let (from, to) = m.endpoints
            guard alive[to] == true else { return }
            if isolated.contains(from) != isolated.contains(to) {
                stats.partitionDrops += 1
                return
            }
            note { "deliver \(m.summary)" }
            deliver(m)
        case .wake(let node, let gen):
            guard alive[node] == true, generation[node] == gen, scheduledWake[node] == now else { return }
            scheduledWake[node] = nil
            note { "tick \(node)" }
            tick(node)
        case .resend(let call):
            guard let p = calls[call], alive[p.request.from] == true, generation[p.request.from] == p.generation else { return }
            stats.resends += 1
            send(.request(p.request))
            queue.push(.resend(call: call), at: now + settings.resendMilliseconds)
        case .timeout(let call):
            guard let p = calls.removeValue(forKey: call), alive[p.request.from] == true, generation[p.request.from] == p.generation else { return }
            note { "timeout of call \(call) (\(p.request.from) → \(p.request.to) \(p.request.envelope.payload.kind))" }
            complete(p, .failure(FairwayError(.noReply, "no reply within \(self.settings.requestTimeoutMilliseconds) ms")))
        case .crash(let node):
            crash(node, why: "scheduled")
        case .restart(let node):
            restart(node)
        case .partition(let nodes):
            isolated = Set(nodes)
            stats.partitions += 1
            note { "partition: \(nodes.map(\.description).joined(separator: ", ")) cut off" }
        case .heal:
            isolated = []
            note { "partition healed" }
        case .faultTick:
            drawFault()
            queue.push(.faultTick, at: now + 100)
        case .trained(let i, let gen, let order, let good):
            guard alive[.edge(i)] == true, generation[.edge(i)] == gen else { return }
            note { "edge-\(i + 1) trained round \(order.round) period \(order.period) (\(good ? "good" : "below the quality bar"))" }
            edgeTrained(i, order, good: good)
        }
    }

    // MARK: faults

    func chance(_ p: Double) -> Bool { p > 0 && rng.nextUnit() < p }

    func uniform(_ lo: Int64, _ hi: Int64) -> Int64 { lo + Int64(rng.nextIndex(below: Int(max(1, hi - lo + 1)))) }

    private func drawFault() {
        if chance(settings.crashRate / 10) {
            let node: SimNode
            if chance(settings.coordinatorCrashShare) {
                node = .coordinator
            } else {
                node = allNodes[1 + rng.nextIndex(below: allNodes.count - 1)]
            }
            if alive[node] == true { crash(node, why: "fault") }
        }
        if isolated.isEmpty, chance(settings.partitionRate / 10) {
            let choice = rng.nextIndex(below: 3)
            let nodes: [SimNode]
            switch choice {
            case 0: nodes = [.coordinator]
            case 1: nodes = [.edge(rng.nextIndex(below: settings.edges))]
            default:
                let e = rng.nextIndex(below: settings.edges)
                nodes = [.edge(e)] + (0..<settings.agents).filter { agents[$0]?.edge == e }.map(SimNode.agent)
            }
            queue.push(.partition(nodes), at: now)
            queue.push(.heal, at: now + uniform(200, 4000))
        }
    }

    /// The node loses everything not durable: its instance, caches, calls in flight.
    func crash(_ node: SimNode, why: String) {
        guard alive[node] == true else { return }
        note { "CRASH \(node) (\(why))" }
        stats.crashes += 1
        alive[node] = false
        generation[node]! += 1
        scheduledWake[node] = nil
        inProgress[node] = nil
        for (id, p) in calls where p.request.from == node { calls[id] = nil }
        switch node {
        case .coordinator:
            coordinator = nil
            coordinatorCache = [:]
        case .edge(let i):
            edges[i] = nil
            edgeCache[i] = [:]
            edgeCallQueue[i] = []
            edgeCallBusy[i] = false
            edgePendingWake[i] = nil
        case .agent(let i):
            agents[i] = nil
            agentBudget[i] = nil
        }
        queue.push(.restart(node), at: now + uniform(settings.minDownMilliseconds, settings.maxDownMilliseconds))
    }

    private func restart(_ node: SimNode) {
        guard alive[node] != true else { return }
        skew[node] = uniform(-settings.maxSkewMilliseconds, settings.maxSkewMilliseconds)
        let key = keys[node]!
        let t = time(node)
        switch node {
        case .coordinator:
            let restored: CoordinatorInstance.Restored
            do { restored = try coordinatorDurable.restored() } catch {
                checker.fail("I3", "the coordinator cannot restart from its durable state: \(error)")
                return
            }
            coordinator = CoordinatorInstance(settings: coordinatorSettings, identity: NodeIdentity(id: key.nodeID, publicKey: key.publicKey, name: "coordinator"),
                                              restored: restored, contractPlan: contracts?.plan, now: t)
            checker.onCoordinatorRestarted(durable: coordinatorDurable)
        case .edge(let i):
            var edgeSettings = edgeSettings
            edgeSettings.contract.seed = UInt64(i)
            var e = EdgeInstance(settings: edgeSettings, identity: NodeIdentity(id: key.nodeID, publicKey: key.publicKey, name: node.description, address: "sim://\(node)"),
                                 restoredLeases: edgeDurable[i].restoredLeases, draining: edgeDurable[i].draining)
            let ds = e.onStart()
            edgeDurable[i].apply(ds)
            edges[i] = e
        case .agent(let i):
            agents[i] = AgentInstance(id: key.nodeID, name: node.description, publicKey: key.publicKey, settings: agentSettings,
                                      edges: (0..<settings.edges).map { "sim://edge-\($0 + 1)" }, firstEdge: i % settings.edges,
                                      acknowledgedReleases: agentDurable[i].finished)
            agentBudget[i] = PrivacyBudget(epsilon: budgetEpsilon, delta: settings.budgetDelta, charged: agentDurable[i].charges)
        }
        alive[node] = true
        note { "restart \(node)" }
        tick(node)
    }

    // MARK: time and network

    /// The node's clock: simulated time plus its skew.
    func time(_ node: SimNode) -> Timestamp { Timestamp(unixMilliseconds: Self.epochBase + now + (skew[node] ?? 0)) }

    /// Schedules the node's next `onTick` at `at` on its clock (keeping an earlier one).
    func wake(_ node: SimNode, at: Timestamp) {
        if case .edge(let i) = node, edgeCallBusy[i] || !edgeCallQueue[i].isEmpty {
            edgePendingWake[i] = min(edgePendingWake[i] ?? at, at)
            return
        }
        let t = max(now, at.unixMilliseconds - Self.epochBase - (skew[node] ?? 0))
        if let s = scheduledWake[node], s <= t { return }
        scheduledWake[node] = t
        queue.push(.wake(node, generation: generation[node]!), at: t)
    }

    func send(_ m: SimMessage) {
        stats.messages += 1
        if chance(settings.lossRate) {
            stats.lost += 1
            return
        }
        queue.push(.deliver(m), at: now + uniform(settings.minDelayMilliseconds, settings.maxDelayMilliseconds))
        if chance(settings.duplicateRate) {
            stats.duplicated += 1
            queue.push(.deliver(m), at: now + uniform(settings.minDelayMilliseconds, settings.maxDelayMilliseconds * 2))
        }
    }

    func newMessageID() -> MessageID {
        messageCounter += 1
        var b = [UInt8]()
        withUnsafeBytes(of: settings.seed.bigEndian) { b.append(contentsOf: $0) }
        withUnsafeBytes(of: messageCounter.bigEndian) { b.append(contentsOf: $0) }
        return try! MessageID(bytes: b)
    }

    /// Sends a request from `from` and awaits its reply (resends, then `no-reply`).
    func call(from: SimNode, to: SimNode, envelope: Envelope, sealed: [UInt8] = [], purpose: PendingCall.Purpose) {
        nextCall += 1
        let r = SimRequest(call: nextCall, from: from, to: to, envelope: envelope, sealed: sealed)
        calls[nextCall] = PendingCall(request: r, generation: generation[from]!, purpose: purpose)
        send(.request(r))
        queue.push(.resend(call: nextCall), at: now + settings.resendMilliseconds)
        queue.push(.timeout(call: nextCall), at: now + settings.requestTimeoutMilliseconds)
    }

    func call(from: SimNode, to: SimNode, payload: Payload, signed: Bool = false, purpose: PendingCall.Purpose) {
        let envelope = Envelope(messageID: newMessageID(), sender: ids[from]!, sentAt: time(from), payload: payload)
        call(from: from, to: to, envelope: envelope, sealed: signed ? WireCodec.seal(envelope, signedBy: keys[from]!) : [], purpose: purpose)
    }

    func reply(to r: SimRequest, _ payload: Payload) {
        send(.reply(call: r.call, to: r.from, from: r.to, payload))
    }

    private func deliver(_ m: SimMessage) {
        switch m {
        case .request(let r):
            switch r.to {
            case .coordinator: coordinatorHandle(r)
            case .edge(let i): edgeHandle(i, r)
            case .agent: break
            }
        case .reply(let call, let to, _, let payload):
            guard let p = calls[call], generation[to] == p.generation else { return }
            calls[call] = nil
            if case .error(let e) = payload { complete(p, .failure(e)) } else { complete(p, .success(payload)) }
        case .announcement(let a, let from, let to):
            guard case .edge(let i) = to, var e = edges[i] else { return }
            let trusted = e.onEpochAnnouncement(a, from: from)
            edges[i] = e
            if trusted { tick(to) }
        }
    }

    private func tick(_ node: SimNode) {
        switch node {
        case .coordinator: coordinatorTick()
        case .edge(let i): edgeTick(i)
        case .agent(let i): agentTick(i)
        }
    }

    private func complete(_ p: PendingCall, _ result: Result<Payload, FairwayError>) {
        switch p.purpose {
        case .agentExchange(let i): agentExchanged(i, result)
        case .agentInfer(let i, let cost): agentInferred(i, cost: cost, result)
        case .agentContribute(let i, let sequence): agentContributed(i, sequence: sequence, result)
        case .edgeLink(let i, let id): edgeLinkResult(i, id: id, result)
        case .edgeRelayJoin(let i, let agent, let join): edgeJoinRelayed(i, agent: agent, join: join, result)
        case .edgeForward(let i, let agent): edgeContributionForwarded(i, agent: agent, result)
        case .edgeOffload(let i, let agent): edgeOffloaded(i, agent: agent, result)
        }
    }
}
