import FairwayNoise
import Foundation

/// A Noise test-vector file as `fairway-lab noise-vectors` reads it: `{"vectors": [V…]}` in the
/// cacophony format (`Tests/Reference/noise-vectors.json` `meta.format`). Each V has
/// "protocol_name" (or the older "name"), optional "id" (default `vectors[i]`), hex
/// "init_prologue"/"resp_prologue" (default empty), "init_static"/"resp_static",
/// "init_ephemeral"/"resp_ephemeral", "init_remote_static"/"resp_remote_static" (32 bytes, required
/// where the pattern needs them), "init_psks"/"resp_psks" (one 32-byte key per psk token),
/// optional "handshake_hash" (32 bytes) and "messages": [{"payload", "ciphertext"}]. Other keys
/// are ignored. Vectors of protocols FairwayNoise does not implement (including names that are
/// not revision-34 Noise names, such as noise-c's older `NoisePSK_…`) are kept as skipped without
/// checking their other fields. Every failure names the field.
struct NoiseVectorsInput {
    var vectors: [NoiseVector]
    var skipped: [String]

    struct FieldError: Error {
        var field: String
        var message: String
    }

    static func read(from path: String) throws -> NoiseVectorsInput {
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw usageFailure("noise-vectors", path, "cannot read: \(error.localizedDescription)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw usageFailure("noise-vectors", path, "not a JSON object")
        }
        do {
            return try parse(json)
        } catch let e as FieldError {
            throw usageFailure("noise-vectors", e.field, e.message)
        }
    }

    static func parse(_ json: [String: Any]) throws -> NoiseVectorsInput {
        guard let list = json["vectors"] else { throw FieldError(field: "vectors", message: "missing") }
        guard let entries = list as? [Any] else { throw FieldError(field: "vectors", message: "must be a list") }
        var result = NoiseVectorsInput(vectors: [], skipped: [])
        var ids = Set<String>()
        for (index, entry) in entries.enumerated() {
            let at = "vectors[\(index)]"
            guard let object = entry as? [String: Any] else { throw FieldError(field: at, message: "must be an object") }
            let vector = try parseVector(object, at: at)
            guard ids.insert(vector.id).inserted else { throw FieldError(field: "\(at).id", message: "duplicate id \(vector.id)") }
            if let vector = vector.vector {
                result.vectors.append(vector)
            } else {
                result.skipped.append(vector.id)
            }
        }
        return result
    }

    /// The vector, or nil (with its id) if its protocol is not implemented.
    static func parseVector(_ json: [String: Any], at: String) throws -> (id: String, vector: NoiseVector?) {
        func string(_ key: String) throws -> String? {
            guard let value = json[key] else { return nil }
            guard let s = value as? String else { throw FieldError(field: "\(at).\(key)", message: "must be a string") }
            return s
        }
        func bytes(_ value: Any?, _ field: String, length: Int? = nil) throws -> [UInt8]? {
            guard let value else { return nil }
            guard let s = value as? String else { throw FieldError(field: field, message: "must be a hex string") }
            guard let b = hex(s) else { throw FieldError(field: field, message: "must be a hex string (even length, 0-9a-f)") }
            if let length, b.count != length {
                throw FieldError(field: field, message: "must be \(length) bytes (got \(b.count))")
            }
            return b
        }
        let id = try string("id") ?? at
        let nameKey = json["protocol_name"] == nil && json["name"] != nil ? "name" : "protocol_name"
        guard let name = try string(nameKey) else { throw FieldError(field: "\(at).protocol_name", message: "missing") }
        // A name that is not a revision-34 Noise name (e.g. noise-c's older "NoisePSK_…") is a
        // protocol this module does not implement: skipped, like unsupported primitives.
        guard let protocolName = try? NoiseProtocolName(parsing: name), let pattern = try? protocolName.handshakePattern() else {
            return (id, nil)
        }

        func party(_ prefix: String, _ role: HandshakeState.Role) throws -> NoiseVector.Party {
            let initiator = role == .initiator
            func key(_ suffix: String, required: Bool, why: String) throws -> [UInt8]? {
                let field = "\(prefix)_\(suffix)"
                let value = try bytes(json[field], "\(at).\(field)", length: Noise.dhLength)
                if value == nil && required { throw FieldError(field: "\(at).\(field)", message: "missing (\(pattern.name) \(why))") }
                return value
            }
            let remotePre = initiator ? pattern.responderPreMessage : pattern.initiatorPreMessage
            let sendsE = pattern.messages.enumerated().contains { ($0.offset % 2 == 0) == initiator && $0.element.contains(.e) }
            let pskField = "\(prefix)_psks"
            var psks: [[UInt8]] = []
            if let value = json[pskField] {
                guard let list = value as? [Any] else { throw FieldError(field: "\(at).\(pskField)", message: "must be a list of hex strings") }
                psks = try list.enumerated().map { try bytes($0.element, "\(at).\(pskField)[\($0.offset)]", length: 32)! }
            }
            guard psks.count == pattern.pskCount else {
                throw FieldError(field: "\(at).\(pskField)", message: "\(pattern.name) needs \(pattern.pskCount) psk(s) (got \(psks.count))")
            }
            return NoiseVector.Party(
                prologue: try bytes(json["\(prefix)_prologue"], "\(at).\(prefix)_prologue") ?? [],
                staticPrivateKey: try key("static", required: initiator ? pattern.initiatorNeedsStatic : pattern.responderNeedsStatic,
                                          why: "uses this party's static key"),
                ephemeralPrivateKey: try key("ephemeral", required: sendsE, why: "has this party send an ephemeral key"),
                remoteStaticPublicKey: try key("remote_static", required: remotePre.contains(.s), why: "has the peer's static key as a pre-message"),
                psks: psks)
        }
        let initiator = try party("init", .initiator)
        let responder = try party("resp", .responder)
        let handshakeHash = try bytes(json["handshake_hash"], "\(at).handshake_hash", length: Noise.hashLength)
        guard let rawMessages = json["messages"] else { throw FieldError(field: "\(at).messages", message: "missing") }
        guard let list = rawMessages as? [Any] else { throw FieldError(field: "\(at).messages", message: "must be a list") }
        let messages: [NoiseVector.Message] = try list.enumerated().map { i, element in
            let field = "\(at).messages[\(i)]"
            guard let m = element as? [String: Any] else { throw FieldError(field: field, message: "must be an object") }
            guard let payload = try bytes(m["payload"], "\(field).payload") else { throw FieldError(field: "\(field).payload", message: "missing") }
            guard let ciphertext = try bytes(m["ciphertext"], "\(field).ciphertext") else { throw FieldError(field: "\(field).ciphertext", message: "missing") }
            return NoiseVector.Message(payload: payload, ciphertext: ciphertext)
        }
        guard messages.count >= pattern.messages.count else {
            throw FieldError(field: "\(at).messages", message: "\(pattern.name) has \(pattern.messages.count) handshake messages (got \(messages.count) messages)")
        }
        return (id, NoiseVector(id: id, protocolName: name, initiator: initiator, responder: responder,
                                handshakeHash: handshakeHash, messages: messages))
    }

    static func hex(_ s: String) -> [UInt8]? {
        let digits = Array(s.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
