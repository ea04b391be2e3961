import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab.Bench {
    /// Time per Fair-Synergy solve — exact RTI water-filling and converged DL alternate convex
    /// search — against the paper's CVXPY formulation run as a child process in the same bench.
    struct AllocateBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "allocate",
            abstract: "Fair-Synergy solve times (exact RTI at N = 100…1e5, converged DL ACS at N = 1000) against CVXPY in the same run.",
            discussion: """
            Instances: the reference's generators (fair-synergy.json; RTI P = sum of N uniforms, rho0 = U/10, \
            gamma = U; DL T, P = sums of N uniforms, alpha0, rho0 = U/100, g_alpha, g_rho = U) on SeededGenerator, \
            --instances per size, instance k of size N seeded --seed + 2^20·N + k. Ours: FairSynergyInference.allocate \
            (RTI) and AlternateConvexSearch.run (DL, converged from alpha = 0; also the one-pass variant), one \
            untimed warm-up, then every solve timed alone (--repeats per instance); median and p90 per solve. \
            Targets: RTI N = 1000 median ≤ 1 ms, N = 1e5 median ≤ 100 ms. Checks: Σρ − P and the KKT spread (relative \
            spread of the marginal utilities γ(ρ⁰+ρ)^(γ−1) over the agents served, and the largest marginal at 0 of an \
            unserved agent above them). \
            CVXPY anchor: `python3 --cvxpy-script` (default scripts/fair_synergy_cvxpy.py, relative to the current \
            directory) reads the first --cvxpy-instances instances of every size ≤ --cvxpy-max-n (and \
            --cvxpy-dl-instances DL instances, solved by the public code's single alternation of two CVXPY problems) \
            as JSON on stdin, once per formulation in --cvxpy-formulations, and prints its per-instance wall and \
            solver times and allocations; the bench reports the time ratio CVXPY / ours on the same instances, the \
            largest |Δρ| and the relative utility difference (ours − CVXPY) / ours, CVXPY's allocation evaluated with the \
            true utility after clipping at 0 (and what the clipped allocation spends beyond the budget, and CVXPY's most \
            negative entry: a negative difference means CVXPY's answer is infeasible, not better). If `python3 -c "import cvxpy"` fails, the CVXPY columns are skipped. \
            --quick: 3 instances, fewer repeats, CVXPY only at N = 100 with the vectorised formulation. Progress on stderr.
            """)

        @Flag(help: "A short run (CI): fewer instances and repeats, CVXPY only at N = 100.") var quick = false
        @Option(help: "RTI sizes N, comma-separated.") var rtiSizes = "100,1000,100000"
        @Option(help: "DL size N (0 = skip DL).") var dlSize = 1000
        @Option(help: "Instances per size (default 10; --quick 3).") var instances: Int?
        @Option(help: "Timed solves per RTI instance (default 20 for N ≤ 1000, 5 above; --quick 5 and 2).") var repeats: Int?
        @Option(help: "Timed solves per DL instance (default 3; --quick 1).") var dlRepeats: Int?
        @Option(help: "Base seed.") var seed: UInt64 = 11
        @Option(help: "The CVXPY script.") var cvxpyScript = "scripts/fair_synergy_cvxpy.py"
        @Option(help: "Python interpreter for the CVXPY script.") var python = "python3"
        @Option(help: "Largest N given to CVXPY (default 1000; --quick 100).") var cvxpyMaxN: Int?
        @Option(help: "RTI instances per size given to CVXPY (default 3; --quick 1).") var cvxpyInstances: Int?
        @Option(help: "DL instances given to CVXPY (default 1; --quick 0).") var cvxpyDlInstances: Int?
        @Option(help: "CVXPY formulations, comma-separated: power (one cp.power per agent, the paper's), powcone (vectorised), power-approx (default: power,powcone; --quick powcone).")
        var cvxpyFormulations: String?
        @Option(help: "Also write the instances given to CVXPY (fair-synergy.json format) to this file.") var cvxpyInputOut: String?

        func validate() throws {
            guard (try? ExperimentSupport.list(rtiSizes, "--rti-sizes") as [Int])?.allSatisfy({ $0 > 0 }) == true else {
                throw ValidationError("--rti-sizes: positive integers, comma-separated")
            }
            guard dlSize >= 0, (instances ?? 1) > 0, (repeats ?? 1) > 0, (dlRepeats ?? 1) > 0, (cvxpyInstances ?? 0) >= 0, (cvxpyDlInstances ?? 0) >= 0 else {
                throw ValidationError("sizes, instances and repeats must be positive")
            }
        }

        /// What we measured at one size.
        struct OurRow {
            var problem: String
            var agents: Int
            var instances: Int
            var repeats: Int
            var stats: LatencyStats
            /// Median per-solve time per instance, microseconds.
            var perInstanceMedian: [Double]
            var budgetError: Double
            var kktSpread: Double
            var kktOffSupport: Double
            var iterations: [Int] = []
            var converged = 0
            var target: Double?
        }

        /// One CVXPY result set on the instances of one size.
        struct CvxpyRow {
            var formulation: String
            var problem: String
            var agents: Int
            var solved: Int
            var attempted: Int
            var statuses: [String]
            var wallMs: [Double]
            var solverMs: [Double]
            var oursMs: [Double]
            var maxAllocationDiff: Double
            var maxRelUtilityDiff: Double
            var minRelUtilityDiff: Double
            /// Σ max(0, x) − budget: what CVXPY's allocation spends once clipped at 0 (as evaluated).
            var maxBudgetExcess: Double
            /// The most negative entry CVXPY returned.
            var minEntry: Double
        }

        func run() throws {
            let sizes: [Int] = try ExperimentSupport.list(rtiSizes, "--rti-sizes")
            let nInstances = instances ?? (quick ? 3 : 10)
            let dlReps = dlRepeats ?? (quick ? 1 : 3)
            let maxN = cvxpyMaxN ?? (quick ? 100 : 1000)
            let cvxInstances = cvxpyInstances ?? (quick ? 1 : 3)
            let cvxDl = cvxpyDlInstances ?? (quick ? 0 : 1)
            let formulations = (cvxpyFormulations ?? (quick ? "powcone" : "power,powcone")).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            func reps(_ n: Int) -> Int { repeats ?? (quick ? (n <= 1000 ? 5 : 2) : (n <= 1000 ? 20 : 5)) }
            func rtiSeed(_ n: Int, _ k: Int) -> UInt64 { seed &+ (UInt64(n) << 20) &+ UInt64(k) }
            let clock = ContinuousClock()

            let work = sizes.reduce(0) { $0 + nInstances * (reps($1) + 1) } + (dlSize > 0 ? nInstances * (dlReps + 1) : 0)
            let progress = Progress(total: work, label: "solves (ours)")
            var done = 0
            var checksum = 0.0
            var rtiProblems: [Int: [InferenceAllocationProblem]] = [:]
            var ours: [OurRow] = []

            for n in sizes {
                let problems = (0..<nInstances).map { FairSynergyGenerators.inference(agents: n, seed: rtiSeed(n, $0)) }
                rtiProblems[n] = problems
                var stats = LatencyStats()
                var perInstance: [Double] = []
                var budgetError = 0.0, spread = 0.0, offSupport = 0.0
                for p in problems {
                    let x = FairSynergyInference.allocate(p).x  // warm-up, and the allocation checked
                    budgetError = max(budgetError, abs(x.reduce(0, +) - p.budget) / p.budget)
                    let kkt = Self.kkt(p, x)
                    spread = max(spread, kkt.spread)
                    offSupport = max(offSupport, kkt.offSupport)
                    done += 1
                    var mine = LatencyStats()
                    for _ in 0..<reps(n) {
                        var sol: PowerWaterFilling.Solution?
                        let t = clock.measure { sol = FairSynergyInference.allocate(p) }
                        checksum += sol!.x[0]
                        mine.add(t)
                        done += 1
                        progress.update(done)
                    }
                    stats.append(contentsOf: mine)
                    perInstance.append(mine.quantile(0.5))
                }
                let target: Double? = n == 1000 ? 1 : n == 100_000 ? 100 : nil
                ours.append(OurRow(problem: "RTI", agents: n, instances: nInstances, repeats: reps(n), stats: stats, perInstanceMedian: perInstance,
                                   budgetError: budgetError, kktSpread: spread, kktOffSupport: offSupport, target: target))
            }

            var dlProblems: [TrainingAllocationProblem] = []
            var onePassRow: OurRow?
            if dlSize > 0 {
                dlProblems = (0..<nInstances).map { FairSynergyGenerators.training(agents: dlSize, seed: seed &+ (UInt64(dlSize) << 20) &+ (1 << 40) &+ UInt64($0)) }
                var stats = LatencyStats(), onePass = LatencyStats()
                var perInstance: [Double] = [], perInstanceOnePass: [Double] = []
                var iterations: [Int] = []
                var converged = 0
                var budgetError = 0.0
                for p in dlProblems {
                    let r = AlternateConvexSearch.run(p)
                    iterations.append(r.iterations)
                    if r.converged { converged += 1 }
                    budgetError = max(budgetError, abs(r.rho.reduce(0, +) - p.computeBudget) / p.computeBudget,
                                      abs(r.alpha.reduce(0, +) - p.labellingBudget) / p.labellingBudget)
                    done += 1
                    var mine = LatencyStats(), mineOne = LatencyStats()
                    for _ in 0..<dlReps {
                        var res: AlternateConvexSearch.Result?
                        mine.add(clock.measure { res = AlternateConvexSearch.run(p) })
                        checksum += res!.rho[0]
                        mineOne.add(clock.measure { res = AlternateConvexSearch.run(p, onePass: true) })
                        checksum += res!.rho[0]
                        done += 1
                        progress.update(done)
                    }
                    stats.append(contentsOf: mine)
                    onePass.append(contentsOf: mineOne)
                    perInstance.append(mine.quantile(0.5))
                    perInstanceOnePass.append(mineOne.quantile(0.5))
                }
                ours.append(OurRow(problem: "DL ACS", agents: dlSize, instances: nInstances, repeats: dlReps, stats: stats, perInstanceMedian: perInstance,
                                   budgetError: budgetError, kktSpread: .nan, kktOffSupport: .nan, iterations: iterations, converged: converged))
                onePassRow = OurRow(problem: "DL one pass", agents: dlSize, instances: nInstances, repeats: dlReps, stats: onePass,
                                    perInstanceMedian: perInstanceOnePass, budgetError: .nan, kktSpread: .nan, kktOffSupport: .nan)
                ours.append(onePassRow!)
            }
            progress.finish()

            #if DEBUG
            let build = "DEBUG build (numbers are not representative: use make bench)"
            #else
            let build = "release build"
            #endif
            print("bench allocate: Fair-Synergy solves, \(build); instances from the reference's generators (seed \(seed))")
            print("problem       N        inst×rep   median ms    p90 ms       target             checks")
            for r in ours {
                var target = "—"
                if let t = r.target {
                    let median = r.stats.quantile(0.5) / 1000
                    target = String(format: "≤ %g ms: %@", t, (median <= t ? "met" : "MISSED") as NSString)
                }
                var checks = ""
                if r.problem == "RTI" {
                    checks = String(format: "|Σρ−P|/P ≤ %.0e, KKT spread ≤ %.0e, off-support ≤ %.0e", r.budgetError, r.kktSpread, r.kktOffSupport)
                } else if r.problem == "DL ACS" {
                    let its = r.iterations.sorted()
                    checks = String(format: "iterations median %d, max %d; converged %d/%d; |Σ−budget|/budget ≤ %.0e",
                                    its[its.count / 2], its.last ?? 0, r.converged, r.iterations.count, r.budgetError)
                } else {
                    checks = "one ρ-step + one α-step (the public code)"
                }
                print(Self.pad(r.problem, 13) + " " + Self.pad("\(r.agents)", 8) + " " + Self.pad("\(r.instances)×\(r.repeats)", 10) + " "
                      + Self.pad(Self.ms(r.stats.quantile(0.5)), 12) + " " + Self.pad(Self.ms(r.stats.quantile(0.9)), 12) + " " + Self.pad(target, 18) + " " + checks)
            }
            fflush(nil)

            // CVXPY anchor.
            let script = URL(fileURLWithPath: cvxpyScript).path
            guard FileManager.default.fileExists(atPath: script) else {
                print("\ncvxpy: skipped (no script at \(script); pass --cvxpy-script)")
                _ = checksum
                return
            }
            guard Self.pythonHasCvxpy(python) else {
                print("\ncvxpy: skipped (`\(python) -c \"import cvxpy\"` failed; `pip install cvxpy` to compare); our numbers above stand alone")
                return
            }
            let cvxSizes = sizes.filter { $0 <= maxN }
            let skipped = sizes.filter { $0 > maxN }
            var input = "{\"rti\":["
            var entries: [String] = []
            var cvxProblems: [(n: Int, k: Int, p: InferenceAllocationProblem)] = []
            for n in cvxSizes {
                for (k, p) in rtiProblems[n]!.prefix(cvxInstances).enumerated() {
                    cvxProblems.append((n, k, p))
                    var o = JSONObjectWriter()
                    o.raw("name", "\"rti_N\(n)_\(k)\"")
                    o.raw("N", "\(n)")
                    o.raw("P", json(p.budget))
                    o.raw("rho0", json(p.rho0))
                    o.raw("gamma", json(p.gamma))
                    entries.append(o.text)
                }
            }
            input += entries.joined(separator: ",") + "],\"dl\":["
            let dlForCvx = dlSize > 0 && dlSize <= maxN ? Array(dlProblems.prefix(cvxDl)) : []
            input += dlForCvx.enumerated().map { k, p in
                var o = JSONObjectWriter()
                o.raw("name", "\"dl_N\(dlSize)_\(k)\"")
                o.raw("N", "\(p.count)")
                o.raw("P", json(p.computeBudget))
                o.raw("T", json(p.labellingBudget))
                o.raw("rho0", json(p.rho0))
                o.raw("alpha0", json(p.alpha0))
                o.raw("g_rho", json(p.gammaRho))
                o.raw("g_alpha", json(p.gammaAlpha))
                return o.text
            }.joined(separator: ",") + "]}"

            if let path = cvxpyInputOut { try input.write(toFile: path, atomically: true, encoding: .utf8) }
            var rows: [CvxpyRow] = []
            var version = "?"
            var processSeconds: [String: Double] = [:]
            for formulation in formulations {
                FileHandle.standardError.write(Data("cvxpy \(formulation): \(cvxProblems.count) RTI and \(dlForCvx.count) DL instances (N ≤ \(maxN))\n".utf8))
                var output: [String: Any] = [:]
                let t = try clock.measure { output = try Self.runScript(python: python, script: script, arguments: ["--formulation", formulation], input: Data(input.utf8)) }
                processSeconds[formulation] = t.milliseconds / 1000
                version = output["cvxpy_version"] as? String ?? version
                let rti = output["rti"] as? [[String: Any]] ?? []
                for n in cvxSizes {
                    var row = CvxpyRow(formulation: formulation, problem: "RTI", agents: n, solved: 0, attempted: 0, statuses: [], wallMs: [], solverMs: [],
                                       oursMs: [], maxAllocationDiff: 0, maxRelUtilityDiff: -.infinity, minRelUtilityDiff: .infinity, maxBudgetExcess: -.infinity, minEntry: .infinity)
                    for (j, item) in cvxProblems.enumerated() where item.n == n {
                        guard j < rti.count else { continue }
                        let r = rti[j]
                        row.attempted += 1
                        row.statuses.append(r["status"] as? String ?? "?")
                        guard let alloc = (r["alloc"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.doubleValue }), alloc.count == n else { continue }
                        row.solved += 1
                        row.wallMs.append(((r["wall_s"] as? NSNumber)?.doubleValue ?? .nan) * 1000)
                        row.solverMs.append(((r["solver_s"] as? NSNumber)?.doubleValue ?? .nan) * 1000)
                        row.oursMs.append(ours.first { $0.problem == "RTI" && $0.agents == n }!.perInstanceMedian[item.k] / 1000)
                        let x = FairSynergyInference.allocate(item.p).x
                        row.maxAllocationDiff = max(row.maxAllocationDiff, zip(x, alloc).map { abs($0 - $1) }.max() ?? 0)
                        let uOurs = item.p.utilities(x).total, uCvx = item.p.utilities(alloc.map { max(0, $0) }).total
                        let rel = (uOurs - uCvx) / uOurs
                        row.maxRelUtilityDiff = max(row.maxRelUtilityDiff, rel)
                        row.minRelUtilityDiff = min(row.minRelUtilityDiff, rel)
                        row.maxBudgetExcess = max(row.maxBudgetExcess, alloc.reduce(0) { $0 + max(0, $1) } - item.p.budget)
                        row.minEntry = min(row.minEntry, alloc.min() ?? 0)
                    }
                    rows.append(row)
                }
                if !dlForCvx.isEmpty {
                    let dl = output["dl"] as? [[String: Any]] ?? []
                    var row = CvxpyRow(formulation: formulation, problem: "DL one pass", agents: dlSize, solved: 0, attempted: 0, statuses: [], wallMs: [], solverMs: [],
                                       oursMs: [], maxAllocationDiff: 0, maxRelUtilityDiff: -.infinity, minRelUtilityDiff: .infinity, maxBudgetExcess: -.infinity, minEntry: .infinity)
                    for (k, p) in dlForCvx.enumerated() where k < dl.count {
                        let r = dl[k]
                        row.attempted += 1
                        row.statuses.append(r["status"] as? String ?? "?")
                        guard let rho = (r["rho"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.doubleValue }),
                              let alpha = (r["alpha"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.doubleValue }),
                              rho.count == p.count, alpha.count == p.count else { continue }
                        row.solved += 1
                        row.wallMs.append(((r["wall_s"] as? NSNumber)?.doubleValue ?? .nan) * 1000)
                        row.solverMs.append(((r["solver_s"] as? NSNumber)?.doubleValue ?? .nan) * 1000)
                        row.oursMs.append(onePassRow!.perInstanceMedian[k] / 1000)
                        let mine = AlternateConvexSearch.run(p, onePass: true)
                        row.maxAllocationDiff = max(row.maxAllocationDiff, zip(mine.rho + mine.alpha, rho + alpha).map { abs($0 - $1) }.max() ?? 0)
                        let uOurs = p.utilities(rho: mine.rho, alpha: mine.alpha).total
                        let uCvx = p.utilities(rho: rho.map { max(0, $0) }, alpha: alpha.map { max(0, $0) }).total
                        let rel = (uOurs - uCvx) / uOurs
                        row.maxRelUtilityDiff = max(row.maxRelUtilityDiff, rel)
                        row.minRelUtilityDiff = min(row.minRelUtilityDiff, rel)
                        row.maxBudgetExcess = max(row.maxBudgetExcess, rho.reduce(0) { $0 + max(0, $1) } - p.computeBudget,
                                                  alpha.reduce(0) { $0 + max(0, $1) } - p.labellingBudget)
                        row.minEntry = min(row.minEntry, rho.min() ?? 0, alpha.min() ?? 0)
                    }
                    rows.append(row)
                }
            }

            print("\ncvxpy anchor: cvxpy \(version) via `\(python) \(cvxpyScript)`, one process per formulation (import and one warm-up solve untimed);")
            print("times are medians per instance; ratio = CVXPY wall (problem build + canonicalisation + solve) / ours on the same instances")
            print("formulation  problem      N      solved  cvxpy wall ms  solver ms    ours ms      ratio wall  ratio solver  max |Δx|   (U_ours−U_cvx)/U_ours   Σmax(0,x)−budget  min x")
            for r in rows {
                let wall = Self.median(r.wallMs), solver = Self.median(r.solverMs), mine = Self.median(r.oursMs)
                let rel = r.solved == 0 ? "—" : String(format: "%.1e … %.1e", r.minRelUtilityDiff, r.maxRelUtilityDiff)
                print(Self.pad(r.formulation, 12) + " " + Self.pad(r.problem, 12) + " " + Self.pad("\(r.agents)", 6) + " " + Self.pad("\(r.solved)/\(r.attempted)", 7) + " "
                      + Self.pad(Self.fmt(wall), 14) + " " + Self.pad(Self.fmt(solver), 12) + " " + Self.pad(Self.fmt(mine), 12) + " "
                      + Self.pad(Self.ratio(wall / mine), 11) + " " + Self.pad(Self.ratio(solver / mine), 13) + " "
                      + Self.pad(r.solved == 0 ? "—" : String(format: "%.1e", r.maxAllocationDiff), 10) + " " + Self.pad(rel, 23) + " "
                      + Self.pad(r.solved == 0 ? "—" : String(format: "%.1e", r.maxBudgetExcess), 17) + " " + (r.solved == 0 ? "—" : String(format: "%.1e", r.minEntry)))
                let failures = r.statuses.filter { $0 != "optimal" }
                if !failures.isEmpty { print("    solver status: \(failures.joined(separator: "; "))") }
            }
            if !dlForCvx.isEmpty, let acs = ours.first(where: { $0.problem == "DL ACS" }) {
                for r in rows where r.problem == "DL one pass" {
                    let acsMs = Self.median(Array(acs.perInstanceMedian.prefix(r.solved))) / 1000
                    print(String(format: "    %@ DL: CVXPY one alternation / our converged ACS (same instances) = %@", r.formulation as NSString,
                                 Self.ratio(Self.median(r.wallMs) / acsMs) as NSString))
                }
            }
            for n in skipped { print("    RTI N = \(n): CVXPY not run (N > --cvxpy-max-n \(maxN))") }
            if dlSize > maxN { print("    DL N = \(dlSize): CVXPY not run (N > --cvxpy-max-n \(maxN))") }
            fflush(nil)
            print("    CVXPY processes: " + formulations.map { "\($0) \(String(format: "%.1f", processSeconds[$0] ?? .nan)) s" }.joined(separator: ", ") + " (Python start, import, warm-up included)")
            _ = checksum
        }

        /// KKT of Problem 1 at x: relative spread of γ(ρ⁰+x)^{γ−1} over the served agents, and how far the
        /// largest marginal at 0 of an unserved agent rises above the smallest served marginal (relative).
        static func kkt(_ p: InferenceAllocationProblem, _ x: [Double]) -> (spread: Double, offSupport: Double) {
            var lo = Double.infinity, hi = -Double.infinity, off = -Double.infinity
            for i in 0..<p.count where p.gamma[i] > 0 && p.gamma[i] < 1 {
                let m = p.gamma[i] * pow(p.rho0[i] + x[i], p.gamma[i] - 1)
                if x[i] > 0 { lo = min(lo, m); hi = max(hi, m) } else { off = max(off, m) }
            }
            guard hi > 0 else { return (.nan, .nan) }
            return ((hi - lo) / hi, off.isFinite ? max(0, (off - lo) / lo) : 0)
        }

        static func pythonHasCvxpy(_ python: String) -> Bool {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [python, "-c", "import cvxpy"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            do { try p.run() } catch { return false }
            p.waitUntilExit()
            return p.terminationStatus == 0
        }

        /// Runs the script with `input` on stdin (written from another thread), its stderr passed
        /// through, and parses its stdout as one JSON object.
        static func runScript(python: String, script: String, arguments: [String], input: Data) throws -> [String: Any] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [python, script] + arguments
            let inPipe = Pipe(), outPipe = Pipe()
            p.standardInput = inPipe
            p.standardOutput = outPipe
            try p.run()
            let writer = Thread {
                inPipe.fileHandleForWriting.write(input)
                try? inPipe.fileHandleForWriting.close()
            }
            writer.start()
            let data = outPipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                throw ExperimentSupport.ValidationErrorText("\(script) exited with status \(p.terminationStatus)")
            }
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ExperimentSupport.ValidationErrorText("\(script) did not print a JSON object")
            }
            return object
        }

        /// `s` padded with spaces to `width` characters.
        static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }

        static func median(_ xs: [Double]) -> Double {
            let s = xs.filter(\.isFinite).sorted()
            guard !s.isEmpty else { return .nan }
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }

        /// Microseconds as milliseconds with 3 significant digits.
        static func ms(_ us: Double) -> String { fmt(us / 1000) }

        static func fmt(_ x: Double) -> String { x.isFinite ? String(format: x < 0.01 ? "%.5f" : x < 1 ? "%.4f" : x < 100 ? "%.3g" : "%.0f", x) : "—" }

        static func ratio(_ x: Double) -> String { x.isFinite ? String(format: x >= 100 ? "%.0f×" : "%.1f×", x) : "—" }
    }
}
