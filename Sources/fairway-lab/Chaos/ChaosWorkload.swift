import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command to completion or until `timeoutSeconds`, capturing its output. The child is
/// started with `posix_spawn` (`ProcessSpawner`) with its output in temporary files it opens
/// itself, and reaped by pid with `waitpid` polled from this task: no pipes a daemon restarted
/// meanwhile could inherit, no blocking of the cooperative pool, and none of Foundation
/// `Process`'s exit monitoring (which left a child unreaped, and the run hung, under load).
/// - Returns: the exit status (nil: killed at the timeout) and stdout/stderr text.
func runCapturing(_ executable: String, _ arguments: [String], timeoutSeconds: Double) async -> (status: Int32?, out: String, err: String) {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-chaos-op-\(UUID().uuidString)").path
    defer {
        unlink(base + ".out")
        unlink(base + ".err")
    }
    let pid: pid_t
    do { pid = try ProcessSpawner.spawn(executable, arguments, logPath: base + ".out", errorPath: base + ".err") } catch {
        return (1, "", "cannot start \(executable): \(error)")
    }
    ChaosCleanup.shared.remember(pid)
    let deadline = ContinuousClock.now + .milliseconds(Int64(timeoutSeconds * 1000))
    var timedOut = false
    var status: Int32 = 0
    while true {
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid || rc < 0 { break }
        if !timedOut && ContinuousClock.now > deadline {
            kill(pid, SIGKILL)
            timedOut = true
        }
        try? await Task.sleep(for: .milliseconds(20))
    }
    ChaosCleanup.shared.forget(pid)
    let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
    let signaled = status & 0x7f
    return (timedOut ? nil : (signaled == 0 ? (status >> 8) & 0xff : 128 + signaled), out, err)
}

/// The harness's own clients, each a real `fairwayctl` process (in the client namespace):
/// one inference client per edge server (an agent identity of its own that fails over to the
/// next edge when its edge does not serve it), a status reader and a ledger reader against the
/// coordinator. Every operation is recorded as invoke → ok / fail / unknown.
struct ChaosWorkload: Sendable {
    var fairwayctl: String
    /// Wraps a client's command line to run where the clients live (the client namespace).
    var wrap: @Sendable (String, [String]) -> (String, [String])
    var coordinatorURL: String
    var edgeURLs: [String]
    /// Key files of the inference clients' identities (one per client).
    var keyFiles: [String]
    var digitsFile: String
    var history: HistoryRecorder

    private func command(_ args: [String]) -> (String, [String]) {
        wrap(fairwayctl, args)
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
