extension Fairness {
    /// Eq. 5: r_n = u_n / v_n if v_n > 0, else 0 — tokens received per unit of data value.
    ///
    /// Precondition: `grants` and `values` have the same length. A rate overflows to +∞ only
    /// when v_n is so small that u_n / v_n exceeds the largest double; Jain and Gini are then nil.
    public static func rewardRates(grants: [Double], values: [Double]) -> [Double] {
        precondition(grants.count == values.count, "one grant per value")
        return [Double](unsafeUninitializedCapacity: grants.count) { r, count in
            grants.withUnsafeBufferPointer { u in
                values.withUnsafeBufferPointer { v in
                    // Branch-free so the division vectorizes; the quotient for v = 0 is discarded.
                    for i in 0..<u.count {
                        let q = u[i] / v[i]
                        r[i] = v[i] > 0 ? q : 0
                    }
                }
            }
            count = grants.count
        }
    }
}
