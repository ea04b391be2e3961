/// The rewards of paper 4's closed forms, exactly as printed (`contracts.json`
/// `meta.conventions.eq19` and `eq24_as_printed`), for given training rounds. Rewards are affine
/// in T. These are the `paper` scheme: they are not always feasible (eq. 24 can violate the
/// period-1 IR of eq. 20 and the upward IIC of eq. 21; see `docs/contracts.md`).
public enum PaperRewards {
    /// Eq. 19, menu by menu: R²_k,0 = (c·T²_k,0 + E)/θ²_0 and
    /// R²_k,i = R²_k,0 + c·Σ_{j=1…i} (T²_k,j − T²_k,j−1)/θ²_j
    /// (IR of the lowest period-2 type and every adjacent downward IC bind).
    public static func period2(_ instance: ContractInstance, T2: [[Int]]) -> [[Double]] {
        T2.map { menu(instance, $0) }
    }

    /// Eq. 19 for one menu.
    public static func menu(_ instance: ContractInstance, _ T: [Int]) -> [Double] {
        let c = instance.c, theta = instance.theta2
        var R = [Double](repeating: 0, count: T.count)
        R[0] = (c * Double(T[0]) + instance.E) / theta[0]
        var sum = 0.0
        for i in 1..<max(1, T.count) where i < T.count {
            sum += Double(T[i] - T[i - 1]) / theta[i]
            R[i] = R[0] + c * sum
        }
        return R
    }

    /// Eq. 24 as printed: R¹_0 = (c·T¹_0 + E)/θ¹_0 and
    /// R¹_i = R¹_0 + Σ_{k=1…i} [ (T¹_k − T¹_k−1)·c/θ¹_k + β/θ¹_k · Σ_{j=1…K−1} p²_kj·Φ_j(k) ],
    /// Φ_j(k) = Σ_{l=0…j−1} θ²_j·c·(T²_k−1,l − T²_k,l)·(1/θ²_l − 1/θ²_l+1).
    /// Φ_j(k) is u²_j(menu k−1) − u²_j(menu k) under eq. 19, so eq. 24 is "IR of period-1 type 0
    /// binds and every adjacent downward IIC (eq. 23) binds".
    public static func period1(_ instance: ContractInstance, T1: [Int], T2: [[Int]]) -> [Double] {
        let K = instance.K, c = instance.c, beta = instance.beta
        let th1 = instance.theta1, th2 = instance.theta2
        var R = [Double](repeating: 0, count: K)
        R[0] = (c * Double(T1[0]) + instance.E) / th1[0]
        var sum = 0.0
        for k in 1..<max(1, K) where k < K {
            var expectedPhi = 0.0
            for j in 1..<K {
                var phi = 0.0
                for l in 0..<j {
                    phi += th2[j] * c * Double(T2[k - 1][l] - T2[k][l]) * (1 / th2[l] - 1 / th2[l + 1])
                }
                expectedPhi += instance.p2[k][j] * phi
            }
            sum += Double(T1[k] - T1[k - 1]) * c / th1[k] + beta / th1[k] * expectedPhi
            R[k] = R[0] + sum
        }
        return R
    }

    /// Both periods' rewards at the given rounds.
    public static func terms(_ instance: ContractInstance, _ rounds: TrainingRounds) -> ContractTerms {
        ContractTerms(T1: rounds.T1, T2: rounds.T2,
                      R1: period1(instance, T1: rounds.T1, T2: rounds.T2),
                      R2: period2(instance, T2: rounds.T2))
    }
}
