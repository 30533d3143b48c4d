import Analysis
import ArgumentParser
import Dispatch
import Foundation
import Numerics
import Store

/// UMAP of one feature matrix: total and per-step seconds, time to the first frames, peak memory.
struct UMAPBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "umap", abstract: "UMAP layout of an .npy feature matrix.")

    @Option(help: "Input .npy (float32 or float16, points × features).")
    var input: String

    @Option(help: "Where to write the last run's layout (.npy, float32, points × 2).")
    var output: String?

    @Option(help: "Runs; medians are reported.")
    var repeats = 1

    @Option(help: "Epochs (default: umap-learn's).")
    var epochs: Int?

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Option(help: "Neighbour search: automatic, exact or nn_descent.")
    var search = "automatic"

    func run() throws {
        let mapped = try MappedArray(url: URL(fileURLWithPath: input))
        let data = mapped.view.matrix(rows: 0..<mapped.rows)
        var parameters = UMAPParameters()
        parameters.nEpochs = epochs
        parameters.seed = seed
        parameters.neighborSearch = NeighborSearch(rawValue: search) ?? .automatic
        let umap = UMAP(parameters: parameters)
        var totals: [Double] = []
        var previews: [Double] = []
        var initialized: [Double] = []
        var steps: [String: [Double]] = [:]
        var last: UMAP.Result?
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            func since() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
            var preview = Double.nan, initial = Double.nan
            let result = try umap.fit(data, progress: { frame in
                if frame.stage == .preview { preview = since() }
                if frame.stage == .initialized { initial = since() }
            })
            totals.append(since())
            previews.append(preview)
            initialized.append(initial)
            for (name, value) in result.seconds { steps[name, default: []].append(value) }
            last = result
        }
        if let output, let last {
            try AtomicNpyWriter.write(last.embedding, as: .float32, to: URL(fileURLWithPath: output))
        }
        var report: [String: Double] = [
            "seconds": BenchClock.median(totals),
            "first_frame_seconds": BenchClock.median(previews),
            "initialized_frame_seconds": BenchClock.median(initialized),
            "points": Double(data.rows),
            "threads": Double(umap.threads),
            "epochs": Double(last?.epochs ?? 0),
            "spectral": last?.initialization == .spectral ? 1 : 0,
            "peak_rss_bytes": BenchClock.peakResidentBytes(),
        ]
        for (name, values) in steps { report["seconds_\(name)"] = BenchClock.median(values) }
        BenchClock.report(report)
    }
}
