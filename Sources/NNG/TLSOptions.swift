import CNNG

/// TLS settings of one `tls+tcp://` endpoint (nng's mbedTLS transport).
///
/// Fairway uses mutual TLS between nodes: every node has a certificate signed by the
/// cluster CA, listeners require one from their peers (`requirePeerCertificate`), and
/// dialers verify the listener's certificate against the same CA.
public struct TLSOptions: Sendable, Hashable {
    /// PEM file holding this endpoint's certificate followed by its private key.
    public var certificateAndKeyFile: String
    /// PEM file of the CA certificate(s) that peers' certificates must chain to.
    public var caFile: String
    /// Listener: refuse peers without a valid certificate. Default true (mutual TLS).
    public var requirePeerCertificate = true
    /// Dialer: the name the listener's certificate must carry (default: the URL's host).
    /// mbedTLS 2 matches it against DNS subjectAltNames only, so certificates for IP
    /// addresses list the address as a DNS name too (scripts/gen-certs.sh does).
    public var serverName: String?

    public init(certificateAndKeyFile: String, caFile: String, requirePeerCertificate: Bool = true, serverName: String? = nil) {
        self.certificateAndKeyFile = certificateAndKeyFile
        self.caFile = caFile
        self.requirePeerCertificate = requirePeerCertificate
        self.serverName = serverName
    }
}

extension TLSOptions {
    /// The host part of `scheme://host:port` (brackets of IPv6 literals removed).
    static func host(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        var rest = url[schemeEnd.upperBound...]
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            return String(rest[rest.index(after: rest.startIndex)..<close])
        }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return rest.isEmpty ? nil : String(rest)
    }
}

extension Socket {
    /// Listens on a `tls+tcp://` URL with `tls`. Returns the bound TCP port.
    /// - Throws: `NNGError` for a bad URL, unreadable or invalid certificate files, or a busy address.
    @discardableResult
    public func listen(_ url: String, tls: TLSOptions) throws -> Int? {
        let h = handle
        let (rv, op, port): (Int32, String, Int?) = ifOpen {
            var l = nng_listener()
            var rv = nng_listener_create(&l, h, url)
            if rv != 0 { return (rv, "nng_listener_create(\(url))", nil) }
            rv = nng_listener_set_string(l, NNG_OPT_TLS_CA_FILE, tls.caFile)
            if rv != 0 { nng_listener_close(l); return (rv, "tls ca file \(tls.caFile)", nil) }
            rv = nng_listener_set_string(l, NNG_OPT_TLS_CERT_KEY_FILE, tls.certificateAndKeyFile)
            if rv != 0 { nng_listener_close(l); return (rv, "tls cert/key file \(tls.certificateAndKeyFile)", nil) }
            let mode = tls.requirePeerCertificate ? NNG_TLS_AUTH_MODE_REQUIRED : NNG_TLS_AUTH_MODE_NONE
            rv = nng_listener_set_int(l, NNG_OPT_TLS_AUTH_MODE, Int32(mode.rawValue))
            if rv != 0 { nng_listener_close(l); return (rv, "tls auth mode", nil) }
            rv = nng_listener_start(l, 0)
            if rv != 0 { nng_listener_close(l); return (rv, "nng_listener_start(\(url))", nil) }
            var port: Int32 = 0
            return (0, "", nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port) == 0 ? Int(port) : nil)
        } ?? (NNGError.closed, "listen(\(url))", nil)
        try NNGError.check(rv, op)
        return port
    }

    /// Dials a `tls+tcp://` URL with `tls`, non-blocking (reconnects in the background).
    public func dial(_ url: String, tls: TLSOptions) throws {
        let h = handle
        let (rv, op): (Int32, String) = ifOpen {
            var d = nng_dialer()
            var rv = nng_dialer_create(&d, h, url)
            if rv != 0 { return (rv, "nng_dialer_create(\(url))") }
            rv = nng_dialer_set_string(d, NNG_OPT_TLS_CA_FILE, tls.caFile)
            if rv != 0 { nng_dialer_close(d); return (rv, "tls ca file \(tls.caFile)") }
            rv = nng_dialer_set_string(d, NNG_OPT_TLS_CERT_KEY_FILE, tls.certificateAndKeyFile)
            if rv != 0 { nng_dialer_close(d); return (rv, "tls cert/key file \(tls.certificateAndKeyFile)") }
            rv = nng_dialer_set_int(d, NNG_OPT_TLS_AUTH_MODE, Int32(NNG_TLS_AUTH_MODE_REQUIRED.rawValue))
            if rv != 0 { nng_dialer_close(d); return (rv, "tls auth mode") }
            if let name = tls.serverName ?? TLSOptions.host(of: url) {
                rv = nng_dialer_set_string(d, NNG_OPT_TLS_SERVER_NAME, name)
                if rv != 0 { nng_dialer_close(d); return (rv, "tls server name") }
            }
            rv = nng_dialer_start(d, Int32(NNG_FLAG_NONBLOCK))
            if rv != 0 { nng_dialer_close(d); return (rv, "nng_dialer_start(\(url))") }
            return (0, "")
        } ?? (NNGError.closed, "dial(\(url))")
        try NNGError.check(rv, op)
    }
}
