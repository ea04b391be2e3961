import FairwayCore
import Foundation

/// One seeded pseudo-random generator (SplitMix64): the same seed gives the same sequence on
/// every machine, so a chaos run's schedule is replayable from its seed alone.
struct ChaosRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A process of the chaos cluster, by role and number.
enum ChaosNode: Hashable, Sendable, Comparable, CustomStringConvertible {
    case coordinator
    /// Edge server `edge-N`, N from 1.
    case edge(Int)
    /// Agent process `agents-N`, N from 1.
    case agents(Int)
    /// The harness's own clients (fairwayctl), in their own namespace.
    case client

    var description: String {
        switch self {
        case .coordinator: "coordinator"
        case .edge(let n): "edge-\(n)"
        case .agents(let n): "agents-\(n)"
        case .client: "client"
        }
    }

    /// Short name for the node's network namespace `fwc-<pid>-<short>` (≤ 15 bytes in all).
    var short: String {
        switch self {
        case .coordinator: "co"
        case .edge(let n): "e\(n)"
        case .agents(let n): "a\(n)"
        case .client: "cl"
        }
    }

    private var rank: Int {
        switch self {
        case .coordinator: 0
        case .edge(let n): 100 + n
        case .agents(let n): 200 + n
        case .client: 300
        }
    }

    static func < (a: ChaosNode, b: ChaosNode) -> Bool { a.rank < b.rank }
}

/// A fault the schedule injects.
enum ChaosFault: Hashable, Sendable, CustomStringConvertible {
    /// `kill -9` the node's process, restart it with the same data directory after `downMilliseconds`.
    case crash(ChaosNode, downMilliseconds: Int)
    /// SIGSTOP the process, SIGCONT after `milliseconds`.
    case pause(ChaosNode, milliseconds: Int)
    /// Drop every packet to and from the node (iptables in its namespace), heal after `milliseconds`.
    case isolate(ChaosNode, milliseconds: Int)
    /// Drop every packet between the edge servers and the coordinator, heal after `milliseconds`.
    case splitEdges(milliseconds: Int)

    /// Kind name, as counted in the summary (`kill`, `pause`, `isolate`, `split`).
    var kind: String {
        switch self {
        case .crash: "kill"
        case .pause: "pause"
        case .isolate: "isolate"
        case .splitEdges: "split"
        }
    }

    /// Whether it needs network namespaces.
    var isPartition: Bool { kind == "isolate" || kind == "split" }

    /// How long the fault lasts, milliseconds.
    var milliseconds: Int {
        switch self {
        case .crash(_, let ms), .pause(_, let ms), .isolate(_, let ms), .splitEdges(let ms): ms
        }
    }

    var description: String {
        switch self {
        case .crash(let n, let ms): "kill -9 \(n), restart after \(ms) ms"
        case .pause(let n, let ms): "SIGSTOP \(n) for \(ms) ms"
        case .isolate(let n, let ms): "isolate \(n) for \(ms) ms"
        case .splitEdges(let ms): "split edges from coordinator for \(ms) ms"
        }
    }
}

/// A fault at an offset from the start of the chaos phase.
struct ScheduledFault: Hashable, Sendable {
    /// Milliseconds after the chaos phase starts.
    var atMilliseconds: Int
    var fault: ChaosFault
}

