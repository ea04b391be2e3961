#if !FUZZING
import FairwayCore
import FairwayWire
import Foundation

/// Without libFuzzer, `fairway-fuzz` replays inputs through the same target:
///
///     fairway-fuzz FILE_OR_DIR...          run every input (regressions, corpus)
///     fairway-fuzz --write-seeds DIR       write a seed corpus of real messages
@main
struct FuzzReplay {
    static func main() throws {
        var args = Array(CommandLine.arguments.dropFirst())
        if args.first == "--write-seeds", args.count == 2 {
            let n = try SeedCorpus.write(to: args[1])
            print("wrote \(n) seed inputs to \(args[1])")
            return
        }
        guard !args.isEmpty else {
            FileHandle.standardError.write(Data("usage: fairway-fuzz FILE_OR_DIR... | --write-seeds DIR\n".utf8))
            exit(2)
        }
        var count = 0
        while let path = args.popLast() {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                FileHandle.standardError.write(Data("fairway-fuzz: no such file \(path)\n".utf8))
                exit(2)
            }
            if isDir.boolValue {
                for name in try FileManager.default.contentsOfDirectory(atPath: path).sorted() {
                    args.append((path as NSString).appendingPathComponent(name))
                }
            } else if let data = FileManager.default.contents(atPath: path) {
                fuzzOne([UInt8](data))
                count += 1
            }
        }
        print("replayed \(count) inputs without a crash")
    }
}
#endif
