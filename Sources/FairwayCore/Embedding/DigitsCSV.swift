/// The CSV form of the digits data set (`data/uci-digits-8x8.csv`).
///
/// Format: a header line `label,p0,p1,…,p63`, then one record per line: the label (an integer
/// 0...9) and the 64 pixel values (numbers in 0...16, integers in the UCI file), comma-separated,
/// no quoting. Lines end with LF or CRLF; blank lines at the end are ignored, blank lines
/// elsewhere are errors. The caller reads the file; parsing takes its text.
public enum DigitsCSV {
    /// The expected header fields: `label`, `p0` … `p63`.
    public static let header: [String] = ["label"] + (0..<DigitRecord.pixelCount).map { "p\($0)" }

    /// A line of the CSV text that is not a valid header or record.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// 1-based line number in the text (the header is line 1).
        public var line: Int
        /// 1-based comma-separated column (1 = `label`, 2 = `p0`, …), or 0 when the whole line is at fault.
        public var column: Int
        /// What was wrong, for a person.
        public var message: String

        public init(line: Int, column: Int, message: String) {
            self.line = line
            self.column = column
            self.message = message
        }

        /// The header name of `column` (`label`, `p0`…`p63`), or "" when out of range.
        public var columnName: String {
            column >= 1 && column <= DigitsCSV.header.count ? DigitsCSV.header[column - 1] : ""
        }

        public var description: String {
            var s = "digits CSV line \(line)"
            if column > 0 { s += ", column \(column)" + (columnName.isEmpty ? "" : " (\(columnName))") }
            return s + ": \(message)"
        }
    }

    /// Parses the whole CSV text into records, in file order.
    /// - Throws: `ParseError` for the first bad line: wrong header, wrong number of fields, a label
    ///   that is not an integer in 0...9, a pixel that is not a number in 0...16, an empty data set.
    public static func parse(_ text: String) throws -> [DigitRecord] {
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { slice -> Substring in
            var s = Substring(slice)
            if s.utf8.last == UInt8(ascii: "\r") { s = Substring(s.utf8.dropLast()) }
            return s
        }
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        guard let first = lines.first else { throw ParseError(line: 1, column: 0, message: "empty text: expected the header \(header.prefix(3).joined(separator: ",")),…,p63") }

        let headerFields = first.split(separator: ",", omittingEmptySubsequences: false)
        guard headerFields.count == header.count else {
            throw ParseError(line: 1, column: 0, message: "header has \(headerFields.count) fields, expected \(header.count) (label,p0,…,p63)")
        }
        for (i, name) in headerFields.enumerated() where trimmed(name) != header[i] {
            throw ParseError(line: 1, column: i + 1, message: "header field is \"\(name)\", expected \"\(header[i])\"")
        }

        var records: [DigitRecord] = []
        records.reserveCapacity(lines.count - 1)
        for (offset, line) in lines.enumerated().dropFirst() {
            let number = offset + 1
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count else {
                throw ParseError(line: number, column: 0, message: "\(fields.count) fields, expected \(header.count) (a label and 64 pixels)")
            }
            let labelText = trimmed(fields[0])
            guard let label = Int(labelText), (0..<DigitRecord.labelCount).contains(label) else {
                throw ParseError(line: number, column: 1, message: "label must be an integer in 0...9, got \"\(labelText)\"")
            }
            var pixels: [Double] = []
            pixels.reserveCapacity(DigitRecord.pixelCount)
            for column in 1..<fields.count {
                let valueText = trimmed(fields[column])
                guard let value = Double(valueText), value.isFinite else {
                    throw ParseError(line: number, column: column + 1, message: "pixel must be a number, got \"\(valueText)\"")
                }
                guard value >= 0, value <= DigitRecord.maximumPixel else {
                    throw ParseError(line: number, column: column + 1, message: "pixel must be in 0...16, got \(valueText)")
                }
                pixels.append(value)
            }
            records.append(DigitRecord(label: label, pixels: pixels))
        }
        guard !records.isEmpty else { throw ParseError(line: 2, column: 0, message: "no records after the header") }
        return records
    }

    static func trimmed(_ s: Substring) -> Substring {
        var s = s
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s
    }
}
