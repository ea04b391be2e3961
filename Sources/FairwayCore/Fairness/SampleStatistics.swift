/// Running mean and spread of a sample (Welford's algorithm), for summarising repeated rounds.
public struct SampleStatistics: Sendable, Hashable {
    /// Observations so far.
    public private(set) var count = 0
    /// Their mean (0 when empty).
    public private(set) var mean = 0.0
    private var m2 = 0.0

    public init() {}

    /// Adds one observation.
    public mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
    }

    /// Sample standard deviation (n − 1 in the denominator); 0 with fewer than two observations.
    public var standardDeviation: Double { count > 1 ? (m2 / Double(count - 1)).squareRoot() : 0 }

    /// Standard error of the mean, sd / √n; 0 when empty.
    public var standardError: Double { count > 0 ? standardDeviation / Double(count).squareRoot() : 0 }
}
