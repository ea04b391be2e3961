import FairwayCore
import FairwayWire

/// The data value v_n of each agent (paper 1, §IV), asked for once per epoch boundary, before
/// grants are computed from it.
///
/// Today it answers the configured values (`tokens.values`, `tokens.default_value`). Issue 9
/// replaces this with the novelty of each agent's DP prototypes against the catalog; the
/// router's contract stays the same: agents in, values out, nothing read from other concerns.
public struct Valuation: Sendable, Hashable {
    /// Configured values (YAML under `tokens.`, where they were before valuation had a room).
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// v_n by agent id (the address of its key). Not by display name: agents choose their
        /// own names, so a name could be claimed to obtain another agent's value. Default: none.
        public var values: [NodeID: Double] = [:]
        /// v_n of agents not in `values`. Default 1.
        public var defaultValue: Double = 1

        public init() {}

        public static let fields: [SettingField<Self>] = [
            .custom("values", \.values) { value, field in
                let m = try value.entries(field)
                var byID: [NodeID: Double] = [:]
                for (key, v) in m {
                    let id = try ConfigError.parsing("\(field).\(key)") { try NodeID(key, field: field) }
                    guard NodeAddress.isAddress(id) else {
                        throw ConfigError(field: "\(field).\(key)", message: "keys must be agent ids (fw + 40 hex digits, see `fairwayctl identity`), not names: agents choose their names")
                    }
                    let text = try v.text("\(field).\(key)")
                    guard let d = Double(text) else { throw ConfigError(field: "\(field).\(key)", message: "must be a number, got \"\(text)\"") }
                    byID[id] = d
                }
                return byID
            },
            .number("default_value", \.defaultValue, in: 0...1e15),
        ]

        public func validateCombinations() throws {
            for (id, v) in values.sorted(by: { $0.key < $1.key }) where !(v.isFinite && v >= 0 && v <= 1e15) {
                throw ConfigError(field: "values.\(id)", message: "must be a finite value in [0, 1e15], got \(v)")
            }
        }
    }

    public let settings: Settings

    public init(settings: Settings) { self.settings = settings }

    /// v_n of each of `agents` for the epoch that starts now.
    public func onEpochBoundary(epoch: UInt64, agents: [NodeID]) -> [NodeID: Double] {
        Dictionary(uniqueKeysWithValues: agents.map { ($0, settings.values[$0] ?? settings.defaultValue) })
    }
}
