import FairwayCore
import Foundation

/// Instances in the format of the reference `fair-synergy.json`: `{"rti": [{name, N?, P, rho0,
/// gamma}], "dl": [{name, N?, P, T, rho0, alpha0, g_rho, g_alpha}]}`; both lists optional, extra
/// keys ignored. Every failure names the field (`rti[2].gamma[1]`).
struct AllocationInput {
    struct Inference { var name: String; var problem: InferenceAllocationProblem }
    struct Training { var name: String; var problem: TrainingAllocationProblem }

    var rti: [Inference] = []
    var dl: [Training] = []

    struct FieldError: Error {
        var field: String
        var message: String
    }

    static func read(from path: String) throws -> AllocationInput {
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw usageFailure("allocate", path, "cannot read: \(error.localizedDescription)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw usageFailure("allocate", path, "not a JSON object")
        }
        do {
            return try parse(json)
        } catch let e as FieldError {
            throw usageFailure("allocate", e.field, e.message)
        } catch let e as FairwayError {
            throw usageFailure("allocate", e.field, e.message)
        }
    }

    static func parse(_ json: [String: Any]) throws -> AllocationInput {
        var input = AllocationInput()
        guard json["rti"] != nil || json["dl"] != nil else {
            throw FieldError(field: "rti", message: "missing: the file needs an \"rti\" or a \"dl\" list")
        }
        for (i, entry) in try objects(json["rti"], "rti").enumerated() {
            let at = "rti[\(i)]"
            let p = InferenceAllocationProblem(
                rho0: try list(entry["rho0"], "\(at).rho0"), gamma: try list(entry["gamma"], "\(at).gamma"),
                budget: try number(entry["P"], "\(at).P"))
            try validate(at, entry, p.count) { try p.validate() }
            input.rti.append(Inference(name: entry["name"] as? String ?? at, problem: p))
        }
        for (i, entry) in try objects(json["dl"], "dl").enumerated() {
            let at = "dl[\(i)]"
            let p = TrainingAllocationProblem(
                rho0: try list(entry["rho0"], "\(at).rho0"), alpha0: try list(entry["alpha0"], "\(at).alpha0"),
                gammaRho: try list(entry["g_rho"], "\(at).g_rho"), gammaAlpha: try list(entry["g_alpha"], "\(at).g_alpha"),
                computeBudget: try number(entry["P"], "\(at).P"), labellingBudget: try number(entry["T"], "\(at).T"))
            try validate(at, entry, p.count) { try p.validate() }
            input.dl.append(Training(name: entry["name"] as? String ?? at, problem: p))
        }
        return input
    }

    private static func validate(_ at: String, _ entry: [String: Any], _ count: Int, _ check: () throws -> Void) throws {
        if entry["N"] != nil {
            let n = try number(entry["N"], "\(at).N")
            guard n == Double(count) else { throw FieldError(field: "\(at).N", message: "is \(n) but rho0 has \(count) entries") }
        }
        do {
            try check()
        } catch let e as FairwayError {
            throw FieldError(field: "\(at).\(e.field)", message: e.message)
        }
    }

    private static func objects(_ value: Any?, _ field: String) throws -> [[String: Any]] {
        guard let value else { return [] }
        guard let array = value as? [Any] else { throw FieldError(field: field, message: "must be a list of instances") }
        return try array.enumerated().map {
            guard let o = $0.element as? [String: Any] else { throw FieldError(field: "\(field)[\($0.offset)]", message: "must be an object") }
            return o
        }
    }

    private static func number(_ value: Any?, _ field: String) throws -> Double {
        guard let value else { throw FieldError(field: field, message: "missing") }
        guard let n = value as? NSNumber, String(cString: n.objCType) != "c", n.doubleValue.isFinite else {
            throw FieldError(field: field, message: "must be a finite number (got \(value))")
        }
        return n.doubleValue
    }

    private static func list(_ value: Any?, _ field: String) throws -> [Double] {
        guard let value else { throw FieldError(field: field, message: "missing") }
        guard let array = value as? [Any] else { throw FieldError(field: field, message: "must be a list of numbers") }
        return try array.enumerated().map { try number($0.element, "\(field)[\($0.offset)]") }
    }
}
