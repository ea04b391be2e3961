/// One labelled 8×8 image of a handwritten digit (UCI optical recognition of handwritten digits).
///
/// Invariants (checked by `DigitsCSV.parse`, not by the initialiser):
/// - `label` is the digit shown, in 0...9;
/// - `pixels` holds exactly `DigitRecord.pixelCount` (64) values, row-major from the top-left
///   corner, each a count of set pixels in a 4×4 block of the original 32×32 bitmap, in 0...16.
public struct DigitRecord: Sendable, Hashable {
    /// Pixels per image: 8 × 8.
    public static let pixelCount = 64
    /// Largest pixel value (a 4×4 block fully set).
    public static let maximumPixel = 16.0
    /// Labels are 0 ..< `labelCount`.
    public static let labelCount = 10

    /// The digit shown, 0...9.
    public var label: Int
    /// 64 values in 0...16, row-major.
    public var pixels: [Double]

    public init(label: Int, pixels: [Double]) {
        self.label = label
        self.pixels = pixels
    }
}
