import FairwayCore
import FairwayWire
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A node's key pair on disk: one line of hex (the 32-byte Ed25519 seed), mode 0600.
///
/// Created on first start (`loadOrCreate`); a file readable by group or others is refused,
/// like ssh does, because anyone who reads it can act as the node.
public enum NodeKeyFile {
    /// Loads the key at `path`, creating a fresh one (mode 0600) if the file does not exist.
    /// - Throws: `ConfigError` naming the file if it is unreadable, malformed or too open.
    public static func loadOrCreate(_ path: String) throws -> NodeKey {
        if FileManager.default.fileExists(atPath: path) { return try load(path) }
        let key = NodeKey()
        do {
            try write(key, to: path)
        } catch where FileManager.default.fileExists(atPath: path) {
            return try load(path)  // another process created it first
        }
        return key
    }

    /// Loads an existing key file.
    public static func load(_ path: String) throws -> NodeKey {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw ConfigError(field: "key_file", message: "cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw ConfigError(field: "key_file", message: "\(path) has mode \(String(st.st_mode & 0o777, radix: 8)); a node key must not be readable by group or others (chmod 600 \(path))")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(field: "key_file", message: "cannot read \(path)")
        }
        guard let raw = bytes(fromHex: text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == NodeKey.privateKeyLength else {
            throw ConfigError(field: "key_file", message: "\(path) does not hold a 64-hex-digit Ed25519 private key")
        }
        return try NodeKey(privateKey: raw)
    }

    /// Writes `key` to `path` with mode 0600, atomically (temporary file, fsync, rename);
    /// refuses to overwrite an existing file.
    public static func write(_ key: NodeKey, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try DataDirectory.ensure(dir) }
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else {
            throw ConfigError(field: "key_file", message: "cannot create \(tmp): \(String(cString: strerror(errno)))")
        }
        let line = Array((hex(key.privateKeyBytes) + "\n").utf8)
        let written = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == line.count, synced else {
            unlink(tmp)
            throw ConfigError(field: "key_file", message: "cannot write \(tmp)")
        }
        // link(2) fails if `path` exists: never overwrite a key another process just created.
        guard link(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw ConfigError(field: "key_file", message: "cannot create \(path): \(String(cString: strerror(e)))")
        }
        unlink(tmp)
    }
}
