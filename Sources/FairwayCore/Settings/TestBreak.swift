/// A deliberately broken behaviour, for testing that the checkers catch what they claim to
/// (`fairway-lab simulate --break NAME`, `fairway-lab chaos --break NAME`). Never configurable
/// from YAML or flags: daemons read them from the environment variable `FAIRWAY_TEST_BREAK`
/// (comma-separated names) and log loudly when any is active.
public enum TestBreak: String, Sendable, Hashable, CaseIterable, Comparable {
    /// The coordinator acknowledges a contribution (receipt with its leaf index) but holds the
    /// ledger write back until the next contribution batch: a crash in between loses an
    /// acknowledged contribution (breaks I2).
    case ackBeforeDurable = "ack-before-durable"
    /// The coordinator credits a settled lease's unused tokens back to the agent twice, so its
    /// book shows fewer tokens used than the edge served (breaks I1).
    case settleLeaseTwice = "settle-lease-twice"
    /// The coordinator pays every edge that selected a contract at the period's deadline, also
    /// those whose module was never integrated (breaks I4).
    case payBeforeIntegration = "pay-before-integration"
    /// An agent spends privacy budget in memory without persisting the charge: after a restart
    /// it releases again from a budget that forgot what it spent (breaks I5).
    case spendBudgetUnpersisted = "spend-budget-unpersisted"

    /// The environment variable daemons read their breaks from.
    public static let environmentVariable = "FAIRWAY_TEST_BREAK"

    /// Parses a comma-separated list of break names ("" = none).
    /// - Throws: `ConfigError` naming the unknown break and listing the known ones.
    public static func parse(_ text: String) throws -> Set<TestBreak> {
        var out: Set<TestBreak> = []
        for word in text.split(separator: ",").map({ String($0.filter { $0 != " " }) }) where !word.isEmpty {
            guard let b = TestBreak(rawValue: word) else {
                throw ConfigError(field: environmentVariable, message: "unknown test break \"\(word)\"; known: \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            out.insert(b)
        }
        return out
    }

    public static func < (a: TestBreak, b: TestBreak) -> Bool { a.rawValue < b.rawValue }
}
