/// Fairness of an allocation, measured on reward rates as in section II-D of the paper.
///
/// Conventions (those of the reference vectors): metrics run over all N agents, v_n = 0
/// agents included with r_n = 0; an index that is 0/0 for the given rates is `nil`.
public enum Fairness {}
