import Foundation
import Numerics
import Store

/// The reference values of scripts/make_cluster_fixtures.py (scikit-learn, numpy).
struct ClusterFixtures: Decodable {
    struct LegendEntry: Decodable {
        let size: Int
        let labelled: Int
        let majority: Int?
        let purity: Double?
    }

    struct Agreement: Decodable {
        let name: String
        let clusters: [Int32]
        let codes: [Int32]
        let cluster_count: Int
        let class_count: Int
        let tokens: Int
        let nmi: Double
        let v_measure: Double
        let homogeneity: Double
        let completeness: Double
        let purity: Double
        let legend: [LegendEntry]
    }

    struct KMeansCase: Decodable {
        let name: String
        let features: String
        let k: Int
        let inertia: Double
        let iterations: Int
    }

    struct SearchCase: Decodable {
        let weights: [Float]
        let targets: [Double]
        let indices: [Int]
    }

    let agreement: [Agreement]
    let kmeans: [KMeansCase]
    let search_sorted: [SearchCase]

    static let shared: ClusterFixtures = {
        do {
            return try JSONDecoder().decode(ClusterFixtures.self, from: Data(contentsOf: AnalysisFixtures.url("clusters/cluster_fixtures.json")))
        } catch {
            preconditionFailure("cannot read the cluster fixtures: \(error)")
        }
    }()

    /// A k-means case's rows.
    static func features(_ name: String) throws -> Matrix<Float> {
        try AnalysisFixtures.matrix("clusters/\(name)")
    }
}
