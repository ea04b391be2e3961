import ArgumentParser
import FairwayCore
import Foundation

/// A contract instance as `fairway-lab contract` reads it: the header fields of an entry of
/// `contracts.json` `instances` (K, N, beta, alpha, sigma, E_C, c, E, theta1, theta2, p1, p2;
/// other keys ignored) and optional "T1"/"T2" fixing the training rounds. Every failure names
/// the field.
struct ContractInput {
    var instance: ContractInstance
    var rounds: TrainingRounds?

    struct FieldError: Error {
        var field: String
        var message: String
    }

    static func read(from path: String) throws -> ContractInput {
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw usageFailure("contract", path, "cannot read: \(error.localizedDescription)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw usageFailure("contract", path, "not a JSON object")
        }
        do {
            return try parse(json)
        } catch let e as FieldError {
            throw usageFailure("contract", e.field, e.message)
        } catch let e as FairwayError {
            throw usageFailure("contract", e.field, e.message)
        }
    }

    static func parse(_ json: [String: Any]) throws -> ContractInput {
        func number(_ value: Any?, _ field: String) throws -> Double {
            guard let value else { throw FieldError(field: field, message: "missing") }
            guard let n = value as? NSNumber, String(cString: n.objCType) != "c", n.doubleValue.isFinite else {
                throw FieldError(field: field, message: "must be a number (got \(value))")
            }
            return n.doubleValue
        }
        func integer(_ value: Any?, _ field: String) throws -> Int {
            let d = try number(value, field)
            guard d.rounded() == d, abs(d) < 1e9 else { throw FieldError(field: field, message: "must be an integer (got \(d))") }
            return Int(d)
        }
        func list<T>(_ value: Any?, _ field: String, _ element: (Any?, String) throws -> T) throws -> [T] {
            guard let value else { throw FieldError(field: field, message: "missing") }
            guard let array = value as? [Any] else { throw FieldError(field: field, message: "must be a list") }
            return try array.enumerated().map { try element($0.element, "\(field)[\($0.offset)]") }
        }
        let K = try integer(json["K"], "K")
        let instance = ContractInstance(
            K: K, N: try number(json["N"], "N"), beta: try number(json["beta"], "beta"), alpha: try number(json["alpha"], "alpha"),
            sigma: try number(json["sigma"], "sigma"), E_C: try number(json["E_C"], "E_C"), c: try number(json["c"], "c"),
            E: try number(json["E"], "E"), theta1: try list(json["theta1"], "theta1", number), theta2: try list(json["theta2"], "theta2", number),
            p1: try list(json["p1"], "p1", number), p2: try list(json["p2"], "p2") { try list($0, $1, number) })
        try instance.validate()
        var rounds: TrainingRounds?
        switch (json["T1"], json["T2"]) {
        case (nil, nil): break
        case (nil, _): throw FieldError(field: "T1", message: "missing (T1 and T2 fix the rounds together)")
        case (_, nil): throw FieldError(field: "T2", message: "missing (T1 and T2 fix the rounds together)")
        case let (t1, t2):
            func round(_ v: Any?, _ f: String) throws -> Int {
                let t = try integer(v, f)
                guard t >= 0 else { throw FieldError(field: f, message: "must be a non-negative number of rounds (got \(t))") }
                return t
            }
            let T1 = try list(t1, "T1", round)
            let T2 = try list(t2, "T2") { try list($0, $1, round) }
            guard T1.count == K else { throw FieldError(field: "T1", message: "needs K = \(K) values (got \(T1.count))") }
            guard T2.count == K else { throw FieldError(field: "T2", message: "needs K = \(K) menus (got \(T2.count))") }
            for (k, menu) in T2.enumerated() where menu.count != K {
                throw FieldError(field: "T2[\(k)]", message: "needs K = \(K) values (got \(menu.count))")
            }
            rounds = TrainingRounds(T1: T1, T2: T2)
        }
        return ContractInput(instance: instance, rounds: rounds)
    }
}
