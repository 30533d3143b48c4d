import Numerics
import Store

/// The numeric work for one layer: one pass over its rows for PCA and the class sums SVCCA needs,
/// a projection only where the probe or a label with missing values needs the PCA features, then
/// the requested cells. Failures of a label stay in that label's cell.
struct LayerComputation {
    let layer: Int
    let view: MatrixView
    let components: Int
    let mode: SVCCAMode
    let svccaLabels: [LabelColumn]
    let probeLabels: [LabelColumn]
    let split: Result<SpeakerSplit, AnalysisError>?
    /// k-means settings, and the labels its clusterings are compared with (empty without `--clusters`).
    var clusters: ClusterRequest? = nil
    var clusterLabels: [LabelColumn] = []

    struct Output {
        var pca: CellOutcome<PCASummary>
        var svcca: [String: CellOutcome<SVCCAResult>] = [:]
        var probe: [String: CellOutcome<ProbeResult>] = [:]
        var clusters: [String: CellOutcome<ClusterResult>] = [:]
        /// Per k: the per-token cluster ids, for the store's `clusters` arrays.
        var clusterAssignments: [Int: [Int32]] = [:]
    }

    func run(stage: (AnalysisProgress.Stage) -> Void, isCancelled: () -> Bool) throws -> Output {
        do {
            return try compute(stage: stage, isCancelled: isCancelled)
        } catch let error as AnalysisError {
            return failure(error.message)
        } catch let error as LAPACKError {
            return failure("layer \(layer): \(error)")
        }
    }

    func failure(_ message: String) -> Output {
        Self.failure(message, svccaLabels: svccaLabels, probeLabels: probeLabels, clusterLabels: clusterLabels)
    }

    /// The whole layer failed: every requested cell carries the reason.
    static func failure(_ message: String, svccaLabels: [LabelColumn], probeLabels: [LabelColumn],
                        clusterLabels: [LabelColumn] = []) -> Output {
        var output = Output(pca: .failure(message))
        for label in svccaLabels { output.svcca[label.name] = .failure(message) }
        for label in probeLabels { output.probe[label.name] = .failure(message) }
        for label in clusterLabels { output.clusters[label.name] = .failure(message) }
        return output
    }

    private func compute(stage: (AnalysisProgress.Stage) -> Void, isCancelled: () -> Bool) throws -> Output {
        stage(.reading)
        let k = try PCA.checkedComponents(components, rows: view.rows, cols: view.cols)
        let solver = PCA.resolve(.automatic, rows: view.rows, cols: view.cols, components: k)
        var moments: RowMoments?
        let pca: PCAModel
        if solver == .covarianceEigh {
            let accumulated = RowMoments.accumulate(view, groupings: svccaLabels.map {
                RowGrouping(codes: $0.codes, classCount: $0.classes.count)
            })
            guard accumulated.isFinite else { throw nonfinite() }
            moments = accumulated
            pca = try PCA.fit(moments: accumulated, components: k)
        } else {
            if NonfiniteScan.rows(view).count > 0 { throw nonfinite() }
            pca = try PCA.fit(view, components: k, solver: solver)
        }
        var output = Output(pca: .success(PCASummary(components: pca.count, explainedVarianceRatio: pca.explainedVarianceRatio,
                                                     solver: pca.solver, samples: pca.samples)))
        let needsFeatures = !probeLabels.isEmpty || !clusterLabels.isEmpty || moments == nil
            || svccaLabels.contains { $0.codes.contains(-1) }
        if isCancelled() { throw CancellationError() }
        var features: Matrix<Float>?
        if needsFeatures {
            stage(.projecting)
            features = pca.transform(view)
        }
        if !svccaLabels.isEmpty { stage(.svcca) }
        var projectedScatter: Matrix<Double>?
        for (g, label) in svccaLabels.enumerated() {
            output.svcca[label.name] = cell(label) {
                try checkClasses(label)
                let covariance: LabelCovariance
                if let moments, !label.codes.contains(-1) {
                    let scatter = projectedScatter ?? LabelCovariance.projectedScatter(moments: moments, pca: pca)
                    projectedScatter = scatter
                    covariance = try LabelCovariance.from(moments: moments, grouping: g, pca: pca, featureScatter: scatter)
                } else if let features {
                    covariance = LabelCovariance.from(features: features, codes: label.codes, classCount: label.classes.count)
                } else {
                    throw AnalysisError("no features to analyse")
                }
                return try SVCCA.similarity(covariance, mode: mode)
            }
        }
        for label in probeLabels {
            if isCancelled() { throw CancellationError() }
            stage(.probe)
            output.probe[label.name] = cell(label) {
                guard let split else { throw AnalysisError("no speaker split") }
                guard let features else { throw AnalysisError("no features to analyse") }
                try checkClasses(label)
                return try Probe.evaluate(features: features, codes: label.codes, classCount: label.classes.count, split: split.get())
            }
        }
        if let clusters, !clusterLabels.isEmpty, let features {
            stage(.clusters)
            try computeClusters(clusters, features: features, into: &output, isCancelled: isCancelled)
        }
        return output
    }

    func cell<Value>(_ label: LabelColumn, _ body: () throws -> Value) -> CellOutcome<Value> {
        do {
            return .success(try body())
        } catch let error as AnalysisError {
            return .failure(error.message.hasPrefix("label '") ? error.message : "label '\(label.name)': \(error.message)")
        } catch {
            return .failure("label '\(label.name)': \(error)")
        }
    }

    /// A label needs two classes among its tokens to correlate with anything.
    func checkClasses(_ label: LabelColumn) throws {
        let present = label.classes.indices.filter { label.counts[$0] > 0 }
        guard present.count < 2 else { return }
        if let only = present.first {
            throw AnalysisError("label '\(label.name)' has only one class among the analysed tokens (\(label.classes[only]))")
        }
        throw AnalysisError("label '\(label.name)' has no value on any token")
    }

    private func nonfinite() -> AnalysisError {
        let scan = NonfiniteScan.rows(view)
        let first = scan.first.map { " (first: row \($0))" } ?? ""
        return AnalysisError("layer \(layer) holds NaN or infinity in \(scan.count) of \(view.rows) tokens\(first)")
    }
}

/// Finds rows holding NaN or infinity, block by block over the raw (float16 or float32) values.
enum NonfiniteScan {
    static func rows(_ view: MatrixView, blockRows: Int = 4096) -> (count: Int, first: Int?) {
        var count = 0
        var first: Int?
        var start = 0
        while start < view.rows {
            let end = min(view.rows, start + blockRows)
            let found = countRows(view, start..<end)
            if found > 0 {
                count += found
                if first == nil { first = (start..<end).first { countRows(view, $0..<($0 + 1)) > 0 } }
            }
            start = end
        }
        return (count, first)
    }

    private static func countRows(_ view: MatrixView, _ range: Range<Int>) -> Int {
        let offset = range.lowerBound * view.cols
        switch view.type {
        case .float16:
            return FiniteCheck.nonfiniteRows(half: view.base.assumingMemoryBound(to: UInt16.self) + offset, rows: range.count, cols: view.cols)
        case .float32:
            return FiniteCheck.nonfiniteRows(view.base.assumingMemoryBound(to: Float.self) + offset, rows: range.count, cols: view.cols)
        }
    }
}
