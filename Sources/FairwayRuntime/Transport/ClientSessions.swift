import FairwayCore
import FairwayWire
import Synchronization

/// One established session of a client, seen from the initiator.
final class ClientSession: Sendable {
    let id: UInt64
    let peer: PeerIdentity
    let keys: SessionKeys
    let established: ContinuousClock.Instant
    private let state = Mutex<(next: UInt64, window: ReplayWindow)>((0, ReplayWindow()))

    init(id: UInt64, peer: PeerIdentity, keys: SessionKeys) {
        self.id = id
        self.peer = peer
        self.keys = keys
        self.established = .now
    }

    /// Messages sent so far.
    var sent: UInt64 { state.withLock { $0.next } }

    /// Encrypts the next request under a fresh counter.
    func seal(_ plaintext: [UInt8]) -> SessionMessage {
        let counter = state.withLock { s in
            defer { s.next += 1 }
            return s.next
        }
        return SessionCipher.seal(plaintext, key: keys.sendKey, sessionID: id, counter: counter)
    }

    /// Authenticates a reply of this session: id, window, tag (the window is marked only after
    /// the tag verified).
    func open(_ message: SessionMessage) throws(FairwayError) -> [UInt8] {
        guard message.sessionID == id else {
            throw FairwayError(.unauthenticated, "reply is for session \(hexID(message.sessionID)), not \(hexID(id))", field: "frame.session.session_id")
        }
        guard state.withLock({ $0.window.check(message.counter) }) == .fresh else {
            throw FairwayError(.replayed, "reply counter \(message.counter) of session \(hexID(id)) already seen or too old", field: "frame.session.counter")
        }
        let plaintext = try SessionCipher.open(message, key: keys.receiveKey)
        guard state.withLock({ $0.window.mark(message.counter) }) == .fresh else {
            throw FairwayError(.replayed, "reply counter \(message.counter) of session \(hexID(id)) already seen", field: "frame.session.counter")
        }
        return plaintext
    }
}

/// A client's sessions with one server: one per local identity speaking (an agent process
/// speaks for many), handshaken on first use and again when rekeying is due or the server
/// forgot the session. Concurrent calls of one identity share a handshake: the first leads
/// (its request rides on message 3), the others wait for its session.
final class ClientSessions: Sendable {
    enum Acquired {
        case session(ClientSession)
        /// No usable session: the caller handshakes and then calls `install` or `abandon`.
        case lead(SessionIdentity)
    }

    private struct State {
        var sessions: [NodeID: ClientSession] = [:]
        var identities: [NodeID: SessionIdentity] = [:]
        var leading: Set<NodeID> = []
        var waiters: [NodeID: [CheckedContinuation<Void, Never>]] = [:]
        var pinned: NodeID?
    }

    private let settings: TransportSettings
    private let state = Mutex(State())

    init(settings: TransportSettings) {
        self.settings = settings
    }

    /// Only this peer may answer handshakes from now on (a handshake with another identity
    /// is refused as `unauthenticated`).
    func pin(_ peer: NodeID) { state.withLock { $0.pinned = peer } }
    var pinned: NodeID? { state.withLock { $0.pinned } }

    /// The session `key` speaks in, or the lead of a new handshake. Waits while another
    /// call of the same identity handshakes.
    func acquire(_ key: NodeKey) async -> Acquired {
        while true {
            enum Step { case got(Acquired), wait }
            let step: Step = state.withLock { s in
                if let session = s.sessions[key.nodeID], !dueForRekey(session) { return .got(.session(session)) }
                if s.leading.contains(key.nodeID) { return .wait }
                s.leading.insert(key.nodeID)
                if s.identities[key.nodeID] == nil { s.identities[key.nodeID] = SessionIdentity(key) }
                return .got(.lead(s.identities[key.nodeID]!))
            }
            switch step {
            case .got(let a): return a
            case .wait:
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { s -> Bool in
                        guard s.leading.contains(key.nodeID) else { return true }
                        s.waiters[key.nodeID, default: []].append(c)
                        return false
                    }
                    if resumeNow { c.resume() }
                }
            }
        }
    }

    /// The lead's handshake succeeded: `session` serves `key` from now on.
    func install(_ session: ClientSession, for key: NodeID) {
        let waiting = state.withLock { s in
            s.sessions[key] = session
            s.leading.remove(key)
            return s.waiters.removeValue(forKey: key) ?? []
        }
        for c in waiting { c.resume() }
    }

    /// The lead's handshake failed: a waiting call takes the lead.
    func abandon(_ key: NodeID) {
        let waiting = state.withLock { s in
            s.leading.remove(key)
            return s.waiters.removeValue(forKey: key) ?? []
        }
        for c in waiting { c.resume() }
    }

    /// The server forgot `session` (`unknown-session`): the next call handshakes again.
    func drop(_ session: ClientSession, for key: NodeID) {
        state.withLock { s in
            if s.sessions[key] === session { s.sessions[key] = nil }
        }
    }

    private func dueForRekey(_ session: ClientSession) -> Bool {
        session.established.duration(to: .now) >= .seconds(settings.sessionRekeyAfterSeconds)
            || session.sent >= UInt64(settings.sessionRekeyAfterMessages)
    }
}
