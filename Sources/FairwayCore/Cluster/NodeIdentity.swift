/// Who a node is, as its role instance needs to know it: the id (the address of its key), the
/// public key it sends when it joins, its display name and where it can be reached.
public struct NodeIdentity: Sendable, Hashable {
    /// The address of its key.
    public var id: NodeID
    public var publicKey: [UInt8]
    /// Display name chosen by the operator; not an identity, may repeat.
    public var name: String
    /// nng URL where it serves (shown in status, sent at join); empty for agents.
    public var address: String

    public init(id: NodeID, publicKey: [UInt8] = [], name: String, address: String = "") {
        self.id = id
        self.publicKey = publicKey
        self.name = name
        self.address = address
    }
}
