/// A stored row that no longer decodes or breaks an invariant: the data directory is corrupt
/// or was written by an incompatible version. The daemon refuses to start on it.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// The table holding the row.
    public var table: String
    /// The row's key, when known.
    public var row: String
    public var message: String

    public init(table: String, row: String, message: String) {
        self.table = table
        self.row = row
        self.message = message
    }

    public var description: String { "corrupt storage: \(table)\(row.isEmpty ? "" : "[\(row)]"): \(message)" }

    /// Runs `decode`, turning any error into a `StorageError` for `table`/`row`.
    public static func decoding<T>(table: String, row: String, _ decode: () throws -> T) throws -> T {
        do { return try decode() } catch let e as StorageError { throw e } catch {
            throw StorageError(table: table, row: row, message: "\(error)")
        }
    }
}
