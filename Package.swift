// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Fairway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "edge-agent", targets: ["edge-agent"]),
        .executable(name: "edge-server", targets: ["edge-server"]),
        .executable(name: "cloud-coordinator", targets: ["cloud-coordinator"]),
        .executable(name: "fairwayctl", targets: ["fairwayctl"]),
        .executable(name: "fairway-lab", targets: ["fairway-lab"]),
        .executable(name: "fairway-fuzz", targets: ["fairway-fuzz"]),
        .library(name: "NNG", targets: ["NNG"]),
        .library(name: "FairwayCore", targets: ["FairwayCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // binding
        .systemLibrary(name: "CNNG", path: "Sources/CNNG", providers: [.apt(["libnng-dev"])]),
        .target(name: "NNG", dependencies: ["CNNG"]),
        // core: pure algorithms, no I/O
        .target(name: "FairwayCore"),
        // wire: generated protobuf + domain mapping
        .target(
            name: "FairwayWire",
            dependencies: [
                "FairwayCore",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Generated/README.md"]
        ),
        // runtime: settings, lifecycle, storage, transport shell
        .target(
            name: "FairwayRuntime",
            dependencies: [
                "NNG", "FairwayCore", "FairwayWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // roles: instance + shell each
        .target(name: "CloudCoordinator", dependencies: ["FairwayRuntime"]),
        .target(name: "EdgeServer", dependencies: ["FairwayRuntime"]),
        .target(name: "EdgeAgent", dependencies: ["FairwayRuntime"]),
        // executables
        .executableTarget(name: "cloud-coordinator", dependencies: [
            "CloudCoordinator", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "edge-server", dependencies: [
            "EdgeServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "edge-agent", dependencies: [
            "EdgeAgent", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "fairwayctl", dependencies: [
            "FairwayRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "fairway-lab", dependencies: [
            "FairwayRuntime", "NNG", "FairwayWire", "CloudCoordinator", "EdgeServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // libFuzzer target over envelope decoding (`make fuzz`); without -DFUZZING it replays inputs
        .executableTarget(name: "fairway-fuzz", dependencies: ["FairwayWire"]),
        // tests mirror modules
        .testTarget(name: "NNGTests", dependencies: ["NNG"]),
        .testTarget(name: "FairwayCoreTests", dependencies: ["FairwayCore"]),
        .testTarget(name: "FairwayWireTests", dependencies: ["FairwayWire"]),
        .testTarget(name: "FairwayRuntimeTests", dependencies: ["FairwayRuntime", "CloudCoordinator", "EdgeServer", "EdgeAgent"]),
        .testTarget(name: "ClusterTests", dependencies: ["FairwayRuntime", "FairwayWire"]),
    ],
    swiftLanguageModes: [.v6]
)
