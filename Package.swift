// swift-tools-version:6.0
// layerscope: a terminal explorer for what the layers of a wav2vec2 speech model encode.
// Module order follows docs/ARCHITECTURE.md: each target depends only on targets listed below it.
import PackageDescription

let package = Package(
    name: "layerscope",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "layerscope", targets: ["layerscope"]),
        .executable(name: "layerscope-bench", targets: ["layerscope-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "layerscope",
            dependencies: [
                "TerminalUI", "Engine", "Extraction", "SpeechModel", "Analysis", "Store", "Numerics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "layerscope-bench",
            dependencies: [
                "TerminalUI", "Engine", "Extraction", "SpeechModel", "Analysis", "Store", "Numerics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "TerminalUI",
            dependencies: [
                "Engine", "Analysis", "Store", "Numerics", "CNcursesw",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .target(name: "Engine", dependencies: ["Extraction", "SpeechModel", "Analysis", "Store", "Numerics"]),
        .target(name: "Extraction", dependencies: ["SpeechModel", "Analysis", "Store", "Numerics"]),
        .target(name: "SpeechModel", dependencies: ["Store", "Numerics", "CSndfile"]),
        .target(name: "Analysis", dependencies: ["Store", "Numerics"]),
        .target(
            name: "Store",
            dependencies: [
                "Numerics", "CKernels",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(name: "Numerics", dependencies: ["COpenBLAS", "CKernels"]),
        .target(name: "CKernels"),
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CSndfile", pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"])]
        ),
        .systemLibrary(
            name: "CNcursesw", pkgConfig: "ncursesw",
            providers: [.apt(["libncursesw5-dev"])]
        ),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"]),
        .testTarget(name: "ExtractionTests", dependencies: ["Extraction"]),
        .testTarget(
            name: "SpeechModelTests", dependencies: ["SpeechModel", "Store", "Numerics", "CSndfile"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "AnalysisTests", dependencies: ["Analysis", "Store", "Numerics"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "SystemLibraryTests", dependencies: ["COpenBLAS", "CSndfile", "CNcursesw"]),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
        .testTarget(
            name: "StoreTests", dependencies: ["Store", "Numerics"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "CLITests", dependencies: ["layerscope", "Store"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
