/// Liveness of a member as judged by the coordinator.
///
/// `alive` → `suspect` after `suspectAfterMisses` heartbeat intervals without a
/// heartbeat, → `dead` after `deadAfterMisses`. Any heartbeat or join makes a
/// member `alive` again.
public enum MemberState: String, Sendable, Hashable, Codable, CaseIterable {
    case alive, suspect, dead
}
