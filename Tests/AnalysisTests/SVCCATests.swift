import Foundation
import Numerics
import Testing
@testable import Analysis

@Suite struct SVCCATests {
    let fixtures = AnalysisFixtures.shared

    /// Both modes agree with their references (google/svcca's cca_core; numpy by the definition) to 1e-4,
    /// including a class with no tokens, a class with one token and a constant feature.
    @Test(arguments: ["basic", "binary", "empty_class", "single_token_class", "constant_feature", "weak"])
    func modesMatchReferences(name: String) throws {
        let reference = try #require(fixtures.svcca.first { $0.name == name })
        let features = try AnalysisFixtures.matrix(reference.features)
        let google = try SVCCA.similarity(features: features, codes: reference.codes, classCount: reference.class_count, mode: .google)
        let standard = try SVCCA.similarity(features: features, codes: reference.codes, classCount: reference.class_count, mode: .standard)
        #expect(abs(google.value - reference.google) < 1e-4, "google \(google.value) vs \(reference.google)")
        #expect(abs(standard.value - reference.standard) < 1e-4, "standard \(standard.value) vs \(reference.standard)")
        #expect(standard.coefficients.count == reference.standard_coefficients.count)
        for (ours, theirs) in zip(standard.coefficients, reference.standard_coefficients) { #expect(abs(ours - theirs) < 1e-4) }
        // cca_core's coefficients: those of the directions remove_small keeps (the redundant one-hot direction is ~0).
        #expect(google.coefficients.count == reference.google_coefficients.count)
        for (ours, theirs) in zip(google.coefficients, reference.google_coefficients) { #expect(abs(ours - theirs) < 1e-4) }
    }

    /// PCA then SVCCA, end to end, on float16 features, fewer tokens than components and large offsets:
    /// the one-pass path (PCA moments + class sums, no projection) and the projected-features path both
    /// agree with numpy PCA followed by the references.
    @Test(arguments: ["float16", "n_less_than_k", "large_offset"])
    func pipelineMatchesReferences(name: String) throws {
        let reference = try #require(fixtures.pipeline.first { $0.name == name })
        let view = try AnalysisFixtures.array(reference.features).view
        let groupings = reference.labels.map { RowGrouping(codes: $0.codes, classCount: $0.class_count) }
        let moments = RowMoments.accumulate(view, groupings: groupings)
        let model = try PCA.fit(moments: moments, components: reference.components)
        let features = model.transform(view)
        for (g, label) in reference.labels.enumerated() {
            for mode in SVCCAMode.allCases {
                let expected = mode == .google ? label.google : label.standard
                let projected = try SVCCA.similarity(features: features, codes: label.codes, classCount: label.class_count, mode: mode)
                #expect(abs(projected.value - expected) < 1e-4, "\(label.name) \(mode): \(projected.value) vs \(expected)")
                guard !label.codes.contains(-1) else { continue }
                let direct = try SVCCA.similarity(LabelCovariance.from(moments: moments, grouping: g, pca: model), mode: mode)
                #expect(abs(direct.value - expected) < 1e-4, "\(label.name) \(mode) one-pass: \(direct.value) vs \(expected)")
            }
        }
    }

    /// A label with one class among the analysed tokens is an error, not a number.
    @Test func oneClassIsAnError() throws {
        let features = Matrix<Float>(rows: 4, cols: 2, storage: [1, 2, 3, 1, 4, 0, 2, 2])
        for mode in SVCCAMode.allCases {
            #expect(throws: AnalysisError.self) {
                try SVCCA.similarity(features: features, codes: [0, 0, -1, 0], classCount: 3, mode: mode)
            }
        }
    }

    /// Features that do not vary: standard mode says so; google mode returns cca_core's zero.
    @Test func constantFeatures() throws {
        let features = Matrix<Float>(rows: 4, cols: 2, storage: [1, 2, 1, 2, 1, 2, 1, 2])
        #expect(throws: AnalysisError.self) { try SVCCA.similarity(features: features, codes: [0, 1, 0, 1], classCount: 2, mode: .standard) }
        #expect(try SVCCA.similarity(features: features, codes: [0, 1, 0, 1], classCount: 2, mode: .google).value == 0)
    }

    /// cca_core's sum_threshold: the first i where the running sum reaches the threshold, else all.
    @Test func sumThresholdFollowsCcaCore() {
        #expect(GoogleCCA.sumThreshold([0.5, 0.3, 0.2], 0.98) == 3)
        #expect(GoogleCCA.sumThreshold([0.9, 0.1, 0.0], 0.98) == 2)
        #expect(GoogleCCA.sumThreshold([1.0, 0.01], 0.98) == 1)
        #expect(GoogleCCA.sumThreshold([0, 0], 0.98) == 2)
    }
}
