/// The role a node plays in the cluster. Raw values are the names users see
/// (`fairwayctl status --json`, configs, logs).
public enum NodeRole: String, Sendable, Hashable, Codable, CaseIterable {
    case cloudCoordinator = "cloud-coordinator"
    case edgeServer = "edge-server"
    case edgeAgent = "edge-agent"
}
