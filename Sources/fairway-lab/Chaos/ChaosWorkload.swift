import FairwayControlJSON
import FairwayCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command to completion or until `timeoutSeconds`, capturing its output. The blocking
/// waits happen on Dispatch threads, never on the (small) cooperative pool, so a slow child
/// never starves the schedule. Output goes to temporary files opened close-on-exec, not to
/// pipes: a daemon restarted meanwhile must not inherit a pipe's write end (its reader would
/// wait for an end of file that comes only when the daemon exits).
/// - Returns: the exit status (nil: killed at the timeout) and stdout/stderr text.
func runCapturing(_ executable: String, _ arguments: [String], timeoutSeconds: Double) async -> (status: Int32?, out: String, err: String) {
    await withCheckedContinuation { (continuation: CheckedContinuation<(status: Int32?, out: String, err: String), Never>) in
        DispatchQueue.global().async {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-chaos-op-\(UUID().uuidString)").path
            defer {
                unlink(base + ".out")
                unlink(base + ".err")
            }
            let outFD = open(base + ".out", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            let errFD = open(base + ".err", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard outFD >= 0, errFD >= 0 else {
                if outFD >= 0 { close(outFD) }
                if errFD >= 0 { close(errFD) }
                continuation.resume(returning: (1, "", "cannot create output files at \(base): \(String(cString: strerror(errno)))"))
                return
            }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments
            p.standardOutput = FileHandle(fileDescriptor: outFD, closeOnDealloc: true)
            p.standardError = FileHandle(fileDescriptor: errFD, closeOnDealloc: true)
            p.standardInput = FileHandle.nullDevice
            do { try p.run() } catch {
                continuation.resume(returning: (1, "", "cannot start \(executable): \(error)"))
                return
            }
            let pid = p.processIdentifier
            ChaosCleanup.shared.remember(pid)
            let timedOut = TimeoutMark()
            DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) {
                if p.isRunning {
                    timedOut.set()
                    kill(pid, SIGKILL)
                }
            }
            p.waitUntilExit()
            ChaosCleanup.shared.forget(pid)
            let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
            continuation.resume(returning: (timedOut.isSet ? nil : p.terminationStatus, out, err))
        }
    }
}

/// Set once by the timeout killer.
private final class TimeoutMark: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// The harness's own clients, each a real `fairwayctl` process (in the client namespace):
/// one inference client per edge server (an agent identity of its own that fails over to the
/// next edge when its edge does not serve it), a status reader and a ledger reader against the
/// coordinator. Every operation is recorded as invoke → ok / fail / unknown.
struct ChaosWorkload: Sendable {
    var fairwayctl: String
    var network: ChaosNetwork?
    var coordinatorURL: String
    var edgeURLs: [String]
    /// Key files of the inference clients' identities (one per client).
    var keyFiles: [String]
    var digitsFile: String
    var history: HistoryRecorder

    private func command(_ args: [String]) -> (String, [String]) {
        network?.wrap(.client, fairwayctl, args) ?? (fairwayctl, args)
    }

    /// An error text that says the request was definitely not applied (a refusal).
    private static func definite(_ text: String) -> Bool {
        let t = text.lowercased()
        return !(t.contains("no reply") || t.contains("noreply") || t.contains("no-reply") || t.contains("timed out") || t.contains("timeout")
                 || t.contains("unavailable") || t.contains("in progress") || t.contains("in-progress"))
    }

    /// Inference client `index` until `stop` says so: one request every ~250 ms, moving to the
    /// next edge when its edge does not answer or is unavailable.
    func inferenceClient(_ index: Int, stop: @escaping @Sendable () -> Bool) async {
        var edge = index % edgeURLs.count
        var row = index * 97
        while !stop() {
            let op = history.newOp()
            var e = HistoryEvent(op: op, type: "invoke", process: "client-\(index + 1)", f: "request", t_ms: -1)
            e.edge = edgeURLs[edge]
            history.record(e)
            let (exe, args) = command(["request", "--edge", edgeURLs[edge], "--key-file", keyFiles[index], "--bucket-size", "20",
                                       "--timeout-ms", "2000", "--json", "--digit-row", "\(row % 1700)", "--digits-file", digitsFile])
            row += 1
            let r = await runCapturing(exe, args, timeoutSeconds: 6)
            var outcome = e
            outcome.t_ms = -1
            if r.status == 0, let doc = try? JSONDecoder().decode(InferenceDocument.self, from: Data(r.out.utf8)) {
                outcome.type = "ok"
                outcome.agent = doc.agent_id
                outcome.charged = doc.charged
            } else {
                let text = (r.err + r.out).trimmingCharacters(in: .whitespacesAndNewlines)
                outcome.type = r.status != nil && Self.definite(text) ? "fail" : "unknown"
                outcome.error = String((r.status == nil ? "killed after 6 s without an answer" : text).suffix(300))
                // Fail over like an agent: when the edge does not answer or is unavailable, not
                // when it refuses for want of tokens (those are leased at this edge; wait for them).
                if outcome.type == "unknown" || text.contains("unavailable") || text.contains("unknown-sender") {
                    edge = (edge + 1) % edgeURLs.count
                }
            }
            history.record(outcome)
            if outcome.type != "ok" { try? await Task.sleep(for: .milliseconds(100)) }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Reads the coordinator's status every ~300 ms.
    func statusReader(stop: @escaping @Sendable () -> Bool) async {
        while !stop() {
            let op = history.newOp()
            let e = HistoryEvent(op: op, type: "invoke", process: "status", f: "status", t_ms: -1)
            history.record(e)
            let (exe, args) = command(["status", "--coordinator", coordinatorURL, "--json", "--timeout-ms", "1500"])
            let r = await runCapturing(exe, args, timeoutSeconds: 5)
            var outcome = e
            outcome.t_ms = -1
            if r.status == 0, let doc = try? JSONDecoder().decode(StatusDocument.self, from: Data(r.out.utf8)) {
                outcome.type = "ok"
                outcome.epoch = doc.epoch
                outcome.edges_alive = doc.nodes.filter { $0.role == NodeRole.edgeServer.rawValue && $0.state == MemberState.alive.rawValue }.count
            } else {
                let text = (r.err + r.out).trimmingCharacters(in: .whitespacesAndNewlines)
                outcome.type = r.status != nil && Self.definite(text) ? "fail" : "unknown"
                outcome.error = String((r.status == nil ? "killed after 5 s without an answer" : text).suffix(300))
            }
            history.record(outcome)
            try? await Task.sleep(for: .milliseconds(300))
        }
    }

    /// Fetches and verifies the whole ledger every ~2 s (`fairwayctl ledger verify`), recording
    /// the size and root it saw.
    func ledgerReader(stop: @escaping @Sendable () -> Bool) async {
        struct Doc: Decodable { var ok: Bool; var tree_size: UInt64; var root: String }
        while !stop() {
            let op = history.newOp()
            let e = HistoryEvent(op: op, type: "invoke", process: "ledger", f: "ledger-verify", t_ms: -1)
            history.record(e)
            let (exe, args) = command(["ledger", "verify", "--coordinator", coordinatorURL, "--json", "--timeout-ms", "3000"])
            let r = await runCapturing(exe, args, timeoutSeconds: 10)
            var outcome = e
            outcome.t_ms = -1
            if (r.status == 0 || r.status == 1), let doc = try? JSONDecoder().decode(Doc.self, from: Data(r.out.utf8)) {
                outcome.type = "ok"
                outcome.tree_size = doc.tree_size
                outcome.root = doc.root
                outcome.verified = doc.ok
            } else {
                let text = (r.err + r.out).trimmingCharacters(in: .whitespacesAndNewlines)
                outcome.type = r.status != nil && Self.definite(text) ? "fail" : "unknown"
                outcome.error = String((r.status == nil ? "killed after 10 s without an answer" : text).suffix(300))
            }
            history.record(outcome)
            try? await Task.sleep(for: .milliseconds(2000))
        }
    }
}
