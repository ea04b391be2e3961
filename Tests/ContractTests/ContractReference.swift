import FairwayCore
import Foundation

/// `Tests/Reference/contracts.json` (ground truth computed outside this project, see its `meta`).
enum ContractReference {
    nonisolated(unsafe) static let document: [String: Any] = {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/contracts.json")
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    static var instances: [[String: Any]] { document["instances"] as! [[String: Any]] }
    static var counterexamples: [[String: Any]] { document["counterexamples"] as! [[String: Any]] }

    static func instance(_ entry: [String: Any]) -> ContractInstance {
        func d(_ key: String) -> Double { (entry[key] as! NSNumber).doubleValue }
        return ContractInstance(K: entry["K"] as! Int, N: d("N"), beta: d("beta"), alpha: d("alpha"), sigma: d("sigma"), E_C: d("E_C"),
                                c: d("c"), E: d("E"), theta1: entry["theta1"] as! [Double], theta2: entry["theta2"] as! [Double],
                                p1: entry["p1"] as! [Double], p2: entry["p2"] as! [[Double]])
    }

    static func rounds(_ entry: [String: Any]) -> TrainingRounds {
        TrainingRounds(T1: entry["T1"] as! [Int], T2: entry["T2"] as! [[Int]])
    }
}
