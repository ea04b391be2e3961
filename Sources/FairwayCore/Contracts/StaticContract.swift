/// The static baseline of paper 4, section VI-A: "the static contract executed twice, with β = 0
/// to simplify it to a one-stage static contract" (`contracts.json` `meta.static`).
///
/// - `oneStage` (the reference's `static_beta0`): the optimum of the same instance with β = 0, whose
///   profit is U¹ alone; its period-1 rewards are eq. 24 without Φ (the standard static closed form).
/// - `twice` (the reference's `static_twice_evaluated_at_beta`): that period-1 contract plus each
///   menu's myopic period-2 contract (eq. 19 at the menu's own optimum), evaluated with eq. 12 and
///   the constraint families at the instance's β. It is not IIC-feasible in general.
public struct StaticContract: Sendable, Equatable {
    /// The contract (rounds and rewards), identical in both readings.
    public var terms: ContractTerms
    /// Evaluated with β = 0: `profit.total` = U¹ is the one-stage static profit.
    public var oneStage: ContractEvaluation
    /// Evaluated at the instance's β.
    public var twice: ContractEvaluation

    public init(_ instance: ContractInstance, maxRounds: Int = 200) {
        let myopic = instance.with(beta: 0)
        let rounds = PaperOptimiser.optimalRounds(myopic, maxRounds: maxRounds)
        terms = PaperRewards.terms(myopic, rounds)
        oneStage = ContractEvaluation(myopic, terms)
        twice = ContractEvaluation(instance, terms)
    }
}
