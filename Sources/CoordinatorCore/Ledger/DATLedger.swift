/// The room of the verifiable DAT ledger (paper 1, §V-D; issue 9): an append-only Merkle log
/// of what each epoch paid whom, with inclusion and consistency proofs anyone can check.
///
/// Not built yet. Its place in the epoch boundary is fixed: after valuation has produced the
/// values and token scheduling the grants, the ledger appends the epoch's entries, and its
/// persist directive commits in the boundary's transaction. Like every concern it will be a
/// pure struct with its own `Directive` enum, wrapped in `CoordinatorInstance.Directive`.
public enum DATLedgerRoom {}
