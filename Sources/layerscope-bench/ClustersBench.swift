import Analysis
import ArgumentParser
import Foundation
import Numerics
import Store

/// k-means (k-means++ seeding, restarts, Lloyd) on a float32 features file, as `layerscope analyze
/// --clusters` runs it per layer: median wall and CPU seconds, the inertia, and each stage's share.
struct ClustersBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clusters", abstract: "k-means on PCA features (bench/clusters.py).")

    @Option(help: "Features: tokens × dim .npy (float16 or float32).")
    var features: String = "bench/out/clusters/features.npy"

    @Option(help: "k.")
    var clusters = 39

    @Option(help: "k-means++ restarts (scikit-learn's n_init).")
    var restarts = KMeansOptions.defaultRestarts

    @Option(help: "Seed.")
    var seed: UInt64 = 0

    @Option(help: "Lloyd iterations at most (scikit-learn's max_iter).")
    var maxIterations = KMeansOptions.defaultMaxIterations

    @Option(help: "Repetitions; the median is reported.")
    var repeats = 3

    @Option(help: "Write the winning run's cluster ids here (float32 .npy), for the Python side to check.")
    var labelsOut: String?

    func run() throws {
        // As `layerscope` itself does at start: OpenBLAS's AVX-512 kernels where it failed to pick them.
        let core = BLASKernels.preferAVX512()
        ComputeThreads.configureBLAS()
        let view = try MappedArray(url: URL(fileURLWithPath: features)).view
        let x = view.matrix(rows: 0..<view.rows)
        let options = KMeansOptions(clusters: clusters, restarts: restarts, maxIterations: maxIterations, seed: seed)
        var times: [Double] = [], cpu: [Double] = []
        var result: KMeansResult?
        for _ in 0..<repeats {
            let cpuStart = AnalysisBench.cpuSeconds()
            times.append(try BenchClock.seconds { result = try KMeans.fit(x, options: options) })
            cpu.append(AnalysisBench.cpuSeconds() - cpuStart)
        }
        guard let result else { return }
        if let labelsOut {
            let ids = Matrix<Float>(rows: result.assignments.count, cols: 1, storage: result.assignments.map(Float.init))
            try AtomicNpyWriter.write(ids, as: .float32, to: URL(fileURLWithPath: labelsOut))
        }
        var report: [String: Double] = [
            "median_s": BenchClock.median(times), "cpu_s": BenchClock.median(cpu), "inertia": result.inertia,
            "iterations": Double(result.iterations), "converged": result.converged ? 1 : 0,
            "threads": Double(ComputeThreads.blasThreads), "avx512_kernels": BLASKernels.avx512Cores.contains(core.lowercased()) ? 1 : 0, "peak_rss_bytes": BenchClock.peakResidentBytes(),
        ]
        for (i, time) in times.enumerated() { report["run_\(i)_s"] = time }
        for (i, inertia) in result.restartInertias.enumerated() { report["restart_\(i)_inertia"] = inertia }
        BenchClock.report(report)
    }
}
