import Crypto
import FairwayCore
import FairwayWire
import Synchronization

/// The Noise sessions of one REP socket and its half-open handshakes (wire protocol 2).
///
/// - A handshake starts (message 1) only within the socket's handshake budget
///   (`handshakesPerSecond`, a token bucket over all peers: message 1 names nobody), and at
///   most `maxPendingHandshakes` wait for their message 3 (oldest dropped first, each for at
///   most `handshakeTimeoutMilliseconds`). Message 3 names the peer: each peer may complete
///   `peerHandshakesPerSecond`. A failed message 3 leaves its handshake pending, so a forged
///   one cannot kill an honest handshake. Established sessions are served whatever the
///   handshake load: refusing a handshake costs no DH.
/// - A session lives `sessionRejectAfterSeconds` from its handshake (clients rekey earlier),
///   at most `maxSessions` are kept (oldest first out); a message for any other id is refused
///   with `unknown-session`, and the client handshakes again.
/// - Each session keeps a `ReplayWindow` of received counters, marked only after the AEAD tag
///   verified, and a send counter for its replies.
final class ServerSessions: Sendable {
    struct Session: Sendable {
        let peer: PeerIdentity
        let keys: SessionKeys
        /// SHA-256 of message 3: an nng resend of it is recognised.
        let finishDigest: [UInt8]
        let established: Timestamp
        var window = ReplayWindow()
        var sendCounter: UInt64 = 0
    }

    private struct Pending: Sendable {
        let handshake: ResponderHandshake
        let created: Timestamp
    }

    private struct State: Sendable {
        var sessions: [UInt64: Session] = [:]
        var order: [UInt64] = []
        var orderHead = 0
        var pending: [UInt64: Pending] = [:]
        var pendingOrder: [UInt64] = []
        var pendingHead = 0
        var handshakeTokens: Double
        var handshakeUpdated: Timestamp = .zero
        var peerLimiter: PeerRateLimiter
    }

    /// A message that authenticated in its session.
    struct Opened: Sendable {
        let peer: PeerIdentity
        let plaintext: [UInt8]
        /// Its counter was already received in this session: only an exact resend of an
        /// answered request may be served (from the reply cache).
        let repeated: Bool
    }

    let identity: SessionIdentity
    let settings: TransportSettings
    private let authorize: @Sendable (PeerIdentity) -> FairwayError?
    private let state: Mutex<State>

    init(identity: NodeKey, settings: TransportSettings, authorize: @escaping @Sendable (PeerIdentity) -> FairwayError?) {
        self.identity = SessionIdentity(identity)
        self.settings = settings
        self.authorize = authorize
        self.state = Mutex(State(handshakeTokens: settings.handshakeBurst,
                                 peerLimiter: PeerRateLimiter(ratePerSecond: settings.peerHandshakesPerSecond, burst: settings.peerHandshakeBurst)))
    }

    var sessionCount: Int { state.withLock { $0.sessions.count } }
    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Answers message 1 with message 2, or refuses.
    func start(_ message1: [UInt8], now: Timestamp) -> SessionFrame {
        let wait: Int64? = state.withLock { s in
            expirePending(&s, now: now)
            let elapsed = Double(max(0, now.milliseconds(since: s.handshakeUpdated))) / 1000
            s.handshakeTokens = min(settings.handshakeBurst, s.handshakeTokens + elapsed * settings.handshakesPerSecond)
            s.handshakeUpdated = now
            guard s.handshakeTokens >= 1 else {
                return Int64(((1 - s.handshakeTokens) / settings.handshakesPerSecond * 1000).rounded(.up))
            }
            s.handshakeTokens -= 1
            return nil
        }
        if let wait {
            return .error(FairwayError(.unavailable, "handshake budget of \(settings.handshakesPerSecond)/s exceeded; established sessions are unaffected",
                                       field: "frame.handshake_init", retryAfterMilliseconds: max(1, wait)))
        }
        let responder: ResponderHandshake, message2: [UInt8]
        do throws(FairwayError) { (responder, message2) = try ResponderHandshake.respond(to: message1, identity: identity) } catch {
            return .error(error)
        }
        let id: UInt64 = state.withLock { s in
            var id = UInt64.random(in: 1..<UInt64.max)
            while s.pending[id] != nil || s.sessions[id] != nil { id = UInt64.random(in: 1..<UInt64.max) }
            if s.pending.count >= settings.maxPendingHandshakes { dropOldestPending(&s) }
            s.pending[id] = Pending(handshake: responder, created: now)
            s.pendingOrder.append(id)
            return id
        }
        return .handshakeResponse(handshakeID: id, noise: message2)
    }

