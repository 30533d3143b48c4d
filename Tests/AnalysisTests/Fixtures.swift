import Foundation
import Numerics
import Store

/// The reference values of scripts/make_analysis_fixtures.py (google/svcca, numpy, scikit-learn).
struct AnalysisFixtures: Decodable {
    struct SVCCACase: Decodable {
        let name: String
        let features: String
        let codes: [Int32]
        let class_count: Int
        let google: Double
        let google_coefficients: [Double]
        let standard: Double
        let standard_coefficients: [Double]
    }

    struct PCAReference: Decodable {
        let mean: [Double]
        let components: [[Double]]
        let explained_variance: [Double]
        let explained_variance_ratio: [Double]
        let transformed_first_rows: [[Double]]
    }

    struct Label: Decodable {
        let name: String
        let codes: [Int32]
        let class_count: Int
        let google: Double
        let standard: Double
    }

    struct PipelineCase: Decodable {
        let name: String
        let features: String
        let components: Int
        let effective_components: Int
        let pca: PCAReference
        let labels: [Label]
    }

    struct ProbeLabel: Decodable {
        let name: String
        let codes: [Int32]
        let class_count: Int
        let accuracy: Double
        let per_class: [Double?]
        let train_tokens: Int
        let test_tokens: Int
    }

    struct ProbeCase: Decodable {
        let features: String
        let speakers: [String]
        let speaker_sex: [String: Int]
        let test_speakers: [String]
        let labels: [ProbeLabel]
    }

    let svcca: [SVCCACase]
    let pipeline: [PipelineCase]
    let probe: ProbeCase

    static let shared: AnalysisFixtures = {
        do {
            return try JSONDecoder().decode(AnalysisFixtures.self, from: Data(contentsOf: url("analysis_fixtures.json")))
        } catch {
            preconditionFailure("cannot read the analysis fixtures: \(error)")
        }
    }()

    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name)
    }

    /// A fixture array, memory-mapped as the store maps layers.
    static func array(_ name: String) throws -> MappedArray {
        try MappedArray(url: url(name))
    }

    /// A fixture array as an in-memory float32 matrix.
    static func matrix(_ name: String) throws -> Matrix<Float> {
        let view = try array(name).view
        return view.matrix(rows: 0..<view.rows)
    }
}
