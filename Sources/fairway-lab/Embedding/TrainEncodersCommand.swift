import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab {
    /// `fairway-lab train-encoders`: retrains the aligned image/text encoders of the digits data
    /// set and writes their weights as Swift source.
    struct TrainEncoders: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train-encoders",
            abstract: "Train the digits image and text encoders into one shared space (regularised CCA) and write their weights.",
            discussion: """
            Reads the UCI digits CSV (label,p0..p63), pairs each record with a text description \
            (TextDescriptions), holds out every 5th record, trains on the rest, writes the weights as \
            a generated Swift file (AlignedLinearEncoder.digits) and reports retrieval accuracies: \
            image→text zero-shot accuracy against the 10 labels' text prototypes (held out and \
            training), and text→image recall@1 and precision@10 over the held-out images. The \
            output file depends only on the data and the options: reruns give identical bytes. \
            Progress goes to stderr; --json prints the report as one JSON object.
            """)

        @Option(help: "The digits CSV.") var data: String = "data/uci-digits-8x8.csv"
        @Option(help: "Dimension d of the shared space.") var dimension: Int = 16
        @Option(help: "Where to write the generated Swift weights.") var out: String = "Sources/FairwayCore/Embedding/DigitsEncoderWeights.swift"
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            func progress(_ s: String) { FileHandle.standardError.write(Data("train-encoders: \(s)\n".utf8)) }
            let text: String
            do { text = try String(contentsOfFile: data, encoding: .utf8) } catch {
                throw usageFailure("train-encoders", "data", "cannot read \(data): \(error.localizedDescription)")
            }
            let records: [DigitRecord]
            do { records = try DigitsCSV.parse(text) } catch let e as DigitsCSV.ParseError {
                throw usageFailure("train-encoders", data, e.description)
            }
            var settings = CCATraining.Settings()
            settings.dimension = dimension
            let (training, heldOut) = CCATraining.split(count: records.count, heldOutEvery: settings.heldOutEvery)
            progress("\(records.count) records from \(data): \(training.count) training, \(heldOut.count) held out (every \(settings.heldOutEvery)th)")
            progress("training regularised CCA, d = \(dimension), λx = \(settings.imageRegularisation), λy = \(settings.textRegularisation)")
            let encoder: AlignedLinearEncoder
            do { encoder = try CCATraining.train(records, settings: settings) } catch let e as EmbeddingError {
                throw usageFailure("train-encoders", "dimension", e.message)
            }
            let source = encoder.weightsSwiftSource(provenance:
                "\(records.count) records of data/uci-digits-8x8.csv, every \(settings.heldOutEvery)th held out, regularised CCA, d = \(dimension), λx = \(settings.imageRegularisation), λy = \(settings.textRegularisation)")
            do { try Data(source.utf8).write(to: URL(fileURLWithPath: out)) } catch {
                throw usageFailure("train-encoders", "out", "cannot write \(out): \(error.localizedDescription)")
            }
            progress("wrote \(out) (\(source.utf8.count) bytes)")
            progress("measuring retrieval on \(heldOut.count) held-out and \(training.count) training images")
            let heldOutScores = try RetrievalScores.measure(encoder, on: heldOut.map { records[$0] })
            let trainingScores = try RetrievalScores.measure(encoder, on: training.map { records[$0] })

            if json {
                let rho = encoder.canonicalCorrelations.map { jsonNumber($0) }.joined(separator: ",")
                print("""
                {"records":\(records.count),"training":\(training.count),"held_out":\(heldOut.count),"dimension":\(dimension),\
                "image_regularisation":\(jsonNumber(settings.imageRegularisation)),"text_regularisation":\(jsonNumber(settings.textRegularisation)),\
                "canonical_correlations":[\(rho)],\
                "held_out_image_to_text":\(jsonNumber(heldOutScores.imageToText)),\
                "held_out_text_to_image":\(jsonNumber(heldOutScores.textToImage)),\
                "held_out_text_to_image_precision_at_10":\(jsonNumber(heldOutScores.textToImagePrecisionAt10)),\
                "training_image_to_text":\(jsonNumber(trainingScores.imageToText)),\
                "training_text_to_image":\(jsonNumber(trainingScores.textToImage)),\
                "out":"\(out)"}
                """)
            } else {
                func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
                print("""
                digits encoders: d = \(dimension), \(training.count) training / \(heldOut.count) held-out records
                canonical correlations: \(encoder.canonicalCorrelations.map { String(format: "%.3f", $0) }.joined(separator: " "))
                image→text zero-shot accuracy (10 text prototypes; chance 10%):
                  held out  \(pct(heldOutScores.imageToText))
                  training  \(pct(trainingScores.imageToText))
                text→image over held-out images (\(TextDescriptions.phrasingsPerLabel * DigitRecord.labelCount) phrasings):
                  recall@1  \(pct(heldOutScores.textToImage))
                  precision@10  \(pct(heldOutScores.textToImagePrecisionAt10))
                text→image over training images: recall@1 \(pct(trainingScores.textToImage))
                weights written to \(out)
                """)
            }
        }
    }
}
