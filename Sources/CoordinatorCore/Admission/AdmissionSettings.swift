import FairwayCore
import FairwayWire

/// Who may join, and with what token bucket (YAML `admission.*`).
public struct AdmissionSettings: Sendable, Hashable, SettingsSchema {
    /// `open` (any key) or `allowList` (only `allowedKeys`). Default `open`.
    public var mode: AdmissionPolicy.Mode = .open
    /// Raw Ed25519 public keys admitted under `allowList` (YAML: hex strings).
    public var allowedKeys: Set<[UInt8]> = []
    /// Subscription tiers: the token bucket sizes B (tokens) an agent may ask for at join.
    /// Empty = any B from 1 to `maxBucketSize`. Default empty.
    public var bucketTiers: [UInt32] = []
    /// Largest bucket size B an agent may ask for, tokens. Default 1000000.
    public var maxBucketSize: UInt32 = 1_000_000

    public init() {}

    /// The policy `mode` and `allowedKeys` describe.
    public var policy: AdmissionPolicy {
        get { mode == .open ? .open : .allowList(allowedKeys) }
        set {
            switch newValue {
            case .open: mode = .open; allowedKeys = []
            case .allowList(let keys): mode = .allowList; allowedKeys = keys
            }
        }
    }

    public static let fields: [SettingField<Self>] = [
        .custom("policy", \.mode) { value, field in
            let text = try value.text(field)
            guard let mode = AdmissionPolicy.Mode(rawValue: text) else {
                throw ConfigError(field: field, message: "must be open or allow-list, got \"\(text)\"")
            }
            return mode
        },
        .custom("allowed_keys", \.allowedKeys) { value, field in
            let items = try value.items(field)
            var keys = Set<[UInt8]>()
            for (i, item) in items.enumerated() {
                let k = try item.text("\(field)[\(i)]").filter { !$0.isWhitespace }
                guard let raw = bytes(fromHex: k), raw.count == NodeKey.publicKeyLength else {
                    throw ConfigError(field: "\(field)[\(i)]", message: "must be a 64-hex-digit Ed25519 public key, got \"\(k)\"")
                }
                keys.insert(raw)
            }
            return keys
        },
        .custom("bucket_tiers", \.bucketTiers) { value, field in
            return try value.items(field).enumerated().map { i, item in
                let text = try item.text("\(field)[\(i)]")
                guard let b = UInt32(text), b >= 1 else { throw ConfigError(field: "\(field)[\(i)]", message: "must be a bucket size ≥ 1, got \"\(text)\"") }
                return b
            }
        },
        .integer("max_bucket_size", \.maxBucketSize, in: 1...1_000_000_000),
    ]

    public func validateCombinations() throws {
        if mode == .open, !allowedKeys.isEmpty {
            throw ConfigError(field: "allowed_keys", message: "keys are listed but the policy is open; set policy: allow-list")
        }
        if let b = bucketTiers.first(where: { $0 > maxBucketSize }) {
            throw ConfigError(field: "bucket_tiers", message: "tier \(b) exceeds max_bucket_size \(maxBucketSize)")
        }
    }

    /// Whether an agent may ask for a bucket of `b` tokens; the reason if not.
    public func refusal(bucketSize b: UInt32) -> String? {
        if b == 0 { return "bucket size B must be at least 1 token" }
        if b > maxBucketSize { return "bucket size B = \(b) exceeds the largest this coordinator grants (\(maxBucketSize))" }
        if !bucketTiers.isEmpty, !bucketTiers.contains(b) {
            return "bucket size B = \(b) is not a subscription tier; tiers are \(bucketTiers.map(String.init).joined(separator: ", "))"
        }
        return nil
    }
}

extension AdmissionPolicy {
    /// The two policies, as named in configuration.
    public enum Mode: String, Sendable, Hashable {
        case open
        case allowList = "allow-list"
    }
}
