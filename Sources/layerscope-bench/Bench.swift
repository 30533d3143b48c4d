import ArgumentParser

/// Timing harness for bench/: runs one piece of layerscope on given inputs and prints its timings
/// as JSON, so the Python side of a benchmark can compare on the same inputs in the same run.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layerscope-bench",
        abstract: "Time layerscope's building blocks for bench/ (build with -c release).",
        subcommands: benchmarks
    )
}
