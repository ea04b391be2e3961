import FairwayCore
import FairwayWire

/// One fuzz input, fed to both layers: as a sealed message arriving on a socket
/// (`WireCodec.open`: outer protobuf, key and signature checks) and as the inner envelope
/// (`WireCodec.decode`: every payload's domain mapping, which random bytes could never
/// reach through a valid signature).
///
/// Properties checked (a violation traps, which libFuzzer reports as a crash):
/// - neither layer crashes, whatever the bytes;
/// - anything that decodes re-encodes and decodes to an equal envelope;
/// - a refusal always names what was wrong (non-empty message).
///
/// The same input then goes through the session layer of wire protocol 2 (`SessionFuzz`).
func fuzzOne(_ bytes: [UInt8]) {
    SessionFuzz.fuzz(bytes)
    do {
        let opened = try WireCodec.open(bytes, maxBytes: 1 << 20)
        precondition(opened.envelope.sender == NodeAddress.of(publicKey: opened.publicKey), "open accepted a sender that is not the key's address")
    } catch {
        precondition(!error.error.message.isEmpty, "refusal without a message: \(error.error)")
    }
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

/// libFuzzer's driver (libclang_rt.fuzzer): parses libFuzzer flags and runs the loop.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`; in the fuzzing build that
/// entry point hands control to libFuzzer's driver.
@_cdecl("fairway_fuzz_main")
public func fairwayFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput)
}
#endif
