import FairwayCore

/// What `fairway-lab schedule` prints: `{"u":[..],"r":[..],"jain":..,"gini":..,"sum_u":..}`.
/// Numbers are printed in Swift's shortest round-trip form (full double precision); an
/// undefined index is `null`.
struct ScheduleOutput {
    var grants: [Double]
    var rates: [Double]
    var jain: Double?
    var gini: Double?

    init(input: ScheduleInput) {
        grants = input.allocator.allocator.allocate(input.problem, seed: input.seed)
        rates = Fairness.rewardRates(grants: grants, values: input.problem.values)
        jain = Fairness.jain(rates)
        gini = Fairness.gini(rates)
    }

    func json() -> String {
        func list(_ xs: [Double]) -> String { "[" + xs.map(jsonNumber).joined(separator: ",") + "]" }
        return "{\"u\":\(list(grants)),\"r\":\(list(rates)),\"jain\":\(jsonNumber(jain)),\"gini\":\(jsonNumber(gini)),\"sum_u\":\(jsonNumber(grants.reduce(0, +)))}"
    }
}

/// A double as a JSON number that parses back to the same double; nil, NaN and ±∞ as `null`.
func jsonNumber(_ x: Double?) -> String {
    guard let x, x.isFinite else { return "null" }
    return "\(x)"
}
