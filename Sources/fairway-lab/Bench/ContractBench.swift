import ArgumentParser
import ContractSolver
import FairwayCore
import Foundation

extension FairwayLab.Bench {
    /// Time to the profit-maximising contract for K = 2…10, `paper` and `exact`, each against a
    /// brute-force search over the same grid at small K.
    struct ContractBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "contract",
            abstract: "Time to the profit-maximising contract rounds (paper closed forms, exact MILP) for K = 2…10, against brute force at small K.",
            discussion: """
            Instances like paper 4's (ContractInstanceGenerator: Table II ranges, θ spread over [15, 25), Dirichlet \
            p¹ and p², N = --n, α = --alpha, β = --beta), one per K from --min-k to --max-k, seed --seed + K. \
            paper: PaperOptimiser (separable DP per chain over 0…200; median of --repeats runs after a warm-up; target \
            ≤ 10 ms at K = 10) — the rounds plus the eq. 19/24 rewards and the verifier. exact: ExactOptimiser (GLPK \
            MILP, chords of Q, then the LP at its rounds; --exact-repeats runs, --exact-time-limit-s each). \
            Brute force, for K ≤ --brute-max-k: (a) the paper optimum by enumerating every monotone tuple of every \
            chain on the full grid (the reference's exhaustive search); (b) the paper optimum by joint enumeration \
            without the decomposition on 0…--joint-grid, against the DP on the same grid; (c) the exact optimum by an LP \
            at every monotone point of 0…--exact-grid, against the MILP on the same grid. Each reports both times and \
            whether the optima agree (1e-9 relative for paper, 1e-6 for exact). Progress on stderr.
            """)

        @Option(help: "Smallest K.") var minK = 2
        @Option(help: "Largest K.") var maxK = 10
        @Option(help: "Number of ESs N.") var n = 6.0
        @Option(help: "α.") var alpha = 200.0
        @Option(help: "β.") var beta = 0.5
        @Option(help: "Base seed (instance K uses seed + K).") var seed: UInt64 = 10
        @Option(help: "Measured runs of the paper optimiser (median reported).") var repeats = 21
        @Option(help: "Measured runs of the exact optimiser (median reported).") var exactRepeats = 3
        @Option(help: "Time limit per exact MILP, seconds (0 = none).") var exactTimeLimitS = 300
        @Option(help: "Brute force up to this K.") var bruteMaxK = 3
        @Option(help: "(b) grid 0…G of the joint brute force at K = 2 (K = 3 uses G/3).") var jointGrid = 6
        @Option(help: "(c) grid 0…G of the exact brute force at K = 2 (K = 3 uses G/2).") var exactGrid = 4
        @Flag(help: "Print one JSON line per K instead of a table.") var json = false

        func validate() throws {
            guard minK >= 1, maxK >= minK, repeats > 0, exactRepeats > 0, exactTimeLimitS >= 0, jointGrid >= 1, exactGrid >= 1 else {
                throw ValidationError("need 1 ≤ --min-k ≤ --max-k, positive repeats and grids")
            }
        }

        struct Row: Codable {
            var K: Int
            var paperMilliseconds: Double
            var paperRoundsMilliseconds: Double
            var paperProfit: Double
            var paperFeasible: Bool
            var exactMilliseconds: Double
            var exactStatus: String
            var exactProfit: Double?
            var exactVariables: Int
            var brute: Brute?
        }

        struct Brute: Codable {
            var fullGridExhaustiveMilliseconds: Double
            var fullGridTuplesPerChain: Int
            var fullGridAgrees: Bool
            var jointGrid: Int
            var jointContracts: Int
            var jointMilliseconds: Double
            var dpOnJointGridMilliseconds: Double
            var jointAgrees: Bool
            var exactGrid: Int
            var exactLPs: Int
            var exactBruteMilliseconds: Double
            var milpOnExactGridMilliseconds: Double
            var exactAgrees: Bool
        }

        func run() throws {
            let clock = ContinuousClock()
            func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15 }
            func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
            func close(_ a: Double, _ b: Double, _ rel: Double) -> Bool { abs(a - b) <= rel * max(1, abs(b)) }
            let limit = exactTimeLimitS > 0 ? exactTimeLimitS * 1000 : nil
            var rows: [Row] = []
            let progress = Progress(total: maxK - minK + 1, label: "K values")
            progress.update(0)
            if !json {
                print("K   paper ms (rounds only)   exact ms   exact status   paper profit   exact profit   paper feasible")
            }
            for K in minK...maxK {
                let instance = ContractInstanceGenerator.instance(K: K, N: n, alpha: alpha, beta: beta, seed: seed + UInt64(K))
                // paper: warm-up, then medians.
                var paper = PaperOptimiser.optimise(instance)
                var times: [Double] = [], roundsTimes: [Double] = []
                for _ in 0..<repeats {
                    roundsTimes.append(ms(clock.measure { _ = PaperOptimiser.optimalRounds(instance) }))
                    times.append(ms(clock.measure { paper = PaperOptimiser.optimise(instance) }))
                }
                // exact.
                var exact: ExactOptimiser.Result?
                var exactTimes: [Double] = []
                for _ in 0..<exactRepeats {
                    exactTimes.append(ms(clock.measure { exact = ExactOptimiser.optimise(instance, timeLimitMilliseconds: limit) }))
                    if exact?.status != .optimal { break }
                }
                var row = Row(K: K, paperMilliseconds: median(times), paperRoundsMilliseconds: median(roundsTimes),
                              paperProfit: paper.profit.total, paperFeasible: paper.feasible,
                              exactMilliseconds: median(exactTimes), exactStatus: exact!.status.rawValue,
                              exactProfit: exact!.evaluation?.profit.total, exactVariables: 3 * (K + K * K), brute: nil)
                if K <= bruteMaxK {
                    var fullProfit = 0.0
                    let fullMs = ms(clock.measure {
                        let e = PaperOptimiser.optimise(instance, method: .exhaustive)
                        fullProfit = e.profit.total
                    })
                    let tuplesPerChain = MonotoneChain.allTuples(length: K, maxT: 200).count
                    let jg = K == 2 ? jointGrid : max(1, jointGrid / 3)
                    var joint: (rounds: TrainingRounds, profit: Double, evaluated: Int)?
                    let jointMs = ms(clock.measure { joint = PaperOptimiser.jointBruteForce(instance, maxRounds: jg) })
                    var dpSmall = paper
                    let dpSmallMs = ms(clock.measure { dpSmall = PaperOptimiser.optimise(instance, maxRounds: jg) })
                    let eg = K == 2 ? exactGrid : max(1, exactGrid / 2)
                    var bruteExact: (evaluation: ContractEvaluation?, evaluated: Int)?
                    let bruteExactMs = ms(clock.measure { bruteExact = ExactOptimiser.bruteForce(instance, maxRounds: eg) })
                    var milpSmall: ExactOptimiser.Result?
                    let milpSmallMs = ms(clock.measure { milpSmall = ExactOptimiser.optimise(instance, maxRounds: eg) })
                    let a = bruteExact?.evaluation?.profit.total ?? .nan, b = milpSmall?.evaluation?.profit.total ?? .nan
                    row.brute = Brute(fullGridExhaustiveMilliseconds: fullMs, fullGridTuplesPerChain: tuplesPerChain,
                                      fullGridAgrees: close(fullProfit, paper.profit.total, 1e-9),
                                      jointGrid: jg, jointContracts: joint!.evaluated, jointMilliseconds: jointMs,
                                      dpOnJointGridMilliseconds: dpSmallMs, jointAgrees: close(dpSmall.profit.total, joint!.profit, 1e-9),
                                      exactGrid: eg, exactLPs: bruteExact!.evaluated, exactBruteMilliseconds: bruteExactMs,
                                      milpOnExactGridMilliseconds: milpSmallMs, exactAgrees: close(b, a, 1e-6))
                }
                rows.append(row)
                progress.update(K - minK + 1)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    print(String(decoding: try encoder.encode(row), as: UTF8.self))
                } else {
                    print(String(format: "%-3d %9.3f (%7.3f)      %9.1f   %-12@   %12.4f   %12.4f   %@", K, row.paperMilliseconds, row.paperRoundsMilliseconds,
                                 row.exactMilliseconds, row.exactStatus as NSString, row.paperProfit, row.exactProfit ?? .nan,
                                 (row.paperFeasible ? "yes" : "no") as NSString))
                    if let b = row.brute {
                        print(String(format: "    brute force: full-grid exhaustive %.1f ms (%d tuples/chain) agrees=%@; joint 0…%d %d contracts %.1f ms vs DP %.3f ms agrees=%@; exact 0…%d %d LPs %.1f ms vs MILP %.1f ms agrees=%@",
                                     b.fullGridExhaustiveMilliseconds, b.fullGridTuplesPerChain, "\(b.fullGridAgrees)" as NSString,
                                     b.jointGrid, b.jointContracts, b.jointMilliseconds, b.dpOnJointGridMilliseconds, "\(b.jointAgrees)" as NSString,
                                     b.exactGrid, b.exactLPs, b.exactBruteMilliseconds, b.milpOnExactGridMilliseconds, "\(b.exactAgrees)" as NSString))
                    }
                }
                fflush(nil)
            }
            progress.finish()
        }
    }
}
