/// Validates nng URLs given in configs and flags.
public enum URLCheck {
    /// Schemes nng 1.5.2 serves here.
    public static let schemes = ["tcp://", "tcp4://", "tcp6://", "ipc://", "inproc://", "tls+tcp://", "ws://"]

    public static func validate(_ url: String, field: String) throws {
        guard schemes.contains(where: { url.hasPrefix($0) }), url.count > 6 else {
            throw ConfigError(field: field, message: "'\(url)' is not an nng URL; expected one of \(schemes.joined(separator: ", "))")
        }
    }

    /// A dialable form of a listen URL: `tcp://0.0.0.0:7400` → `tcp://127.0.0.1:7400`.
    public static func dialable(_ listenURL: String, host: String = "127.0.0.1") -> String {
        listenURL.replacing("://0.0.0.0:", with: "://\(host):").replacing("://*:", with: "://\(host):")
    }
}
