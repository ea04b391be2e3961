/// The room of the two-period dynamic contracts (paper 3; issue 11): the contract period that
/// closes each epoch boundary, paying edge servers that trained agent modules under contract.
///
/// Not built yet. It runs last at the boundary, after cloud shares, and will receive what it
/// needs (the epoch, the shares, the edges' reported effort) as arguments.
public enum ContractsRoom {}
