import FairwayCore

/// Which public keys the coordinator lets join (edge servers and agents alike).
public enum AdmissionPolicy: Sendable, Hashable {
    /// Any key may join (default; a strategic contributor can still make many identities,
    /// which the valuation's novelty test and the token buckets bound).
    case open
    /// Only these raw Ed25519 public keys (32 bytes each) may join.
    case allowList(Set<[UInt8]>)

    /// Whether `publicKey` may join.
    public func admits(publicKey: [UInt8]) -> Bool {
        switch self {
        case .open: true
        case .allowList(let keys): keys.contains(publicKey)
        }
    }

    /// `open` or `allow-list`, as in configuration.
    public var name: String {
        switch self {
        case .open: "open"
        case .allowList: "allow-list"
        }
    }
}
