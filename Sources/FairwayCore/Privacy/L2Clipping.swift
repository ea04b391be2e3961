/// Clipping each embedding to an L2 bound C, so that a sum of clipped embeddings has a known
/// sensitivity: under add-or-remove-one neighbouring datasets (one record more or less), the sum
/// moves by one clipped vector, so its L2 sensitivity is C (2C under replace-one).
public enum L2Clipping {
    /// The L2 norm.
    public static func norm(_ x: [Double]) -> Double {
        var s = 0.0
        for v in x { s += v * v }
        return s.squareRoot()
    }

    /// `x` scaled to L2 norm at most `bound` (unchanged if already within it). The result's
    /// computed norm is ≤ bound exactly, not just up to rounding. Non-finite input is a
    /// precondition failure: validate embeddings first.
    public static func clip(_ x: [Double], to bound: Double) -> [Double] {
        precondition(bound > 0 && bound.isFinite, "clipping bound must be finite and > 0")
        precondition(x.allSatisfy(\.isFinite), "embeddings must be finite to be clipped")
        let n = norm(x)
        guard n > bound else { return x }
        var factor = bound / n
        var y = x.map { $0 * factor }
        while norm(y) > bound {  // rounding can leave the norm an ulp above the bound
            factor = factor.nextDown
            y = x.map { $0 * factor }
        }
        return y
    }
}
