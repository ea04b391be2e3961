import Crypto

/// The `HKDF` function of the Noise specification, section 4.3, with HMAC-SHA256:
///
///     temp_key = HMAC-HASH(chaining_key, input_key_material)
///     output1  = HMAC-HASH(temp_key, byte(0x01))
///     output2  = HMAC-HASH(temp_key, output1 || byte(0x02))
///     output3  = HMAC-HASH(temp_key, output2 || byte(0x03))
///
/// Invariant: returns exactly `outputs` (2 or 3) values of HASHLEN = 32 bytes each.
/// `input_key_material` is 0 or 32 bytes (or DHLEN) in every use by this module.
enum NoiseHKDF {
    static func hmac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key)))
    }

    static func derive(chainingKey: [UInt8], inputKeyMaterial: [UInt8], outputs: Int) -> [[UInt8]] {
        precondition(outputs == 2 || outputs == 3, "Noise HKDF yields 2 or 3 outputs")
        let tempKey = hmac(key: chainingKey, data: inputKeyMaterial)
        var result: [[UInt8]] = []
        var previous: [UInt8] = []
        for i in 1...outputs {
            previous = hmac(key: tempKey, data: previous + [UInt8(i)])
            result.append(previous)
        }
        return result
    }
}
