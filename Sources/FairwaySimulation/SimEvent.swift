import EdgeServerCore

/// A scheduled event of the simulation; each processed event is one step.
enum SimEvent {
    case deliver(SimMessage)
    /// Call the node's `onTick` (if its generation still matches).
    case wake(SimNode, generation: Int)
    /// Resend call `call` if it is still unanswered.
    case resend(call: UInt64)
    /// Fail call `call` with `no-reply` if it is still unanswered.
    case timeout(call: UInt64)
    case crash(SimNode)
    case restart(SimNode)
    /// Isolate these nodes from all others until `heal`.
    case partition([SimNode])
    case heal
    /// Draw the next random fault.
    case faultTick
    /// Edge `i`'s shell finished training (if its generation still matches).
    case trained(Int, generation: Int, ContractWork.TrainingOrder, good: Bool)
}
