import FairwayCore
import FairwayWire

/// One fuzz input: bytes as they would arrive on any Fairway socket.
///
/// Properties checked (a violation traps, which libFuzzer reports as a crash):
/// - decoding never crashes, whatever the bytes;
/// - anything that decodes re-encodes and decodes to an equal envelope;
/// - a refusal always names what was wrong (non-empty message).
func fuzzOne(_ bytes: [UInt8]) {
    do {
        let envelope = try WireCodec.decode(bytes, maxBytes: 1 << 20)
        let again = try? WireCodec.decode(WireCodec.encode(envelope), maxBytes: 1 << 20)
        precondition(again == envelope, "re-encoding changed the envelope: \(envelope)")
    } catch {
        precondition(!error.error.message.isEmpty, "refusal without a message: \(error.error)")
    }
}

#if FUZZING
/// libFuzzer entry point (built with `-sanitize=fuzzer`; see `make fuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#endif
