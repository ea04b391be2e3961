import FairwayCore
import FairwayWire

extension CoordinatorInstance {
    /// What the coordinator's shell must do, by concern. Persist directives of one batch commit
    /// in one transaction before any reply or announcement of that batch is sent.
    public enum Directive: Sendable, Hashable {
        case membership(Membership.Directive)
        case epoch(EpochClock.Directive)
        case tokens(TokenScheduling.Directive)
        case ledger(DATLedger.Directive)
        case contracts(Contracts.Directive)
        case cloud(CloudAllocation.Directive)
        /// Call `onTick` again at (or soon after) this instant.
        case wake(at: Timestamp)
        case log(String)
    }
}
