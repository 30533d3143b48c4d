import Analysis
import Foundation
import Numerics
import Store

/// The reference values of scripts/make_umap_fixtures.py (umap-learn 0.5.12, scikit-learn).
struct UMAPFixtures: Decodable {
    struct ABCase: Decodable {
        let spread: Double
        let min_dist: Double
        let a: Double
        let b: Double
    }

    struct EpochsCase: Decodable {
        let weights: [Float]
        let n_epochs: Int
        let result: [Double]
    }

    struct Blobs: Decodable {
        let components: Int
        let component_of_point: [Int]
        let centroids: [[Double]]
        /// Per component: half the distance from its centroid to the nearest other centroid.
        let data_range: [Double]
    }

    let clusters_labels: [Int]
    let laplacian_smallest_eigenvalues: [Double]
    let blobs_three: Blobs
    let blobs_six: Blobs
    let ab_params: [ABCase]
    let epochs_per_sample: EpochsCase
    let umap_learn_embedding_trustworthiness: Double
    let umap_learn_embedding_trustworthiness_5: Double
    let umap_learn_trustworthiness: Double
    let umap_learn_label_agreement: Double

    static let shared: UMAPFixtures = {
        do {
            let data = try Data(contentsOf: url("umap_fixtures.json"))
            return try JSONDecoder().decode(UMAPFixtures.self, from: data)
        } catch {
            preconditionFailure("UMAP fixtures unreadable: \(error)")
        }
    }()

    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/umap/\(name)", withExtension: nil)
            ?? Bundle.module.bundleURL.appendingPathComponent("Fixtures/umap/\(name)")
    }

    /// A float32 fixture array as a matrix.
    static func matrix(_ name: String) throws -> Matrix<Float> {
        let array = try MappedArray(url: url(name))
        return array.view.matrix(rows: 0..<array.rows)
    }

    /// The reference exact 15-NN graph of clusters.npy (scikit-learn).
    static func referenceNeighbors() throws -> KNNGraphReference {
        let indices = try matrix("knn_indices.npy")
        let distances = try matrix("knn_distances.npy")
        return KNNGraphReference(indices: indices, distances: distances)
    }
}

/// scikit-learn's neighbour graph, indices stored as float32 (exact below 2²⁴).
struct KNNGraphReference {
    let indices: Matrix<Float>
    let distances: Matrix<Float>

    var graph: KNNGraph {
        KNNGraph(count: indices.rows, k: indices.cols, indices: indices.storage.map { Int32($0) },
                 distances: distances.storage)
    }
}
