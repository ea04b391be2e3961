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
    static func plan(_ s: Contracts.Settings) throws -> Contracts.Plan? {
        guard s.enabled else { return nil }
        let instance: ContractInstance
        if s.instanceFile.isEmpty {
            instance = .builtIn
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
