import FairwayCore
import FairwayWire

/// A call the edge makes to its coordinator, matched to its result by `id`.
public struct CoordinatorCall: Sendable, Hashable {
    /// Unique per edge process; the shell hands it back with the result.
    public var id: UInt64
    public var request: Request

    public enum Request: Sendable, Hashable {
        case join(JoinRequest)
        case heartbeat(Heartbeat)
        case fetchGrants(GrantRequest)
        case reportUsage(UsageReport)
        /// A call of the contract work (`ContractWork`), whose result goes back to it.
        case contract(ContractWork.Request)

        public var isContract: Bool { if case .contract = self { true } else { false } }

        /// What goes on the wire.
        public var payload: Payload {
            switch self {
            case .join(let j): .join(j)
            case .heartbeat(let h): .heartbeat(h)
            case .fetchGrants(let g): .grantRequest(g)
            case .reportUsage(let u): .usageReport(u)
            case .contract(.offer): .contractOfferRequest
            case .contract(.select(let s)): .contractSelection(s)
            case .contract(.upload(let u)): .moduleUpload(u)
            case .contract(.module(let i)): .moduleRequest(chunkIndex: i)
            }
        }
    }
}
