import Foundation
import Numerics
import Store
import Testing
@testable import Analysis

@Suite struct PCATests {
    let fixtures = AnalysisFixtures.shared

    /// Mean, axes, variances and projected rows agree with a float64 numpy PCA, on float16 and
    /// float32 inputs, with large offsets, and with fewer tokens than components.
    @Test(arguments: ["float16", "n_less_than_k", "large_offset"])
    func covarianceSolverMatchesNumpy(name: String) throws {
        let reference = try #require(fixtures.pipeline.first { $0.name == name })
        let array = try AnalysisFixtures.array(reference.features)
        let model = try PCA.fit(array.view, components: reference.components, solver: .covarianceEigh)
        #expect(model.count == reference.effective_components)
        #expect(model.solver == .covarianceEigh)
        let scale = reference.pca.explained_variance[0]
        for (ours, theirs) in zip(model.explainedVariance, reference.pca.explained_variance) {
            #expect(abs(ours - theirs) <= 1e-5 * scale, "explained variance \(ours) vs \(theirs)")
        }
        for (ours, theirs) in zip(model.explainedVarianceRatio, reference.pca.explained_variance_ratio) {
            #expect(abs(ours - theirs) <= 1e-6)
        }
        for (ours, theirs) in zip(model.mean, reference.pca.mean) {
            #expect(abs(ours - theirs) <= 1e-6 * max(1, abs(theirs)))
        }
        // Axes whose variance is well separated from their neighbours' are determined up to sign,
        // and the sign rule is scikit-learn's.
        let pca = reference.pca.explained_variance
        for i in 0..<model.count where separated(pca, i) {
            let row = Array(model.components.row(i)).map(Double.init)
            let error = zip(row, reference.pca.components[i]).map { abs($0 - $1) }.max() ?? 0
            #expect(error < 1e-4, "axis \(i) differs by \(error)")
        }
        let projected = model.transform(array.view)
        #expect(try PCA.fitTransform(array.view, components: reference.components, solver: .covarianceEigh).features == projected)
        for (r, row) in reference.pca.transformed_first_rows.enumerated() {
            for c in 0..<model.count where separated(pca, c) {
                #expect(abs(Double(projected[r, c]) - row[c]) < 2e-3 * max(1, pca[c].squareRoot()))
            }
        }
    }

    /// Randomized SVD finds the same leading variances as the exact solver on a decaying spectrum.
    @Test func randomizedSolverMatchesExactLeadingAxes() throws {
        let reference = try #require(fixtures.pipeline.first { $0.name == "float16" })
        let array = try AnalysisFixtures.array(reference.features)
        let model = try PCA.fit(array.view, components: reference.components, solver: .randomized)
        #expect(model.solver == .randomized)
        for i in 0..<6 {
            let theirs = reference.pca.explained_variance[i]
            #expect(abs(model.explainedVariance[i] - theirs) <= 1e-4 * theirs)
            let row = Array(model.components.row(i)).map(Double.init)
            let cosine = abs(zip(row, reference.pca.components[i]).reduce(0) { $0 + $1.0 * $1.1 })
            #expect(cosine > 1 - 1e-4)
        }
        for (ours, theirs) in zip(model.mean, reference.pca.mean) { #expect(abs(ours - theirs) <= 1e-5) }
    }

    /// The float32 covariance_eigh path loses the offset dimensions (the fixture records how much);
    /// accumulating about a shift does not: exact to 1e-5 even at offset 3000.
    @Test func largeOffsetsKeepTheirVariance() throws {
        let reference = try #require(fixtures.pipeline.first { $0.name == "large_offset" })
        let model = try PCA.fit(AnalysisFixtures.array(reference.features).view, components: reference.components)
        for (ours, theirs) in zip(model.explainedVariance, reference.pca.explained_variance) {
            #expect(abs(ours - theirs) / theirs < 1e-5)
        }
    }

    /// The automatic choice keeps the exact solver for layer-sized shapes and small inputs.
    @Test func automaticSolverChoice() {
        #expect(PCA.resolve(.automatic, rows: 100_000, cols: 1024, components: 100) == .covarianceEigh)
        #expect(PCA.resolve(.automatic, rows: 100_000, cols: 768, components: 100) == .covarianceEigh)
        #expect(PCA.resolve(.automatic, rows: 1200, cols: 64, components: 16) == .covarianceEigh)
        #expect(PCA.resolve(.automatic, rows: 100_000, cols: 8192, components: 100) == .randomized)
        #expect(PCA.resolve(.automatic, rows: 20_000, cols: 4096, components: 100) == .randomized)
        #expect(PCA.resolve(.randomized, rows: 10, cols: 4, components: 2) == .randomized)
    }

    @Test func componentCountIsCapped() throws {
        #expect(PCA.effectiveComponents(requested: 100, rows: 40, cols: 64) == 39)
        #expect(PCA.effectiveComponents(requested: 100, rows: 5000, cols: 64) == 64)
        let one = Matrix<Float>(rows: 1, cols: 3, storage: [1, 2, 3])
        #expect(throws: AnalysisError.self) { try one.storage.withUnsafeBufferPointer { buffer in
            try PCA.fit(MatrixView(base: UnsafeRawPointer(buffer.baseAddress!), rows: 1, cols: 3, type: .float32, owner: nil),
                        components: 2)
        } }
    }

    private func separated(_ values: [Double], _ i: Int) -> Bool {
        let gap = 0.02 * values[0]
        let before = i == 0 ? Double.infinity : values[i - 1] - values[i]
        let after = i + 1 < values.count ? values[i] - values[i + 1] : Double.infinity
        return min(before, after) > gap
    }
}