    /// Completes handshake `id` with message 3 (or recognises a resend of it).
    func finish(_ id: UInt64, message3: [UInt8], now: Timestamp) -> Result<PeerIdentity, FairwayError> {
        let digest = [UInt8](SHA256.hash(data: message3))
        enum Found { case resend(PeerIdentity), pending(ResponderHandshake), none }
        let found: Found = state.withLock { s in
            if let session = s.sessions[id], session.finishDigest == digest { return .resend(session.peer) }
            if let p = s.pending[id] { return .pending(p.handshake) }
            return .none
        }
        let handshake: ResponderHandshake
        switch found {
        case .resend(let peer): return .success(peer)
        case .none:
            return .failure(FairwayError(.unknownSession, "no handshake \(hexID(id)) is pending (expired after \(settings.handshakeTimeoutMilliseconds) ms, or never started); start again",
                                         field: "frame.handshake_finish.handshake_id"))
        case .pending(let h): handshake = h
        }
        let peer: PeerIdentity, keys: SessionKeys
        do throws(FairwayError) { (peer, keys) = try handshake.finish(message3) } catch { return .failure(error) }
        if var refusal = authorize(peer) {
            refusal.peer = peer.nodeID.rawValue
            return .failure(refusal)
        }
        return state.withLock { s in
            if let wait = s.peerLimiter.admit(peer.nodeID, now: now) {
                return .failure(FairwayError(.unavailable, "handshake rate of \(settings.peerHandshakesPerSecond)/s for \(peer.nodeID) exceeded",
                                             field: "frame.handshake_finish", peer: peer.nodeID.rawValue, retryAfterMilliseconds: max(1, wait)))
            }
            guard s.pending.removeValue(forKey: id) != nil else {
                return .failure(FairwayError(.unknownSession, "handshake \(hexID(id)) expired", field: "frame.handshake_finish.handshake_id"))
            }
            expireSessions(&s, now: now)
            while s.sessions.count >= settings.maxSessions, dropOldestSession(&s) {}
            s.sessions[id] = Session(peer: peer, keys: keys, finishDigest: digest, established: now)
            s.order.append(id)
            return .success(peer)
        }
    }

    /// Authenticates a transport message: its session, its counter (window), its tag.
    func open(_ message: SessionMessage, now: Timestamp) -> Result<Opened, FairwayError> {
        let lookup: Result<(Session, ReplayWindow.Verdict), FairwayError> = state.withLock { s in
            guard let session = s.sessions[message.sessionID] else {
                return .failure(FairwayError(.unknownSession, "no session \(hexID(message.sessionID)) (expired, or this node restarted); handshake again",
                                             field: "frame.session.session_id"))
            }
            guard now.milliseconds(since: session.established) <= settings.sessionRejectAfterSeconds * 1000 else {
                s.sessions[message.sessionID] = nil
                return .failure(FairwayError(.unknownSession, "session \(hexID(message.sessionID)) expired after \(settings.sessionRejectAfterSeconds) s; handshake again",
                                             field: "frame.session.session_id", peer: session.peer.nodeID.rawValue))
            }
            return .success((session, session.window.check(message.counter)))
        }
        let session: Session, verdict: ReplayWindow.Verdict
        switch lookup {
        case .failure(let e): return .failure(e)
        case .success(let found): (session, verdict) = found
        }
        let peer = session.peer.nodeID.rawValue
        if verdict == .tooOld {
            return .failure(FairwayError(.stale, "counter \(message.counter) is more than \(ReplayWindow.size) behind the newest of session \(hexID(message.sessionID))",
                                         field: "frame.session.counter", peer: peer))
        }
        let plaintext: [UInt8]
        do throws(FairwayError) { plaintext = try SessionCipher.open(message, key: session.keys.receiveKey) } catch {
            var e = error
            e.peer = peer
            return .failure(e)
        }
        let marked: ReplayWindow.Verdict? = state.withLock { s in
            guard s.sessions[message.sessionID] != nil else { return nil }
            return s.sessions[message.sessionID]!.window.mark(message.counter)
        }
        switch marked {
        case nil:
            return .failure(FairwayError(.unknownSession, "session \(hexID(message.sessionID)) ended", field: "frame.session.session_id", peer: peer))
        case .tooOld?:
            return .failure(FairwayError(.stale, "counter \(message.counter) fell out of the window", field: "frame.session.counter", peer: peer))
        case .seen?:
            return .success(Opened(peer: session.peer, plaintext: plaintext, repeated: true))
        case .fresh?:
            return .success(Opened(peer: session.peer, plaintext: plaintext, repeated: false))
        }
    }

