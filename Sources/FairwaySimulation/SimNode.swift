/// A simulated node: the coordinator, edge server `i` or agent identity `i`. Each crashes and
/// restarts on its own.
public enum SimNode: Hashable, Sendable, Comparable, CustomStringConvertible {
    case coordinator
    case edge(Int)
    case agent(Int)

    public var description: String {
        switch self {
        case .coordinator: "coordinator"
        case .edge(let i): "edge-\(i + 1)"
        case .agent(let i): "agent-\(i + 1)"
        }
    }
}
