import Analysis
import ArgumentParser
import Foundation
import Numerics
import Store

/// Nearest-neighbour search for UMAP: NN-descent against the exact graph (recall on sampled rows), and timings.
struct UMAPNeighborsBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "umap-neighbors",
                                                    abstract: "UMAP's k-nearest-neighbour search: time and recall.")

    @Option(help: "Input .npy (float32 or float16, points × dims).")
    var input: String

    @Option(help: "Neighbours per point, the point itself included.")
    var k = 15

    @Option(help: "Rows whose exact neighbours are computed to measure recall.")
    var recallRows = 2_000

    @Option(help: "Search to time: nn_descent or exact.")
    var search = "nn_descent"

    @Option(help: "Random projection trees (NN-descent).")
    var trees: Int?

    @Option(help: "Leaf size (NN-descent).")
    var leafSize: Int?

    @Option(help: "NN-descent rounds.")
    var iterations: Int?

    func run() throws {
        let mapped = try MappedArray(url: URL(fileURLWithPath: input))
        let data = mapped.view.matrix(rows: 0..<mapped.rows)
        var graph: KNNGraph?
        let seconds = BenchClock.seconds {
            if search == "exact" {
                graph = exactNearestNeighbors(data, k: k)
            } else {
                var descent = NNDescent(data: data, k: k, seed: 1)
                if let trees { descent.treeCount = trees }
                if let leafSize { descent.leafSize = leafSize }
                if let iterations { descent.iterations = iterations }
                graph = descent.run()
            }
        }
        guard let graph else { return }
        // Exact neighbours of a sample of rows, by brute force over all points.
        var random = SeededRandom(seed: 7)
        let rows = (0..<min(recallRows, data.rows)).map { _ in random.index(below: data.rows) }
        let queries = data.rows == 0 ? data : Matrix(rows: rows.count, cols: data.cols,
                                                      storage: rows.flatMap { Array(data.row($0)) })
        var hits = 0
        for (i, r) in rows.enumerated() {
            var d = [(Float, Int)]()
            for j in 0..<data.rows {
                let v = queries.storage.withUnsafeBufferPointer { q in
                    data.storage.withUnsafeBufferPointer { x in
                        SquaredDistances.between(q.baseAddress! + i * data.cols, x.baseAddress! + j * data.cols, dim: data.cols)
                    }
                }
                d.append((v, j))
            }
            d.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            let truth = Set(d.prefix(k).map { Int32($0.1) })
            for j in 0..<k where truth.contains(graph.indices[r * k + j]) { hits += 1 }
        }
        BenchClock.report([
            "seconds": seconds, "recall": Double(hits) / Double(rows.count * k),
            "points": Double(data.rows), "peak_rss_bytes": BenchClock.peakResidentBytes(),
        ])
    }
}
