import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation

/// YAML form of `CoordinatorSettings` (`configs/cloud-coordinator.yaml`).
public struct CoordinatorConfig: Codable, Sendable, DaemonConfigFile {
    public struct MembershipConfig: Codable, Sendable {
        public var heartbeat_interval_ms: Int64?
        public var suspect_after_misses: Int?
        public var dead_after_misses: Int?
    }

    public struct AdmissionConfig: Codable, Sendable {
        /// `open` or `allow-list`.
        public var policy: String?
        /// Hex Ed25519 public keys admitted under `allow-list` (`fairwayctl identity` prints a node's).
        public var allowed_keys: [String]?
    }

    /// `tokens`: grants per epoch.
    public struct TokensConfig: Codable, Sendable {
        public var per_epoch: UInt64?
        public var allocator: String?
        public var values: [String: Double]?
        public var default_value: Double?
        public var seed: UInt64?
    }

    public var tokens: TokensConfig?
    public var name: String?
    public var key_file: String?
    public var admission: AdmissionConfig?
    public var control_url: String?
    public var epoch_url: String?
    public var advertise_url: String?
    public var data_dir: String?
    public var epoch_ms: Int64?
    public var tick_ms: Int64?
    public var log_level: String?
    public var membership: MembershipConfig?
    public var transport: TransportConfig?

    public static let knownKeys: Set<String> = Set([
        "name", "key_file", "tokens.per_epoch", "tokens.allocator", "tokens.values", "tokens.default_value", "tokens.seed", "admission.policy", "admission.allowed_keys", "control_url", "epoch_url", "advertise_url", "data_dir", "epoch_ms", "tick_ms", "log_level",
        "membership.heartbeat_interval_ms", "membership.suspect_after_misses", "membership.dead_after_misses",
    ]).union(TransportConfig.knownKeys(prefix: "transport"))
}

extension CoordinatorSettings {
    /// Overlays the values present in `config`.
    public mutating func apply(_ c: CoordinatorConfig) throws {
        if let v = c.name { name = v }
        if let v = c.key_file { keyFile = v }
        if let t = c.tokens {
            if let v = t.per_epoch { tokens.tokensPerEpoch = v }
            if let v = t.allocator { tokens.allocator = try AllocatorKind(name: v, field: "tokens.allocator") }
            if let v = t.values {
                var byID: [NodeID: Double] = [:]
                for (key, value) in v {
                    let id = try NodeID(key, field: "tokens.values")
                    guard NodeAddress.isAddress(id) else {
                        throw ConfigError(field: "tokens.values.\(key)", message: "keys must be agent ids (fw + 40 hex digits, see `fairwayctl identity`), not names: agents choose their names")
                    }
                    byID[id] = value
                }
                tokens.values = byID
            }
            if let v = t.default_value { tokens.defaultValue = v }
            if let v = t.seed { tokens.seed = v }
        }
        if let a = c.admission { admission = try AdmissionPolicy.parse(policy: a.policy ?? "open", keys: a.allowed_keys ?? []) }
        if let v = c.control_url { controlURL = v }
        if let v = c.epoch_url { epochURL = v }
        if let v = c.advertise_url { advertiseURL = v }
        if let v = c.data_dir { dataDirectory = v }
        if let v = c.epoch_ms { epochMilliseconds = v }
        if let v = c.tick_ms { tickMilliseconds = v }
        if let m = c.membership {
            if let v = m.heartbeat_interval_ms { membership.heartbeatIntervalMilliseconds = v }
            if let v = m.suspect_after_misses { membership.suspectAfterMisses = v }
            if let v = m.dead_after_misses { membership.deadAfterMisses = v }
        }
        try transport.apply(c.transport)
    }
}

extension AdmissionPolicy {
    /// Parses `admission.policy` and `admission.allowed_keys` (hex public keys).
    public static func parse(policy: String, keys: [String]) throws -> AdmissionPolicy {
        switch policy {
        case "open":
            guard keys.isEmpty else {
                throw ConfigError(field: "admission.allowed_keys", message: "keys are listed but the policy is open; set policy: allow-list")
            }
            return .open
        case "allow-list":
            var set = Set<[UInt8]>()
            for (i, k) in keys.enumerated() {
                guard let raw = bytes(fromHex: k.trimmingCharacters(in: .whitespaces)), raw.count == NodeKey.publicKeyLength else {
                    throw ConfigError(field: "admission.allowed_keys[\(i)]", message: "must be a 64-hex-digit Ed25519 public key, got \"\(k)\"")
                }
                set.insert(raw)
            }
            return .allowList(set)
        default:
            throw ConfigError(field: "admission.policy", message: "must be open or allow-list, got \"\(policy)\"")
        }
    }
}
