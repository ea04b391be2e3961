/// A request a simulated node made and awaits, with what to do with its outcome.
struct PendingCall {
    var request: SimRequest
    /// The caller's generation when it called (a crash makes the call moot).
    var generation: Int
    var purpose: Purpose

    enum Purpose {
        /// An agent's join or heartbeat (`AgentInstance.onReply`).
        case agentExchange(Int)
        case agentInfer(Int, cost: UInt64)
        case agentContribute(Int, sequence: UInt64)
        /// A call of the edge's coordinator link (`EdgeInstance.onCallResult`).
        case edgeLink(Int, id: UInt64)
        /// An agent's join the edge relays; the agent's request waits for it.
        case edgeRelayJoin(Int, agent: SimRequest, join: FairwayCore.JoinRequest)
        /// An agent's contribution the edge forwards in a batch.
        case edgeForward(Int, agent: SimRequest)
        /// An agent's inference the edge offloads to the cloud.
        case edgeOffload(Int, agent: SimRequest)
    }
}

import FairwayCore
