import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab {
    /// `fairway-lab schedule --input FILE.json`: one epoch's token grants and their fairness.
    struct Schedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Token grants for one epoch, with reward rates, Jain and Gini, as JSON.",
            discussion: """
            Input: {"allocator": NAME, "V": tokens, "v": [values], "B": [bucket sizes] or one size, \
            "R": [remaining tokens] (default all 0), "seed": n (default 0, used by random)}.
            Allocators: \(AllocatorKind.allCases.map(\.rawValue).joined(separator: ", ")).
            Output: {"u": [grants], "r": [reward rates u/v], "jain": J or null, "gini": G or null, "sum_u": Σu}.
            Bad input: a message naming the field on stderr and exit status 2.
            """)

        @Option(help: "The input JSON file, or - for standard input.") var input: String

        func run() throws {
            do {
                let data = input == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                    : try Data(contentsOf: URL(fileURLWithPath: input))
                print(ScheduleOutput(input: try ScheduleInput(json: data)).json())
            } catch let error as FairwayError {
                FileHandle.standardError.write(Data("fairway-lab schedule: \(input): \(error.field): \(error.message)\n".utf8))
                throw ExitCode(2)
            } catch let error as ConfigError {
                FileHandle.standardError.write(Data("fairway-lab schedule: \(input): \(error.field): \(error.message)\n".utf8))
                throw ExitCode(2)
            } catch {
                FileHandle.standardError.write(Data("fairway-lab schedule: cannot read \(input): \(error.localizedDescription)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
