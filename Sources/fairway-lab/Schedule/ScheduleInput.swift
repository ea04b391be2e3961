import FairwayCore
import Foundation

/// The JSON that `fairway-lab schedule` reads:
/// `{"allocator": "proportional", "V": 1000, "v": [...], "B": [...], "R": [...], "seed": 0}`.
/// `B` may be one number for every agent; `R` defaults to empty buckets (all 0); `seed`
/// (a whole number ≥ 0, used by `random`) defaults to 0; other keys are ignored.
struct ScheduleInput {
    var allocator: AllocatorKind
    var problem: TokenAllocationProblem
    var seed: UInt64

    /// Parses and validates; every failure is a `FairwayError(.invalidField)` naming the field
    /// (`input` when the document itself is not a JSON object).
    init(json: Data) throws {
        let document: Any
        do {
            document = try JSONSerialization.jsonObject(with: json)
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw FairwayError(.invalidField, "not valid JSON: \(detail)", field: "input")
        }
        guard let object = document as? [String: Any] else {
            throw FairwayError(.invalidField, "expected a JSON object", field: "input")
        }
        func required(_ key: String) throws -> Any {
            guard let value = object[key], !(value is NSNull) else {
                throw FairwayError(.invalidField, "missing required field", field: key)
            }
            return value
        }
        guard let name = try required("allocator") as? String else {
            throw FairwayError(.invalidField, "expected a string", field: "allocator")
        }
        allocator = try AllocatorKind(name: name)
        let values = try Self.numbers(try required("v"), field: "v")
        let sizes: [Double]
        let b = try required("B")
        if Self.isNumber(b) {
            sizes = [Double](repeating: try Self.number(b, field: "B"), count: values.count)
        } else {
            sizes = try Self.numbers(b, field: "B")
        }
        let remaining = try object["R"].map { try Self.numbers($0, field: "R") } ?? [Double](repeating: 0, count: values.count)
        problem = try TokenAllocationProblem(totalTokens: try Self.number(try required("V"), field: "V"),
                                             values: values, bucketSizes: sizes, remaining: remaining)
        if let s = object["seed"] {
            guard Self.isNumber(s), let seed = s as? UInt64 else {
                throw FairwayError(.invalidField, "expected a whole number from 0 to 2^64−1, got \(s)", field: "seed")
            }
            self.seed = seed
        } else {
            seed = 0
        }
    }

    /// A JSON number (JSON's true/false also arrive as NSNumber, with the `char` type code).
    private static func isNumber(_ x: Any) -> Bool {
        guard let n = x as? NSNumber, type(of: x) != Bool.self else { return false }
        return String(cString: n.objCType) != "c"
    }

    private static func number(_ x: Any, field: String) throws -> Double {
        guard isNumber(x), let d = x as? Double else { throw FairwayError(.invalidField, "expected a number", field: field) }
        return d
    }

    private static func numbers(_ x: Any, field: String) throws -> [Double] {
        guard let list = x as? [Any] else { throw FairwayError(.invalidField, "expected an array of numbers", field: field) }
        return try list.enumerated().map { try number($0.element, field: "\(field)[\($0.offset)]") }
    }
}
