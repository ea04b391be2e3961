/// A contract with everything the cloud and the verifier say about it: the rounds and rewards,
/// the cloud's profit (eqs. 25, 26, 12), the expected discounted payment, every constraint
/// family, and whether the paper's constraints (eqs. 13, 14, 20, 21) all hold.
public struct ContractEvaluation: Sendable, Equatable {
    public var terms: ContractTerms
    public var profit: CloudProfit
    public var expectedPayment: Double
    public var constraints: ContractConstraints
    /// Every constraint of `IR1_eq20`, `IR2_eq13`, `IC2_eq14` and `IIC_eq21` holds.
    public var feasible: Bool { constraints.paperFeasible }

    public init(_ instance: ContractInstance, _ terms: ContractTerms) {
        self.terms = terms
        profit = CloudProfit(instance, terms)
        expectedPayment = CloudProfit.expectedPayment(instance, R1: terms.R1, R2: terms.R2)
        constraints = ContractConstraints(instance, terms)
    }
}
