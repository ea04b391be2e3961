import ArgumentParser
import ContractSolver
import FairwayCore
import Foundation

extension FairwayLab {
    /// `fairway-lab contract --input FILE`: paper 4's two-period contract for one instance —
    /// the printed closed forms (`paper`), the verified minimum-cost contract (`exact`) and the
    /// static baseline — at the profit-maximising integer rounds, or at the rounds given.
    struct Contract: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Two-period dynamic contract (paper 4): eq. 19/24 rewards, exact minimum-cost rewards, static baseline; as JSON.",
            discussion: """
            Input: an entry of contracts.json `instances`: {"K", "N", "beta", "alpha", "sigma", "E_C", "c", "E", \
            "theta1": [K], "theta2": [K], "p1": [K], "p2": [K][K]}; extra keys are ignored. Optional "T1": [K] and \
            "T2": [K][K] fix the training rounds; otherwise each scheme uses its own profit-maximising integer rounds \
            (0…--max-rounds, T1 nondecreasing in k, every menu T2[k] nondecreasing in j).
            Output: {"paper": S, "exact": S, "static": S} with S = {"T1", "T2", "R1", "R2", \
            "profit": {"U1", "U2", "total"}, "constraints": {FAMILY: {"min_slack", "n_violated"}}, "feasible"}. \
            `paper`: eqs. 19 and 24 exactly as printed (separable DP over the grid). `exact`: all rewards minimise the \
            expected payment subject to eqs. 13, 14, 20, 21 (GLPK LP), rounds by an exact MILP (GLPK). `static`: the \
            β = 0 contract (profit.total = U1, the one-stage static profit) with per-menu myopic period-2 items; its \
            constraints and "profit_at_beta" are evaluated at the instance's β. `feasible`: every constraint of \
            IR1_eq20, IR2_eq13, IC2_eq14, IIC_eq21 holds (tolerance 1e-9 relative, floor 1). \
            --random-draws adds "random": the random contract scheme (section VI-A) priced both ways.
            Bad input: the field on stderr, exit status 2.
            """)

        @Option(help: "The instance JSON file, or - for standard input.") var input: String
        @Option(help: "Largest number of training rounds on the grid.") var maxRounds = 200
        @Option(help: "Time limit of the exact MILP in milliseconds (0 = none).") var timeLimitMs = 0
        @Option(help: "Draws of the random contract scheme to add as \"random\" (0 = none).") var randomDraws = 0
        @Option(help: "Seed of the random contract draws.") var seed: UInt64 = 20250101

        func validate() throws {
            guard maxRounds >= 0 else { throw ValidationError("--max-rounds must be non-negative") }
            guard timeLimitMs >= 0, randomDraws >= 0 else { throw ValidationError("--time-limit-ms and --random-draws must be non-negative") }
        }

        func run() throws {
            let parsed = try ContractInput.read(from: input)
            let instance = parsed.instance
            var out = JSONObjectWriter()
            if let rounds = parsed.rounds {
                out.raw("paper", Self.scheme(ContractEvaluation(instance, PaperRewards.terms(instance, rounds))))
                out.raw("exact", Self.scheme(MinimumCostRewards.evaluate(instance, rounds), rounds: rounds, status: "infeasible"))
                let myopic = instance.with(beta: 0)
                let terms = PaperRewards.terms(myopic, rounds)
                out.raw("static", Self.staticScheme(ContractEvaluation(myopic, terms), ContractEvaluation(instance, terms)))
            } else {
                out.raw("paper", Self.scheme(PaperOptimiser.optimise(instance, maxRounds: maxRounds)))
                let exact = ExactOptimiser.optimise(instance, maxRounds: maxRounds, timeLimitMilliseconds: timeLimitMs > 0 ? timeLimitMs : nil)
                if let e = exact.evaluation {
                    // A time-limited search says so.
                    out.raw("exact", Self.scheme(e, extra: exact.status == .optimal ? [] : [("status", "\"\(exact.status.rawValue)\"")]))
                } else {
                    out.raw("exact", Self.scheme(nil, rounds: nil, status: exact.status.rawValue))
                }
                let s0 = StaticContract(instance, maxRounds: maxRounds)
                out.raw("static", Self.staticScheme(s0.oneStage, s0.twice))
            }
            if randomDraws > 0 {
                let draws = RandomContract.draws(K: instance.K, count: randomDraws, maxRounds: maxRounds, seed: seed)
                var r = JSONObjectWriter()
                r.raw("draws", "\(randomDraws)")
                r.raw("seed", "\(seed)")
                r.raw("paper", Self.summary(RandomContract.paper(instance, draws: draws)))
                r.raw("exact", Self.summary(ExactOptimiser.random(instance, draws: draws)))
                out.raw("random", r.text)
            }
            print(out.text)
        }

        /// A scheme's contract: rounds, rewards, profit, constraint families (of `checked`, default the
        /// same evaluation) and feasibility, then any `extra` fields.
        static func scheme(_ e: ContractEvaluation, checked: ContractEvaluation? = nil, extra: [(String, String)] = []) -> String {
            let checked = checked ?? e
            var o = JSONObjectWriter()
            o.raw("T1", json(e.terms.T1.map(Double.init)))
            o.raw("T2", "[" + e.terms.T2.map { json($0.map(Double.init)) }.joined(separator: ",") + "]")
            o.raw("R1", json(e.terms.R1))
            o.raw("R2", "[" + e.terms.R2.map { json($0) }.joined(separator: ",") + "]")
            o.raw("profit", profit(e.profit))
            o.raw("constraints", constraints(checked.constraints))
            o.raw("feasible", checked.feasible ? "true" : "false")
            for (key, value) in extra { o.raw(key, value) }
            return o.text
        }

        static func profit(_ p: CloudProfit) -> String {
            var o = JSONObjectWriter()
            o.raw("U1", json(p.U1))
            o.raw("U2", json(p.U2))
            o.raw("total", json(p.total))
            return o.text
        }

        /// An evaluation, or (no rewards satisfy the constraints) the rounds with null rewards.
        static func scheme(_ e: ContractEvaluation?, rounds: TrainingRounds?, status: String) -> String {
            if let e { return scheme(e) }
            var o = JSONObjectWriter()
            o.raw("T1", rounds.map { json($0.T1.map(Double.init)) } ?? "null")
            o.raw("T2", rounds.map { "[" + $0.T2.map { json($0.map(Double.init)) }.joined(separator: ",") + "]" } ?? "null")
            for key in ["R1", "R2", "profit", "constraints"] { o.raw(key, "null") }
            o.raw("feasible", "false")
            o.raw("status", "\"\(status)\"")
            return o.text
        }

        /// The static contract: profit of the one-stage (β = 0) reading; constraints, feasibility and
        /// "profit_at_beta" of the static contract run twice at the instance's β.
        static func staticScheme(_ oneStage: ContractEvaluation, _ atBeta: ContractEvaluation) -> String {
            scheme(oneStage, checked: atBeta, extra: [("profit_at_beta", profit(atBeta.profit))])
        }

        static func constraints(_ c: ContractConstraints) -> String {
            var o = JSONObjectWriter()
            for f in c.families {
                o.raw(f.name, "{\"min_slack\":\(f.minSlack.map { json($0) } ?? "null"),\"n_violated\":\(f.violated)}")
            }
            return o.text
        }

        static func summary(_ s: RandomContract.Summary) -> String {
            var o = JSONObjectWriter()
            o.raw("priced", "\(s.priced)")
            o.raw("feasible", "\(s.feasible)")
            o.raw("mean_profit", json(s.meanProfit))
            o.raw("std_profit", json(s.stdProfit))
            return o.text
        }
    }
}

/// A JSON object built in key order (numbers at full round-trip precision, non-finite as null).
struct JSONObjectWriter {
    private var fields: [String] = []
    mutating func raw(_ key: String, _ value: String) { fields.append("\"\(key)\":\(value)") }
    var text: String { "{" + fields.joined(separator: ",") + "}" }
}

func json(_ x: Double) -> String {
    guard x.isFinite else { return "null" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return "\(x)"
}

func json(_ xs: [Double]) -> String { "[" + xs.map { json($0) }.joined(separator: ",") + "]" }
