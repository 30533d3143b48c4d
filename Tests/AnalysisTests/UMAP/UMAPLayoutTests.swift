import Analysis
import Numerics
import Testing

@Suite("UMAP layout: quality, determinism, frames, cancellation")
struct UMAPLayoutTests {
    static let data = (try? UMAPFixtures.matrix("clusters.npy")) ?? Matrix(rows: 0, cols: 0)

    /// One default run, shared by the quality checks (a run takes seconds in a debug build).
    static let defaultRun: (layout: Matrix<Float>, frames: [UMAPFrame])? = {
        var frames: [UMAPFrame] = []
        let umap = UMAP(frameInterval: 100, threads: 2)
        guard let result = try? umap.fit(data, progress: { frames.append($0) }) else { return nil }
        return (result.embedding, frames)
    }()

    @Test("trustworthiness within 0.01 of umap-learn's on the same data")
    func trustworthinessMatchesUMAPLearn() throws {
        let run = try #require(Self.defaultRun)
        let ours = trustworthiness(original: Self.data, embedded: run.layout, nNeighbors: 15)
        #expect(abs(ours - UMAPFixtures.shared.umap_learn_trustworthiness) <= 0.01)
    }

    @Test("planted clusters separate: kNN label agreement in the layout as high as umap-learn's")
    func clustersSeparate() throws {
        let run = try #require(Self.defaultRun)
        let agreement = labelAgreement(run.layout, labels: UMAPFixtures.shared.clusters_labels)
        #expect(agreement >= UMAPFixtures.shared.umap_learn_label_agreement - 0.01)
        #expect(agreement > 0.95)
    }

    @Test("frames: a preview, the initialisation, every frameInterval epochs, and the final layout")
    func frames() throws {
        let run = try #require(Self.defaultRun)
        #expect(run.frames.map(\.stage) == [.preview, .initialized, .optimizing, .optimizing, .optimizing, .optimizing, .finished])
        #expect(run.frames.map(\.epoch) == [0, 0, 100, 200, 300, 400, 500])
        #expect(run.frames.last?.coordinates == run.layout)
        #expect(run.frames.allSatisfy { $0.coordinates.rows == Self.data.rows && $0.totalEpochs == 500 })
    }

    @Test("the same seed and thread count give the same layout; a run can be cancelled between epochs")
    func determinismAndCancellation() throws {
        let small = Self.data.rows(0..<400)
        var parameters = UMAPParameters()
        parameters.nEpochs = 60
        let umap = UMAP(parameters: parameters, threads: 3)
        let first = try umap.fit(small).embedding
        let second = try umap.fit(small).embedding
        #expect(first == second)
        parameters.seed = 7
        #expect(try UMAP(parameters: parameters, threads: 3).fit(small).embedding != first)

        var epochsSeen = 0
        #expect(throws: UMAPError.cancelled) {
            try umap.fit(small, progress: { if $0.stage == .optimizing { epochsSeen = $0.epoch } },
                         isCancelled: { epochsSeen >= 20 })
        }
        #expect(epochsSeen == 20)
    }

    @Test("tiny inputs give a finite layout of the right shape", arguments: [0, 1, 2, 5, 16, 40])
    func tiny(points: Int) throws {
        var random = SeededRandom(seed: UInt64(points))
        let data = Matrix<Float>(rows: points, cols: 4, storage: (0..<(points * 4)).map { _ in Float(random.normal()) })
        var parameters = UMAPParameters()
        parameters.nEpochs = 30
        let layout = try UMAP(parameters: parameters).fit(data).embedding
        #expect(layout.rows == points && layout.cols == 2)
        #expect(layout.storage.allSatisfy { $0.isFinite })
    }

    @Test("bad input: non-finite features and a wrongly shaped initial layout")
    func badInput() {
        var data = Matrix<Float>(rows: 20, cols: 3, repeating: 1)
        data[7, 2] = .nan
        #expect(throws: UMAPError.nonFinite(row: 7)) { try UMAP().fit(data) }
        #expect(throws: UMAPError.notTwoDimensional(columns: 3)) {
            try UMAP().fit(Matrix(rows: 20, cols: 3, repeating: 1), initialLayout: Matrix(rows: 20, cols: 3))
        }
    }
}

/// Leave-one-out majority vote of the 15 layout neighbours, as the fixture script's knn_label_agreement.
func labelAgreement(_ layout: Matrix<Float>, labels: [Int], k: Int = 15) -> Double {
    let graph = exactNearestNeighbors(layout, k: k + 1)
    var correct = 0
    let classes = (labels.max() ?? 0) + 1
    for i in 0..<layout.rows {
        var votes = [Int](repeating: 0, count: classes)
        for j in 1...k { votes[labels[Int(graph.indices[i * (k + 1) + j])]] += 1 }
        let best = votes.indices.max { votes[$0] < votes[$1] || (votes[$0] == votes[$1] && $0 > $1) } ?? 0
        if best == labels[i] { correct += 1 }
    }
    return Double(correct) / Double(layout.rows)
}

@Suite("UMAP progressive frames and layer alignment")
struct UMAPProgressTests {
    static let small = UMAPLayoutTests.data.rows(0..<300)

    @Test("the async stream delivers the preview, the initialisation and the final layout")
    func stream() async throws {
        var parameters = UMAPParameters()
        parameters.nEpochs = 40
        let umap = UMAP(parameters: parameters, frameInterval: 10, threads: 2)
        var stages: [UMAPFrame.Stage] = []
        var last: UMAPFrame?
        for try await frame in umap.frames(Self.small) {
            stages.append(frame.stage)
            last = frame
        }
        #expect(stages.first == .preview && stages.last == .finished)
        #expect(last?.coordinates == (try umap.fit(Self.small).embedding))
    }

    @Test("leaving the stream early sets the cancellation flag the run checks between epochs")
    func streamCancellation() async throws {
        var parameters = UMAPParameters()
        parameters.nEpochs = 100_000
        let cancellation = UMAPCancellation()
        for try await frame in UMAP(parameters: parameters, frameInterval: 5).frames(Self.small, cancellation: cancellation)
        where frame.stage == .optimizing {
            break
        }
        // The run stops at its next epoch; a hundred thousand epochs would take minutes.
        for _ in 0..<200 where !cancellation.isCancelled { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(cancellation.isCancelled)
    }

    @Test("an aligned layout starts from, and is returned in the frame of, its neighbour's layout")
    func aligned() throws {
        var parameters = UMAPParameters()
        parameters.nEpochs = 100
        let umap = UMAP(parameters: parameters, threads: 2)
        let first = try umap.fit(Self.small).embedding
        // The "next layer": the same tokens, slightly perturbed features.
        var random = SeededRandom(seed: 8)
        var next = Self.small
        next.storage = next.storage.map { $0 + Float(random.normal() * 0.05) }
        var initialized: Matrix<Float>?
        let aligned = try umap.fit(next, initialLayout: first, progress: { if $0.stage == .initialized { initialized = $0.coordinates } })
        let independent = try umap.fit(next).embedding
        #expect(aligned.initialization == .given)
        for (a, b) in zip(try #require(initialized).storage, first.storage) { #expect(abs(a - b) < 1e-3) }
        let alignedShift = Procrustes.meanDisplacement(aligned.embedding, first)
        #expect(alignedShift < Procrustes.meanDisplacement(independent, first))
        #expect(alignedShift < 0.5)
    }
}
