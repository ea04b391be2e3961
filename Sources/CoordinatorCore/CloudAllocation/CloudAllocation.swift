/// The room of Fair-Synergy cloud allocation (paper 2; issue 10): the coordinator's shares of
/// cloud compute and bandwidth among edge servers, computed at each epoch boundary after the
/// grants (an edge's demand follows the tokens its agents were granted).
///
/// Not built yet. It will receive the epoch's grants per edge as arguments, never read the
/// token book, and return a `Directive` to persist and publish the shares.
public enum CloudAllocationRoom {}
