import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab {
    /// `fairway-lab dp-sigma`: the Gaussian mechanism's σ for (ε, δ)-DP.
    struct DPSigma: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dp-sigma",
            abstract: "The Gaussian noise σ for (ε, δ)-DP at an L2 sensitivity, as JSON {\"sigma\": σ}.",
            discussion: """
            analytic (default): Balle & Wang 2018, the smallest σ whose exact privacy curve gives δ. \
            classical: eq. 21 of the token-scheduling paper (Dwork & Roth), refused with exit status 2 \
            where it is not (ε, δ)-DP (the exact δ at that σ exceeds δ).
            """)

        @Option(help: "ε > 0.") var epsilon: Double
        @Option(help: "0 < δ < 1.") var delta: Double
        @Option(help: "L2 sensitivity Δ > 0.") var sensitivity: Double = 1
        @Option(help: "analytic or classical.") var mechanism: String = "analytic"

        func run() throws {
            guard let calibration = GaussianMechanism.Calibration(rawValue: mechanism) else {
                throw usageFailure("dp-sigma", "mechanism", "must be analytic or classical, got \"\(mechanism)\"")
            }
            do {
                let sigma = try GaussianMechanism.sigma(epsilon: epsilon, delta: delta, sensitivity: sensitivity, calibration: calibration)
                print("{\"sigma\":\(jsonNumber(sigma))}")
            } catch let r as GaussianMechanism.Refusal {
                throw usageFailure("dp-sigma", r.field, r.message)
            }
        }
    }
}

/// Writes `fairway-lab <command>: <field>: <message>` to stderr; the caller exits with status 2.
func usageFailure(_ command: String, _ field: String, _ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("fairway-lab \(command): \(field): \(message)\n".utf8))
    return ExitCode(2)
}

/// Decodes `T` from the JSON file at `path` (`-` = standard input); a usage failure naming the
/// file if it cannot.
func readInput<T: Decodable>(_ type: T.Type, from path: String, command: String) throws -> T {
    do {
        let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(T.self, from: data)
    } catch {
        throw usageFailure(command, path, "not a valid input document: \(error)")
    }
}
