import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab {
    /// `fairway-lab allocate --input FILE`: every Fair-Synergy allocator on every instance.
    struct Allocate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fair-Synergy cloud allocation (paper 3): exact RTI and DL solvers and the paper's baselines, as JSON.",
            discussion: """
            Input: {"rti": [{"name", "P", "rho0": [N], "gamma": [N]}], "dl": [{"name", "P", "T", "rho0", "alpha0", \
            "g_rho", "g_alpha"}]} (the format of the reference fair-synergy.json; either list may be absent, extra keys \
            are ignored). Output, one line: {"rti": [{"name", "allocators": {NAME: {"alloc", "utilities", \
            "total_utility", "total_utility_capped", "mean_utility", "min_utility"}}}], "dl": [{"name", "allocators": \
            {NAME: {"rho", "alpha", "utilities", "total_utility", ...}}}]}.
            RTI allocators: fair-synergy (exact KKT water-filling; also "multiplier_lambda"), uniform, random, num, drf, \
            leximin. DL allocators: fair-synergy (alternate convex search from alpha = 0 to max|d alpha| < 1e-14; \
            "iterations", "converged"), fair-synergy-one-pass (the public code's single alternation), \
            fair-synergy-multistart (best converged ACS over many starts), fair-synergy-from-uniform (converged ACS from \
            alpha = T/N), uniform, random, num, drf, leximin. Utilities are eq. 3 / eq. 7 with the true exponents; \
            "total_utility" is uncapped as in the paper, "total_utility_capped" caps each accuracy at 1. \
            Definitions: docs/fair-synergy.md. Bad input: the field on stderr, exit status 2.
            """)

        @Option(help: "The instances JSON file, or - for standard input.") var input: String
        @Option(help: "Seed of the random allocator (instance k uses seed + k).") var seed: UInt64 = 1

        func run() throws {
            let parsed = try AllocationInput.read(from: input)
            let rti = parsed.rti.enumerated().map { k, entry in
                var generator = SeededGenerator(seed: seed &+ UInt64(k))
                var allocators = JSONObjectWriter()
                for a in CloudAllocator.inference {
                    let x = a.allocate(entry.problem, generator: &generator)
                    var extra: [(String, String)] = []
                    if a == .fairSynergy, let lambda = FairSynergyInference.allocate(entry.problem).multiplier {
                        extra.append(("multiplier_lambda", json(lambda)))
                    }
                    allocators.raw(a.rawValue, Self.inferenceReport(entry.problem, x, extra))
                }
                var o = JSONObjectWriter()
                o.raw("name", jsonString(entry.name))
                o.raw("allocators", allocators.text)
                return o.text
            }
            let dl = parsed.dl.enumerated().map { k, entry in
                var generator = SeededGenerator(seed: seed &+ UInt64(parsed.rti.count + k))
                var allocators = JSONObjectWriter()
                let p = entry.problem
                for a in CloudAllocator.training {
                    switch a {
                    case .fairSynergy, .fairSynergyOnePass:
                        let r = AlternateConvexSearch.run(p, onePass: a == .fairSynergyOnePass)
                        allocators.raw(a.rawValue, Self.trainingReport(p, r.rho, r.alpha, Self.acsExtras(r)))
                    case .fairSynergyMultiStart:
                        let r = AlternateConvexSearch.multiStart(p)
                        allocators.raw(a.rawValue, Self.trainingReport(p, r.rho, r.alpha, Self.acsExtras(r)))
                    default:
                        let (rho, alpha) = a.allocate(p, generator: &generator)
                        allocators.raw(a.rawValue, Self.trainingReport(p, rho, alpha, []))
                    }
                }
                let uniformStart = AlternateConvexSearch.run(p, startAlpha: UniformShares.shares(count: p.count, budget: p.labellingBudget))
                allocators.raw("fair-synergy-from-uniform", Self.trainingReport(p, uniformStart.rho, uniformStart.alpha, Self.acsExtras(uniformStart)))
                var o = JSONObjectWriter()
                o.raw("name", jsonString(entry.name))
                o.raw("jointly_concave", p.jointlyConcave ? "true" : "false")
                o.raw("allocators", allocators.text)
                return o.text
            }
            var out = JSONObjectWriter()
            out.raw("rti", "[" + rti.joined(separator: ",") + "]")
            out.raw("dl", "[" + dl.joined(separator: ",") + "]")
            print(out.text)
        }

        static func acsExtras(_ r: AlternateConvexSearch.Result) -> [(String, String)] {
            [("iterations", "\(r.iterations)"), ("converged", r.converged ? "true" : "false")]
        }

        static func inferenceReport(_ p: InferenceAllocationProblem, _ x: [Double], _ extra: [(String, String)]) -> String {
            var o = JSONObjectWriter()
            o.raw("alloc", json(x))
            utilityFields(&o, p.utilities(x))
            o.raw("sum_alloc", json(x.reduce(0, +)))
            for (k, v) in extra { o.raw(k, v) }
            return o.text
        }

        static func trainingReport(_ p: TrainingAllocationProblem, _ rho: [Double], _ alpha: [Double], _ extra: [(String, String)]) -> String {
            var o = JSONObjectWriter()
            o.raw("rho", json(rho))
            o.raw("alpha", json(alpha))
            utilityFields(&o, p.utilities(rho: rho, alpha: alpha))
            o.raw("sum_rho", json(rho.reduce(0, +)))
            o.raw("sum_alpha", json(alpha.reduce(0, +)))
            for (k, v) in extra { o.raw(k, v) }
            return o.text
        }

        static func utilityFields(_ o: inout JSONObjectWriter, _ u: UtilityReport) {
            o.raw("utilities", json(u.utilities))
            o.raw("total_utility", json(u.total))
            o.raw("total_utility_capped", json(u.totalCapped))
            o.raw("mean_utility", json(u.mean))
            o.raw("min_utility", json(u.minimum))
        }
    }
}

func jsonString(_ s: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
    let text = String(decoding: data, as: UTF8.self)
    return String(text.dropFirst().dropLast())
}
