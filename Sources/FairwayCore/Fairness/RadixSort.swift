extension Fairness {
    /// `values` sorted ascending (values must be non-negative and finite).
    static func sortedNonNegative(_ values: [Double]) -> [Double] {
        withSortedNonNegative(values) { Array($0) }
    }

    /// Calls `body` with `values` sorted ascending (values must be non-negative and finite),
    /// viewed in the sort's own buffer rather than copied into a new array.
    ///
    /// Non-negative doubles order like their bit patterns, so large inputs are sorted as
    /// integers by a hybrid radix sort on each range's offsets from its minimum: a range whose
    /// offsets span few bits gets one or two LSD passes; a wider one is split by the top bits of
    /// its offsets (MSD) and each part sorted the same way; small ranges get insertion sort.
    /// O(N), and it adapts to rates that cluster, such as eq. 15's, where most agents share
    /// one rate up to a few ulps. Small inputs use the standard sort.
    static func withSortedNonNegative<R>(_ values: [Double], _ body: (UnsafeBufferPointer<Double>) -> R) -> R {
        let n = values.count
        guard n >= 4096 else { return values.sorted().withUnsafeBufferPointer(body) }
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        defer {
            keys.deallocate()
            scratch.deallocate()
        }
        // + 0.0 turns −0.0 into +0.0, so the sign bit is clear for every key.
        values.withUnsafeBufferPointer { v in for i in 0..<n { keys[i] = (v[i] + 0.0).bitPattern } }
        let sorted = RadixSorter.sort(data: keys, other: scratch, n) ? scratch : keys
        // Same size and alignment: read the sorted bit patterns back as doubles in place.
        return sorted.withMemoryRebound(to: Double.self, capacity: n) { body(UnsafeBufferPointer(start: $0, count: n)) }
    }
}

/// The integer sort behind `Fairness.withSortedNonNegative`. Each call sorts `m` keys found
/// in `data`, using `other` (same size) as the second buffer, and reports where the sorted keys
/// ended up, so buffers ping-pong between levels instead of being copied back.
enum RadixSorter {
    static let insertionLimit = 64
    static let lsdBits: UInt64 = 11

    /// - Returns: true if the sorted keys are in `other`, false if in `data`.
    static func sort(data: UnsafeMutablePointer<UInt64>, other: UnsafeMutablePointer<UInt64>, _ m: Int) -> Bool {
        if m <= insertionLimit {
            insertionSort(data, m)
            return false
        }
        var least = data[0], most = data[0]
        for i in 1..<m {
            least = min(least, data[i])
            most = max(most, data[i])
        }
        let width = UInt64(64 - (most &- least).leadingZeroBitCount)
        if width == 0 { return false }  // all equal
        if width <= 2 * lsdBits { return lsd(data: data, other: other, m, least: least, width: width) }
        return msd(data: data, other: other, m, least: least, width: width)
    }

    /// Splits by the top bits of the offsets from `least` (data → other) and sorts each part;
    /// the parts are then gathered in whichever buffer already holds most keys.
    /// - Returns: true if the result is in `other`.
    static func msd(data: UnsafeMutablePointer<UInt64>, other: UnsafeMutablePointer<UInt64>, _ m: Int,
                    least: UInt64, width: UInt64) -> Bool {
        // About 8 keys per bucket, between 2^4 and 2^11 buckets (a table that stays in cache, so the
        // scatter is not a cache miss per key), never more bits than the range has.
        let bits = min(width, UInt64(max(4, min(11, Int.bitWidth - m.leadingZeroBitCount - 3))))
        let shift = width - bits
        let buckets = 1 << Int(bits)
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: buckets + 1)
        let heads = UnsafeMutablePointer<Int>.allocate(capacity: buckets)
        defer {
            starts.deallocate()
            heads.deallocate()
        }
        starts.initialize(repeating: 0, count: buckets + 1)
        for i in 0..<m { starts[Int(truncatingIfNeeded: (data[i] &- least) >> shift) + 1] &+= 1 }
        for j in 0..<buckets { starts[j + 1] &+= starts[j] }
        heads.update(from: starts, count: buckets)
        for i in 0..<m {
            let key = data[i]
            let d = Int(truncatingIfNeeded: (key &- least) >> shift)
            other[heads[d]] = key
            heads[d] &+= 1
        }
        // heads[j] is reused: 1 if part j ended in data, 0 if in other.
        var keysInData = 0
        for j in 0..<buckets {
            let lo = starts[j], count = starts[j + 1] - lo
            let inData = count > 0 && sort(data: other + lo, other: data + lo, count)
            heads[j] = inData ? 1 : 0
            if inData { keysInData += count }
        }
        let gatherInData = 2 * keysInData > m
        for j in 0..<buckets where (heads[j] == 1) != gatherInData {
            let lo = starts[j], count = starts[j + 1] - lo
            if gatherInData { (data + lo).update(from: other + lo, count: count) } else { (other + lo).update(from: data + lo, count: count) }
        }
        return !gatherInData
    }

    /// LSD passes over the offsets' 11-bit digits, as many as `width` needs.
    /// - Returns: true if the result is in `other` (an odd number of passes).
    static func lsd(data: UnsafeMutablePointer<UInt64>, other: UnsafeMutablePointer<UInt64>, _ m: Int,
                    least: UInt64, width: UInt64) -> Bool {
        let radix = 1 << Int(lsdBits), mask = UInt64(radix - 1)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: radix)
        defer { counts.deallocate() }
        var source = data, target = other
        var shift: UInt64 = 0
        while shift < width {
            counts.initialize(repeating: 0, count: radix)
            for i in 0..<m { counts[Int(truncatingIfNeeded: ((source[i] &- least) >> shift) & mask)] &+= 1 }
            var start = 0
            for d in 0..<radix {
                let c = counts[d]
                counts[d] = start
                start &+= c
            }
            for i in 0..<m {
                let key = source[i]
                let d = Int(truncatingIfNeeded: ((key &- least) >> shift) & mask)
                target[counts[d]] = key
                counts[d] &+= 1
            }
            swap(&source, &target)
            shift += lsdBits
        }
        return source == other
    }

    static func insertionSort(_ keys: UnsafeMutablePointer<UInt64>, _ m: Int) {
        guard m > 1 else { return }
        for i in 1..<m {
            let key = keys[i]
            var k = i
            while k > 0, keys[k - 1] > key {
                keys[k] = keys[k - 1]
                k -= 1
            }
            keys[k] = key
        }
    }
}
