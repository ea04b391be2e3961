// swift-tools-version:6.0
import PackageDescription

let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")

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
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // binding
        .systemLibrary(name: "CNNG", path: "Sources/CNNG", providers: [.apt(["libnng-dev"])]),
        .target(name: "NNG", dependencies: ["CNNG"]),
        .systemLibrary(name: "CGLPK", path: "Sources/CGLPK", providers: [.apt(["libglpk-dev"])]),
        // core: pure algorithms, no I/O
        .target(name: "FairwayCore"),
        // LP/MILP for the contracts (GLPK): minimum-cost rewards and the exact optimum; FairwayCore stays C-free
        .target(name: "ContractSolver", dependencies: ["FairwayCore", "CGLPK"]),
        // wire: generated protobuf + domain mapping
        .target(
            name: "FairwayWire",
            dependencies: [
                "FairwayCore", "FairwayNoise",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Generated/README.md"]
        ),
        // Noise Protocol Framework (revision 34) handshake and CipherStates; swift-crypto primitives only
        .target(name: "FairwayNoise", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // runtime: settings loading, lifecycle, storage, transport shell
        .target(
            name: "FairwayRuntime",
            dependencies: [
                "NNG", "FairwayCore", "FairwayWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                // /metrics: the swift-metrics API, its Prometheus backend, a minimal HTTP/1.1 server
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // role cores: pure instances and their protocol settings, one folder per concern.
        // They may depend on FairwayCore and FairwayWire only (scripts/check-core-purity.sh).
        .target(name: "CoordinatorCore", dependencies: ["FairwayCore", "FairwayWire"]),
        .target(name: "EdgeServerCore", dependencies: ["FairwayCore", "FairwayWire"]),
        .target(name: "EdgeAgentCore", dependencies: ["FairwayCore", "FairwayWire"]),
        // role shells: I/O, storage, lifecycle around each core
        .target(name: "CloudCoordinator", dependencies: ["ContractSolver", 
            "CoordinatorCore", "FairwayRuntime", "FairwayCore", "FairwayWire", logging, lifecycle, grdb, metrics,
        ]),
        .target(name: "EdgeServer", dependencies: [
            "EdgeServerCore", "FairwayRuntime", "FairwayCore", "FairwayWire", logging, lifecycle, grdb, metrics,
        ]),
        .target(name: "EdgeAgent", dependencies: [
            "EdgeAgentCore", "FairwayRuntime", "FairwayCore", "FairwayWire", "FairwayControlJSON", logging, lifecycle, metrics,
        ]),
        // a coordinator and edges in one process over tcp loopback (tests, benchmarks)
        // deterministic cluster simulation over the real role instances (`fairway-lab simulate`); pure, like the cores
        .target(name: "FairwaySimulation", dependencies: ["CoordinatorCore", "EdgeServerCore", "EdgeAgentCore", "FairwayCore", "FairwayWire", "ContractSolver"]),
        .target(name: "InProcessCluster", dependencies: ["CloudCoordinator", "EdgeServer", "FairwayRuntime", "FairwayCore", logging]),
        // the options every daemon command shares
        .target(name: "DaemonCommand", dependencies: ["FairwayRuntime", argumentParser, logging, lifecycle]),
        // JSON documents fairwayctl prints (and tests and scripts read)
        .target(name: "FairwayControlJSON", dependencies: ["FairwayCore", "FairwayWire", "EdgeAgentCore"]),
        // executables
        .executableTarget(name: "cloud-coordinator", dependencies: ["CloudCoordinator", "DaemonCommand", argumentParser]),
        .executableTarget(name: "edge-server", dependencies: ["EdgeServer", "DaemonCommand", argumentParser]),
        .executableTarget(name: "edge-agent", dependencies: ["EdgeAgent", "DaemonCommand", argumentParser]),
        .executableTarget(name: "fairwayctl", dependencies: [
            "FairwayRuntime", "FairwayCore", "FairwayWire", "FairwayControlJSON", "EdgeAgent", argumentParser,
        ]),
        .executableTarget(name: "fairway-lab", dependencies: [
            "FairwayRuntime", "NNG", "FairwayCore", "FairwayWire", "CoordinatorCore", "CloudCoordinator", "EdgeServer", "FairwayControlJSON", "InProcessCluster",
            "ContractSolver", "FairwayNoise", "FairwaySimulation", argumentParser, logging, grdb,
        ]),
        // libFuzzer target over envelope decoding (`make fuzz`); without -DFUZZING it replays inputs
        .executableTarget(name: "fairway-fuzz", dependencies: ["FairwayCore", "FairwayWire", "FairwayNoise"]),
        // shared test kit: eventually/waitFor, temporary directories, role fixtures, clusters
        .target(name: "FairwayTestSupport", dependencies: [
            "FairwayRuntime", "FairwayCore", "FairwayWire", "CoordinatorCore", "EdgeServerCore", "EdgeAgentCore",
            "CloudCoordinator", "EdgeServer", "EdgeAgent", "FairwayControlJSON", "InProcessCluster", logging,
        ], path: "Tests/FairwayTestSupport"),
        // tests mirror modules; tier (a) instance tests in one target per role core
        .testTarget(name: "NNGTests", dependencies: ["NNG"]),
        .testTarget(name: "FairwayCoreTests", dependencies: ["FairwayCore"]),
        .testTarget(name: "ContractTests", dependencies: ["FairwayCore", "ContractSolver"]),
        .testTarget(name: "FairwayWireTests", dependencies: ["FairwayCore", "FairwayWire", "FairwayNoise", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "CoordinatorCoreTests", dependencies: ["CoordinatorCore", "FairwayCore", "FairwayWire", "FairwayTestSupport"]),
        .testTarget(name: "EdgeServerCoreTests", dependencies: ["EdgeServerCore", "CoordinatorCore", "FairwayCore", "FairwayWire", "FairwayTestSupport"]),
        .testTarget(name: "EdgeAgentCoreTests", dependencies: ["EdgeAgentCore", "FairwayCore", "FairwayWire", "FairwayTestSupport"]),
        .testTarget(name: "FairwayRuntimeTests", dependencies: [
            "FairwayRuntime", "FairwayCore", "FairwayWire", "CoordinatorCore", "EdgeServerCore", "EdgeAgentCore",
            "CloudCoordinator", "EdgeServer", "EdgeAgent", "DaemonCommand", "InProcessCluster", "FairwayTestSupport", "NNG", logging, grdb, metrics,
        ]),
        .testTarget(name: "NoiseTests", dependencies: ["FairwayNoise"]),
        .testTarget(name: "SimulationTests", dependencies: ["FairwaySimulation", "FairwayCore"]),
        .testTarget(name: "ClusterTests", dependencies: ["FairwayRuntime", "FairwayCore", "FairwayWire", "FairwayControlJSON", "FairwayTestSupport", "EdgeAgent", "CloudCoordinator", "NNG", grdb]),
    ],
    swiftLanguageModes: [.v6]
)
