import FairwayCore

/// One epoch's cloud allocation as recorded durably: every edge's report and shares.
public struct CloudAllocationRecord: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var edge: NodeID
        /// The report the allocation used.
        public var reported: EdgeResources
        public var share: CloudShare

        public init(edge: NodeID, reported: EdgeResources, share: CloudShare) {
            self.edge = edge
            self.reported = reported
            self.share = share
        }
    }

    public var epoch: UInt64
    public var allocator: String
    public var rows: [Row]

    public init(epoch: UInt64, allocator: String, rows: [Row]) {
        self.epoch = epoch
        self.allocator = allocator
        self.rows = rows
    }
}
