import Analysis
import ArgumentParser
import Dispatch
import Foundation
import Numerics
import Store

/// Layer-aligned UMAP: consecutive layers laid out independently and each from its predecessor's
/// layout; the mean displacement between consecutive layouts after Procrustes, for both.
struct UMAPAlignBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "umap-align",
                                                    abstract: "Displacement between consecutive layers' UMAP layouts, aligned or not.")

    @Argument(help: "Feature matrices of consecutive layers (.npy, same rows), in layer order.")
    var layers: [String]

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Option(help: "Initial learning rate of the aligned layouts (default: UMAP's).")
    var alignedLearningRate: Double?

    @Option(help: "Class codes of the tokens (.npy, one number per token): also report how far class centroids move.")
    var labels: String?

    @Option(help: "Folder to write the layouts to (independent-L<i>.npy, aligned-L<i>.npy).")
    var output: String?

    func run() throws {
        let features = try layers.map { path -> Matrix<Float> in
            let mapped = try MappedArray(url: URL(fileURLWithPath: path))
            return mapped.view.matrix(rows: 0..<mapped.rows)
        }
        var parameters = UMAPParameters()
        parameters.seed = seed
        let umap = UMAP(parameters: parameters)
        var alignedParameters = parameters
        if let alignedLearningRate { alignedParameters.learningRate = alignedLearningRate }
        let alignedUMAP = UMAP(parameters: alignedParameters)
        var independent: [Matrix<Float>] = []
        var aligned: [Matrix<Float>] = []
        var independentSeconds: [Double] = []
        var alignedSeconds: [Double] = []
        for (i, data) in features.enumerated() {
            var start = DispatchTime.now().uptimeNanoseconds
            independent.append(try umap.fit(data).embedding)
            independentSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            start = DispatchTime.now().uptimeNanoseconds
            aligned.append(i == 0 ? independent[0] : try alignedUMAP.fit(data, initialLayout: aligned[i - 1]).embedding)
            alignedSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        if let output {
            for i in features.indices {
                try AtomicNpyWriter.write(independent[i], as: .float32, to: URL(fileURLWithPath: output).appendingPathComponent(String(format: "independent-L%02d.npy", i)))
                try AtomicNpyWriter.write(aligned[i], as: .float32, to: URL(fileURLWithPath: output).appendingPathComponent(String(format: "aligned-L%02d.npy", i)))
            }
        }
        let pairs = Array(1..<features.count)
        let independentShift = pairs.map { Procrustes.meanDisplacement(independent[$0], independent[$0 - 1]) }
        let alignedShift = pairs.map { Procrustes.meanDisplacement(aligned[$0], aligned[$0 - 1]) }
        var report: [String: Double] = [
            "layers": Double(features.count),
            "points": Double(features.first?.rows ?? 0),
            "independent_mean_displacement": independentShift.reduce(0, +) / Double(max(pairs.count, 1)),
            "aligned_mean_displacement": alignedShift.reduce(0, +) / Double(max(pairs.count, 1)),
            "independent_seconds_per_layer": BenchClock.median(independentSeconds),
            "aligned_seconds_per_layer": BenchClock.median(Array(alignedSeconds.dropFirst())),
        ]
        if let labels {
            let mapped = try MappedArray(url: URL(fileURLWithPath: labels))
            let codes = mapped.view.matrix(rows: 0..<mapped.rows).storage.map { Int($0) }
            let independentCentroids = pairs.map { Procrustes.meanCentroidDisplacement(independent[$0], independent[$0 - 1], classes: codes) }
            let alignedCentroids = pairs.map { Procrustes.meanCentroidDisplacement(aligned[$0], aligned[$0 - 1], classes: codes) }
            report["independent_mean_centroid_displacement"] = independentCentroids.reduce(0, +) / Double(max(pairs.count, 1))
            report["aligned_mean_centroid_displacement"] = alignedCentroids.reduce(0, +) / Double(max(pairs.count, 1))
        }
        for (i, shift) in zip(pairs, independentShift) { report[String(format: "independent_L%02d", i)] = shift }
        for (i, shift) in zip(pairs, alignedShift) { report[String(format: "aligned_L%02d", i)] = shift }
        BenchClock.report(report)
    }
}
