import FairwayCore
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Starts daemons as real, detached processes (own session, output to a log file),
/// so they outlive the command that started them and can be signalled by pid.
public enum ProcessSpawner {
    /// glibc's POSIX_SPAWN_SETSID (not exported to Swift): the child starts a new session.
    private static let spawnSetSID: Int16 = 0x80

    /// Spawns `executable` with `arguments`; stdout is appended to `logPath`, stderr
    /// to `errorPath` (default: the same file).
    /// - Returns: the child's pid.
    public static func spawn(_ executable: String, _ arguments: [String], logPath: String, errorPath: String? = nil,
                             environment: [String: String] = [:]) throws -> pid_t {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ConfigError(field: "executable", message: "\(executable) is not an executable file (build it with `swift build`)")
        }
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let errorPath {
            posix_spawn_file_actions_addopen(&fileActions, 2, errorPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, spawnSetSID)

        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &fileActions, &attr, argv, envp)
        guard rc == 0 else {
            throw ConfigError(field: "executable", message: "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    /// Whether `pid` is a live process. Zombies count as gone (and are reaped when
    /// they are our children — or orphans adopted by us as a subreaper).
    public static func isAlive(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        guard kill(pid, 0) == 0 else { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            if state == "Z" || state == "X" { return false }
        }
        return true
    }

    /// Waits (polling, never blocking a thread) for our child `pid` to exit.
    /// - Returns: its exit status, or 128 + signal number if a signal ended it.
    public static func waitForExit(_ pid: pid_t, pollEvery: Duration = .milliseconds(20)) async -> Int32 {
        while true {
            var status: Int32 = 0
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if rc < 0 { return -1 }
            try? await Task.sleep(for: pollEvery)
        }
    }

    /// Sends `signal`, then waits up to `grace` for exit; SIGKILLs after that.
    /// - Returns: true if the process exited within `grace`.
    @discardableResult
    public static func stop(_ pid: pid_t, signal: Int32 = SIGTERM, grace: Duration = .seconds(5)) async -> Bool {
        guard isAlive(pid) else { return true }
        kill(pid, signal)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if !isAlive(pid) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(pid, SIGKILL)
        for _ in 0..<40 where isAlive(pid) { try? await Task.sleep(for: .milliseconds(50)) }
        return false
    }

    /// Directory of the running executable (where sibling daemons are built).
    public static func ownDirectory() -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConfigError(field: "port", message: "socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, len) == 0 && getsockname(fd, p, &len) == 0
            }
        }
        guard bound else { throw ConfigError(field: "port", message: "cannot find a free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
