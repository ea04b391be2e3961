import FairwayCore
import Foundation
import GRDB

/// Opens a daemon's SQLite database under its data directory: WAL journal,
/// `synchronous = FULL` (an acknowledged write survives kill -9 and power loss).
public enum FairwayDatabase {
    public static func open(directory: String, name: String, migrator: DatabaseMigrator) throws -> DatabasePool {
        try DataDirectory.ensure(directory)
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try DatabasePool(path: (directory as NSString).appendingPathComponent(name), configuration: config)
        try migrator.migrate(pool)
        return pool
    }
}

/// The data directory of a daemon.
public enum DataDirectory {
    /// Creates `path` (and parents) if missing; throws `ConfigError` if it cannot.
    public static func ensure(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw ConfigError(field: "data_dir", message: "\(path) exists and is not a directory")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ConfigError(field: "data_dir", message: "cannot create \(path): \(error.localizedDescription)")
        }
    }
}
