import Crypto
import FairwayCore

/// Node ids are addresses of public keys (DESIGN: "Address = digest of the public key").
///
/// `address(pk) = "fw" + lowercase hex(SHA-256(pk)[0..<20])`: 42 characters, a valid `NodeID`.
/// The same string is the node's DAT address in the ledger.
public enum NodeAddress {
    /// Bytes of the digest kept in an address.
    public static let digestBytes = 20
    /// Prefix marking a Fairway address.
    public static let prefix = "fw"

    /// The address of an Ed25519 public key.
    public static func of(publicKey: [UInt8]) -> NodeID {
        let digest = SHA256.hash(data: publicKey)
        return NodeID(unchecked: prefix + hex(digest.prefix(digestBytes)))
    }

    /// Whether `id` has the shape of an address (it may still belong to no key).
    public static func isAddress(_ id: NodeID) -> Bool {
        let s = id.rawValue.utf8
        return s.count == prefix.utf8.count + 2 * digestBytes && id.rawValue.hasPrefix(prefix)
            && s.dropFirst(prefix.utf8.count).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

/// Lowercase hex of `bytes`.
public func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Bytes of a hex string, or nil if it is not even-length hex.
public func bytes(fromHex s: String) -> [UInt8]? {
    let u = Array(s.utf8)
    guard u.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
    var out = [UInt8]()
    out.reserveCapacity(u.count / 2)
    var i = 0
    while i < u.count {
        guard let h = nibble(u[i]), let l = nibble(u[i + 1]) else { return nil }
        out.append(h << 4 | l)
        i += 2
    }
    return out
}
