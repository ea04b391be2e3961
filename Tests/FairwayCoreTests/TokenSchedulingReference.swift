import FairwayCore
import Foundation

extension TokenSchedulingReference {
    /// `Tests/Reference/token-scheduling.json`.
    static func load(file: StaticString = #filePath) throws -> TokenSchedulingReference {
        let url = URL(fileURLWithPath: "\(file)")
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/token-scheduling.json")
        return try JSONDecoder().decode(TokenSchedulingReference.self, from: Data(contentsOf: url))
    }
}
