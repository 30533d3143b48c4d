import Analysis
import ArgumentParser
import Foundation
import Numerics
import Store

/// Per-layer PCA + SVCCA for three labels, the work `layerscope analyze` does per layer, on a float16
/// layer file; or the covariance SYRK alone (the floor); or both PCA solvers across shapes.
struct AnalysisBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "analysis", abstract: "PCA + SVCCA per layer (bench/analysis.py).")

    enum Mode: String, ExpressibleByArgument { case task, floor, solvers }

    @Option(help: "task: PCA + SVCCA; floor: the covariance SYRK alone; solvers: covariance vs randomized PCA.")
    var mode: Mode = .task

    @Option(help: "Layer features: tokens × dim .npy (float16 or float32).")
    var features: String = "bench/out/analysis/features.npy"

    @Option(help: "Label codes: tokens × labels float32 .npy (−1: no value).")
    var labels: String = "bench/out/analysis/labels.npy"

    @Option(help: "PCA components.")
    var components = 100

    @Option(help: "Repetitions; the median is reported.")
    var repeats = 3

    @Option(help: "SVCCA mode.")
    var svccaMode: SVCCAMode = .standard

    func run() throws {
        ComputeThreads.configureBLAS()
        switch mode {
        case .task: try task()
        case .floor: try floor()
        case .solvers: try solvers()
        }
    }

    private func task() throws {
        let array = try MappedArray(url: URL(fileURLWithPath: features))
        let view = array.view
        let codes = try MappedArray(url: URL(fileURLWithPath: labels)).view
        let table = codes.matrix(rows: 0..<codes.rows)
        let groupings = (0..<codes.cols).map { c -> RowGrouping in
            let column = table.column(c).map { Int32($0) }
            return RowGrouping(codes: column, classCount: Int(column.max() ?? 0) + 1)
        }
        var times: [Double] = [], cpu: [Double] = [], passes: [Double] = [], eigens: [Double] = [], rest: [Double] = []
        var values: [Double] = []
        var ratio = 0.0
        for _ in 0..<repeats {
            let cpuStart = Self.cpuSeconds()
            var timedMoments: RowMoments?
            let pass = BenchClock.seconds { timedMoments = RowMoments.accumulate(view, groupings: groupings) }
            guard let moments = timedMoments else { throw ValidationError("the pass over the layer produced no statistics") }
            var fitted: PCAModel?
            let eigen = try BenchClock.seconds { fitted = try PCA.fit(moments: moments, components: components) }
            guard let pca = fitted else { throw ValidationError("PCA produced no model") }
            let svcca = try BenchClock.seconds {
                let scatter = LabelCovariance.projectedScatter(moments: moments, pca: pca)
                values = try groupings.indices.map { g in
                    try SVCCA.similarity(LabelCovariance.from(moments: moments, grouping: g, pca: pca, featureScatter: scatter),
                                         mode: svccaMode).value
                }
            }
            ratio = pca.explainedVarianceRatio.reduce(0, +)
            passes.append(pass); eigens.append(eigen); rest.append(svcca)
            times.append(pass + eigen + svcca)
            cpu.append(Self.cpuSeconds() - cpuStart)
        }
        var report: [String: Double] = [
            "median_s": BenchClock.median(times), "cpu_s": BenchClock.median(cpu), "pass_s": BenchClock.median(passes), "eigen_s": BenchClock.median(eigens),
            "svcca_s": BenchClock.median(rest), "peak_rss_bytes": BenchClock.peakResidentBytes(), "variance_kept": ratio,
            "threads": Double(ComputeThreads.blasThreads),
        ]
        for (i, value) in values.enumerated() { report["svcca_\(i)"] = value }
        for (i, time) in times.enumerated() { report["run_\(i)_s"] = time }
        BenchClock.report(report)
    }

    /// cblas_ssyrk on the whole layer as float32, already in memory: the least any covariance PCA must do.
    private func floor() throws {
        let view = try MappedArray(url: URL(fileURLWithPath: features)).view
        let x = view.matrix(rows: 0..<view.rows)
        var c = [Float](repeating: 0, count: view.cols * view.cols)
        var times: [Double] = [], cpu: [Double] = []
        for _ in 0..<repeats {
            let cpuStart = Self.cpuSeconds()
            times.append(BenchClock.seconds {
                x.storage.withUnsafeBufferPointer { a in
                    c.withUnsafeMutableBufferPointer { out in
                        Float.syrk(transpose: true, n: view.cols, k: view.rows, alpha: 1, a: a.baseAddress!, lda: view.cols,
                                   beta: 0, c: out.baseAddress!, ldc: view.cols)
                    }
                }
            })
            cpu.append(Self.cpuSeconds() - cpuStart)
        }
        let flops = Double(view.rows) * Double(view.cols) * Double(view.cols)
        BenchClock.report(["median_s": BenchClock.median(times), "cpu_s": BenchClock.median(cpu),
                           "gflops": flops / BenchClock.median(times) / 1e9])
    }

    /// CPU seconds (user + system, all threads) this process has used: less sensitive than wall time
    /// to other processes competing for the cores. The corresponding C function is `getrusage`.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Both PCA solvers on synthetic float16 data of several shapes: where does randomized win?
    private func solvers() throws {
        var report: [String: Double] = [:]
        for (rows, cols) in [(100_000, 1024), (20_000, 1024), (5_000, 1024), (20_000, 4096)] {
            var generator = SplitMix64(seed: 1)
            var bits = [UInt16](repeating: 0, count: rows * cols)
            // A decaying spectrum: column j scaled by 1/sqrt(1 + j/8), plus a shared factor.
            var row = [Float](repeating: 0, count: cols)
            for r in 0..<rows {
                let shared = Float(generator.nextGaussian())
                for j in 0..<cols { row[j] = Float(generator.nextGaussian()) / (1 + Float(j) / 8).squareRoot() + shared * (j % 7 == 0 ? 1 : 0) }
                let narrowed = HalfPrecision.narrow(row)
                for j in 0..<cols { bits[r * cols + j] = narrowed[j] }
            }
            try bits.withUnsafeBufferPointer { buffer in
                let view = MatrixView(base: UnsafeRawPointer(buffer.baseAddress!), rows: rows, cols: cols, type: .float16, owner: nil)
                let name = "\(rows)x\(cols)"
                for solver in [PCASolver.covarianceEigh, .randomized] {
                    var times: [Double] = []
                    for _ in 0..<max(1, repeats) {
                        times.append(try BenchClock.seconds { _ = try PCA.fit(view, components: components, solver: solver) })
                    }
                    report["\(name)_\(solver.rawValue)_s"] = BenchClock.median(times)
                }
                report["\(name)_automatic_is_randomized"] =
                    PCA.resolve(.automatic, rows: rows, cols: cols, components: components) == .randomized ? 1 : 0
            }
        }
        BenchClock.report(report)
    }
}

extension SVCCAMode: ExpressibleByArgument {}
