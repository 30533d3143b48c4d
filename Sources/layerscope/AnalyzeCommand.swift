import Analysis
import ArgumentParser
import Foundation
import Store

extension Layerscope {
    struct Analyze: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute PCA + SVCCA (and speaker-disjoint probes, k-means clusters, UMAP layouts) per layer and label, into the store.",
            discussion: """
                Computes only what the store lacks, or holds for other inputs or parameters; --force recomputes. \
                A label or layer that cannot be analysed gets an error in its cell; the other cells are still computed.
                """)

        @Argument(help: "The store folder (NAME.layerstore).")
        var store: String

        @Option(help: "The model to analyse (default: every model in the store).")
        var model: String?

        @Option(help: "Layers to analyse: A-B or one number (default: every layer in the store).")
        var layers: LayerRange?

        @Option(help: "Labels to analyse, comma-separated (default: every label of the token table).")
        var labels: String?

        @Option(help: "PCA components before SVCCA and the probe.")
        var pca = 100

        @Option(help: "SVCCA definition: standard, or google (google/svcca's cca_core mean).")
        var svccaMode: SVCCAMode = .standard

        @Flag(help: "Also train multinomial logistic-regression probes on speaker-disjoint splits.")
        var probe = false

        @Option(name: .customLong("clusters"), defaultAsFlag: ClusterCountArgument(count: .classes),
                help: ArgumentHelp("Also cluster each layer's PCA features with k-means and compare the clusters with every label: "
                                   + "alone, k = each label's number of classes; with K, one clustering per layer with k = K.",
                                   valueName: "K"))
        var clusters: ClusterCountArgument? = nil

        @Option(help: "k-means++ restarts per clustering (the lowest inertia wins).")
        var clusterRestarts = KMeansOptions.defaultRestarts

        @Option(help: "Seed of the k-means++ draws.")
        var clusterSeed: UInt64 = 0

        @Flag(help: "Also lay out each layer with UMAP into the store (arrays/<model>/umap-L07.npy), each from the previous layer's layout.")
        var umap = false

        @Flag(help: "With --umap: lay out every layer from its own spectral start instead.")
        var umapIndependent = false

        @Flag(help: "Recompute results the store already holds.")
        var force = false

        @Flag(help: "Print the results as JSON (stable; see docs/ANALYSIS.md).")
        var json = false

        func validate() throws {
            guard pca >= 1 else { throw ValidationError("--pca must be at least 1") }
            guard clusterRestarts >= 1 else { throw ValidationError("--cluster-restarts must be at least 1") }
            if case .fixed(let k)? = clusters?.count, k < 2 { throw ValidationError("--clusters K must be at least 2, got \(k)") }
            if let labels, labelNames(labels).isEmpty { throw ValidationError("--labels names no label") }
        }

        private func labelNames(_ list: String) -> [String] {
            list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        func run() throws {
            let opened = try EmbeddingStore(opening: fileURL(store))
            let runner = AnalysisRunner(store: opened)
            let models = try model.map { [$0] } ?? opened.models().map(\.name)
            guard !models.isEmpty else { throw StoreError(opened.url, "has no models to analyse") }
            let labelNames = labels.map(labelNames)
            var results: [ModelAnalysis] = []
            for name in models {
                let request = AnalysisRequest(model: name, layers: layers?.range, labels: labelNames, pcaComponents: pca,
                                              svccaMode: svccaMode, probe: probe, force: force,
                                              clusters: clusters.map { ClusterRequest(count: $0.count, restarts: clusterRestarts, seed: clusterSeed) })
                var result = try runner.run(request, progress: isatty(STDERR_FILENO) != 0 ? Self.reportProgress : { _ in })
                if umap { try addLayouts(to: &result, store: opened) }
                results.append(result)
            }
            if json {
                print(try AnalysisReport.json(results))
            } else {
                print(results.map(AnalysisReport.text).joined(separator: "\n\n"))
            }
        }

        /// UMAP layouts of the layers that analysed without error, on the same PCA features.
        private func addLayouts(to result: inout ModelAnalysis, store: EmbeddingStore) throws {
            let layers = result.layers.filter { $0.error == nil }.map(\.layer)
            let runner = UMAPRunner(store: store, pcaComponents: pca)
            let tty = isatty(STDERR_FILENO) != 0
            let outcomes = try runner.layouts(model: result.model, layers: layers, aligned: !umapIndependent, force: force) { outcome in
                guard tty else { return }
                let how = outcome.reused ? "reused" : "computed"
                FileHandle.standardError.write(Data("\(outcome.model): layer \(outcome.layer) UMAP \(how)\n".utf8))
            }
            for index in result.layers.indices { result.layers[index].umap = outcomes[result.layers[index].layer].map(UMAPLayerSummary.init) }
        }

        /// One line on a terminal's standard error per finished layer, so long runs show they are moving.
        static func reportProgress(_ progress: AnalysisProgress) {
            guard progress.stage == .done, let result = progress.result else { return }
            let how = result.reused ? "reused" : "computed"
            FileHandle.standardError.write(Data("\(progress.model): layer \(progress.layer) \(how) (\(progress.finished)/\(progress.total))\n".utf8))
        }
    }
}

extension SVCCAMode: ExpressibleByArgument {}

/// `--clusters K`: a number of clusters (at least 2, checked in `validate`), or `classes` (what
/// `--clusters` alone means).
struct ClusterCountArgument: ExpressibleByArgument, CustomStringConvertible {
    let count: ClusterRequest.Count

    init(count: ClusterRequest.Count) { self.count = count }

    init?(argument: String) {
        if argument == "classes" {
            count = .classes
        } else if let k = Int(argument) {
            count = .fixed(k)
        } else {
            return nil
        }
    }

    var description: String { count.description }
}