/// The seeded schedule of faults of a run: one fault at a time (each heals before the next
/// starts), gaps of 1.5–4 s between them, none in the last `quietMilliseconds` of the run. The
/// first faults cover, in a seeded order, every kind the recovery figures need — a kill of the
/// coordinator, of an edge and of an agent process, a pause, and with namespaces an isolated
/// edge and an edge/coordinator split — the rest are drawn at random.
enum ChaosSchedule {
    /// Builds the schedule for a run of `durationMilliseconds` (the chaos phase).
    /// - Parameters:
    ///   - partitions: false with `--no-netns` (no isolate/split faults).
    ///   - breaks: biases the mix so a deliberate break can show (see `docs/reliability-chaos.md`).
    static func make(seed: UInt64, durationMilliseconds: Int, edges: Int, agentProcesses: Int, partitions: Bool,
                     breaks: Set<TestBreak>, quietMilliseconds: Int = 3000) -> [ScheduledFault] {
        var rng = ChaosRandom(seed: seed)
        var out: [ScheduledFault] = []
        var t = Int.random(in: 2000...3500, using: &rng)
        let end = durationMilliseconds - quietMilliseconds
        func anyNode() -> ChaosNode {
            let pick = Int.random(in: 0..<(1 + edges + agentProcesses), using: &rng)
            if pick == 0 { return .coordinator }
            if pick <= edges { return .edge(pick) }
            return .agents(pick - edges)
        }
        var cover: [ChaosFault] = [
            .crash(.coordinator, downMilliseconds: Int.random(in: 300...1500, using: &rng)),
            .crash(.edge(Int.random(in: 1...edges, using: &rng)), downMilliseconds: Int.random(in: 1000...2500, using: &rng)),
            .crash(.agents(Int.random(in: 1...agentProcesses, using: &rng)), downMilliseconds: Int.random(in: 300...1500, using: &rng)),
            .pause(anyNode(), milliseconds: Int.random(in: 1000...3000, using: &rng)),
        ]
        if partitions {
            cover += [.isolate(.edge(Int.random(in: 1...edges, using: &rng)), milliseconds: Int.random(in: 2000...5000, using: &rng)),
                      .splitEdges(milliseconds: Int.random(in: 2000...5000, using: &rng))]
        }
        cover.shuffle(using: &rng)
        while true {
            if !cover.isEmpty {
                let fault = cover.removeFirst()
                guard t + fault.milliseconds <= end else { break }
                out.append(ScheduledFault(atMilliseconds: t, fault: fault))
                t += fault.milliseconds + Int.random(in: 1500...4000, using: &rng)
                continue
            }
            var weights: [(String, Int)] = [("crash", 4), ("pause", 2)]
            if partitions { weights += [("isolate", 2), ("split", 1)] }
            if breaks.contains(.ackBeforeDurable) { weights.append(("crash-coordinator", 8)) }
            if breaks.contains(.spendBudgetUnpersisted) { weights.append(("crash-agents", 6)) }
            if breaks.contains(.payBeforeIntegration) { weights.append(("long-pause-edge", 6)) }
            let total = weights.map(\.1).reduce(0, +)
            var r = Int.random(in: 0..<total, using: &rng)
            var choice = weights[0].0
            for (name, w) in weights {
                if r < w { choice = name; break }
                r -= w
            }
            let fault: ChaosFault
            switch choice {
            case "crash": fault = .crash(anyNode(), downMilliseconds: Int.random(in: 300...2500, using: &rng))
            case "pause": fault = .pause(anyNode(), milliseconds: Int.random(in: 1000...3000, using: &rng))
            case "isolate": fault = .isolate(anyNode(), milliseconds: Int.random(in: 2000...5000, using: &rng))
            case "split": fault = .splitEdges(milliseconds: Int.random(in: 2000...5000, using: &rng))
            case "crash-coordinator": fault = .crash(.coordinator, downMilliseconds: Int.random(in: 200...800, using: &rng))
            case "crash-agents": fault = .crash(.agents(Int.random(in: 1...agentProcesses, using: &rng)), downMilliseconds: Int.random(in: 200...800, using: &rng))
            default: fault = .pause(.edge(Int.random(in: 1...edges, using: &rng)), milliseconds: Int.random(in: 6000...9000, using: &rng))
            }
            guard t + fault.milliseconds <= end else { break }
            out.append(ScheduledFault(atMilliseconds: t, fault: fault))
            t += fault.milliseconds + Int.random(in: 1500...4000, using: &rng)
        }
        return out
    }
}
