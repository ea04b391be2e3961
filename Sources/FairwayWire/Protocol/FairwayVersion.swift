/// Software version every node reports at join and in `status`.
public enum FairwayVersion {
    public static let current = "0.1.0"
}