    /// Encrypts a reply in session `id` (a refusal frame if the session ended meanwhile).
    func seal(_ plaintext: [UInt8], sessionID id: UInt64) -> SessionFrame {
        let keyAndCounter: (SymmetricKey, UInt64)? = state.withLock { s in
            guard let index = s.sessions.index(forKey: id) else { return nil }
            let counter = s.sessions.values[index].sendCounter
            guard counter < UInt64.max - 8192 else { return nil }
            s.sessions.values[index].sendCounter += 1
            return (s.sessions.values[index].keys.sendKey, counter)
        }
        guard let (key, counter) = keyAndCounter else {
            return .error(FairwayError(.unknownSession, "session \(hexID(id)) ended before its reply; handshake again and resend", field: "frame.session.session_id"))
        }
        return .message(SessionCipher.seal(plaintext, key: key, sessionID: id, counter: counter))
    }

    /// Forgets every session and pending handshake (a restart, for tests).
    func reset() {
        state.withLock { s in
            s.sessions = [:]; s.order = []; s.orderHead = 0
            s.pending = [:]; s.pendingOrder = []; s.pendingHead = 0
        }
    }

    // MARK: -

    private func expirePending(_ s: inout State, now: Timestamp) {
        while s.pendingHead < s.pendingOrder.count {
            let id = s.pendingOrder[s.pendingHead]
            if let p = s.pending[id], now.milliseconds(since: p.created) <= settings.handshakeTimeoutMilliseconds { break }
            s.pending[id] = nil
            s.pendingHead += 1
        }
        if s.pendingHead > 1024, s.pendingHead * 2 > s.pendingOrder.count {
            s.pendingOrder.removeFirst(s.pendingHead)
            s.pendingHead = 0
        }
    }

    private func dropOldestPending(_ s: inout State) {
        while s.pendingHead < s.pendingOrder.count {
            let id = s.pendingOrder[s.pendingHead]
            s.pendingHead += 1
            if s.pending.removeValue(forKey: id) != nil { return }
        }
    }

    private func expireSessions(_ s: inout State, now: Timestamp) {
        while s.orderHead < s.order.count {
            let id = s.order[s.orderHead]
            if let session = s.sessions[id], now.milliseconds(since: session.established) <= settings.sessionRejectAfterSeconds * 1000 { break }
            s.sessions[id] = nil
            s.orderHead += 1
        }
        if s.orderHead > 1024, s.orderHead * 2 > s.order.count {
            s.order.removeFirst(s.orderHead)
            s.orderHead = 0
        }
    }

    private func dropOldestSession(_ s: inout State) -> Bool {
        while s.orderHead < s.order.count {
            let id = s.order[s.orderHead]
            s.orderHead += 1
            if s.sessions.removeValue(forKey: id) != nil { return true }
        }
        return false
    }
}
