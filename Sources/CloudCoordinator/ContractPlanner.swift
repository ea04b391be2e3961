import ContractSolver
import CoordinatorCore
import FairwayCore
import Foundation

/// Computes the contract room's `Plan` once at start: the instance (a file in the format of the
/// reference `contracts.json` entries, or the built-in one), its menus by the configured scheme
/// (`exact`: GLPK MILP over integer T with minimum-cost rewards satisfying every IR/IC/IIC
/// constraint; `paper`: eqs. 19/24 at their profit-maximising T) and the held-out digits uploads
/// are judged on. Deterministic, so a restarted coordinator offers the same menus.
enum ContractPlanner {
    /// Paper 4's parameter set A (Table II, K = 2, positive correlation) with N = 3 ESs and
    /// β = 0.5; c and E from 23 dBm, 2 Mbps and the constants of `docs/contracts.md`.
    static let builtIn = ContractInstance(
        K: 2, N: 3, beta: 0.5, alpha: 200, sigma: 1, E_C: 22, c: EdgeEnergy.costPerRound(sigma: 1), E: EdgeEnergy.fixedCost(sigma: 1, dBm: 23, mbps: 2),
        theta1: [16, 22], theta2: [17, 23], p1: [0.45, 0.55], p2: [[0.7, 0.3], [0.25, 0.75]])

    static func plan(_ s: Contracts.Settings) throws -> Contracts.Plan? {
        guard s.enabled else { return nil }
        let instance: ContractInstance
        if s.instanceFile.isEmpty {
            instance = builtIn
        } else {
            do {
                instance = try JSONDecoder().decode(ContractInstance.self, from: Data(contentsOf: URL(fileURLWithPath: s.instanceFile)))
            } catch {
                throw ConfigError(field: "contracts.instance_file", message: "cannot read a contract instance from \(s.instanceFile): \(error)")
            }
        }
        do { try instance.validate() } catch { throw ConfigError(field: "contracts.instance_file", message: "\(error)") }
        let terms: ContractTerms
        switch s.scheme {
        case .exact:
            let result = ExactOptimiser.optimise(instance, timeLimitMilliseconds: 60_000)
            guard let e = result.evaluation else {
                throw ConfigError(field: "contracts.scheme", message: "the exact optimiser found no contract (GLPK: \(result.status.rawValue))")
            }
            terms = e.terms
        case .paper:
            terms = PaperOptimiser.optimise(instance).terms
        }
        let records: [DigitRecord]
        do { records = try DigitsCSV.parse(String(contentsOfFile: s.dataPath, encoding: .utf8)) } catch {
            throw ConfigError(field: "contracts.data_path", message: "\(s.dataPath): \(error)")
        }
        let heldOut = try ModuleDataset.split(records, input: .pixels).heldOut
        return Contracts.Plan(instance: instance, terms: terms, scheme: s.scheme, heldOut: heldOut)
    }
}
