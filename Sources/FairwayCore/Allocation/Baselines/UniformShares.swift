/// Uniform (paper §IV): every agent receives P/N (and T/N), whatever its resources and hardness.
public enum UniformShares {
    public static func shares(count n: Int, budget: Double) -> [Double] {
        n == 0 ? [] : [Double](repeating: budget / Double(n), count: n)
    }
}
