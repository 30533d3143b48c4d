import Foundation

/// One cluster as the explorer's legend shows it: how many tokens it holds, and which class of a label
/// most of them have.
public struct ClusterMajority: Sendable, Codable, Equatable {
    /// Tokens in the cluster.
    public var size: Int
    /// Of those, tokens with a value for the label.
    public var labelled: Int
    /// The most frequent class among them (the first in class order on ties); nil when none is labelled.
    public var majority: Int?
    /// The majority class's share of the labelled tokens; nil when none is labelled.
    public var purity: Double?

    public init(size: Int, labelled: Int, majority: Int?, purity: Double?) {
        self.size = size
        self.labelled = labelled
        self.majority = majority
        self.purity = purity
    }
}

/// How a clustering lines up with a label, over the tokens that have a value for it: purity, and
/// scikit-learn's `normalized_mutual_info_score` (arithmetic mean), `homogeneity_score`,
/// `completeness_score` and `v_measure_score` (β = 1), natural logarithms throughout.
public struct ClusterAgreement: Sendable, Codable, Equatable {
    /// Σ over clusters of the majority class's count, over the tokens compared.
    public var purity: Double
    public var nmi: Double
    public var homogeneity: Double
    public var completeness: Double
    public var vMeasure: Double
    /// Tokens compared (those with a value for the label and a cluster).
    public var tokens: Int
    /// Per cluster id, 0..<k.
    public var clusters: [ClusterMajority]

    /// Compares `clusters` (per token, 0..<clusterCount) with `codes` (per token, 0..<classCount, or
    /// negative where the token has no value; those tokens only count in the cluster sizes).
    public static func compare(clusters assignments: [Int32], clusterCount: Int, codes: [Int32], classCount: Int) -> ClusterAgreement {
        precondition(assignments.count == codes.count, "\(assignments.count) cluster ids for \(codes.count) tokens")
        // contingency[class][cluster], as scikit-learn's contingency_matrix(labels_true, labels_pred).
        var contingency = [Int](repeating: 0, count: classCount * clusterCount)
        var sizes = [Int](repeating: 0, count: clusterCount)
        for (cluster, code) in zip(assignments, codes) {
            let k = Int(cluster)
            guard k >= 0, k < clusterCount else { continue }
            sizes[k] += 1
            if code >= 0, Int(code) < classCount { contingency[Int(code) * clusterCount + k] += 1 }
        }
        let classTotals = (0..<classCount).map { c in (0..<clusterCount).reduce(0) { $0 + contingency[c * clusterCount + $1] } }
        let clusterTotals = (0..<clusterCount).map { k in (0..<classCount).reduce(0) { $0 + contingency[$1 * clusterCount + k] } }
        let total = classTotals.reduce(0, +)

        var majorities: [ClusterMajority] = []
        var majoritySum = 0
        for k in 0..<clusterCount {
            var best: Int?
            for c in 0..<classCount where contingency[c * clusterCount + k] > (best.map { contingency[$0 * clusterCount + k] } ?? 0) { best = c }
            let count = best.map { contingency[$0 * clusterCount + k] } ?? 0
            majoritySum += count
            majorities.append(ClusterMajority(size: sizes[k], labelled: clusterTotals[k], majority: best,
                                              purity: clusterTotals[k] > 0 ? Double(count) / Double(clusterTotals[k]) : nil))
        }

        let entropyClasses = entropy(classTotals)
        let entropyClusters = entropy(clusterTotals)
        let information = mutualInformation(contingency, rows: classCount, cols: clusterCount, rowTotals: classTotals,
                                            colTotals: clusterTotals, total: total)
        let presentClasses = classTotals.filter { $0 > 0 }.count, presentClusters = clusterTotals.filter { $0 > 0 }.count
        let nmi: Double
        if presentClasses == presentClusters && presentClasses <= 1 {
            nmi = 1  // both labellings put every token in one group (or there is none): a perfect match
        } else if information == 0 {
            nmi = 0
        } else {
            nmi = information / ((entropyClasses + entropyClusters) / 2)
        }
        let homogeneity = total == 0 ? 1 : (entropyClasses != 0 ? information / entropyClasses : 1)
        let completeness = total == 0 ? 1 : (entropyClusters != 0 ? information / entropyClusters : 1)
        let v = homogeneity + completeness == 0 ? 0 : 2 * homogeneity * completeness / (homogeneity + completeness)
        return ClusterAgreement(purity: total > 0 ? Double(majoritySum) / Double(total) : 0, nmi: nmi, homogeneity: homogeneity,
                                completeness: completeness, vMeasure: v, tokens: total, clusters: majorities)
    }

    /// −Σ pᵢ ln pᵢ over the non-empty groups; 0 for one group or none (scikit-learn's `_entropy`).
    static func entropy(_ counts: [Int]) -> Double {
        let present = counts.filter { $0 > 0 }
        guard present.count > 1 else { return 0 }
        let total = Double(present.reduce(0, +))
        return -present.reduce(0.0) { $0 + (Double($1) / total) * (log(Double($1)) - log(total)) }
    }

    /// Σ (nᵢⱼ/N)·ln(N·nᵢⱼ / (aᵢ·bⱼ)) over the non-zero cells, clipped at 0; 0 when either side has a
    /// single group (scikit-learn's `mutual_info_score` on a contingency matrix).
    static func mutualInformation(_ contingency: [Int], rows: Int, cols: Int, rowTotals: [Int], colTotals: [Int], total: Int) -> Double {
        guard total > 0, rowTotals.filter({ $0 > 0 }).count > 1, colTotals.filter({ $0 > 0 }).count > 1 else { return 0 }
        let n = Double(total), logN = log(n)
        var sum = 0.0
        for i in 0..<rows {
            for j in 0..<cols {
                let count = contingency[i * cols + j]
                guard count > 0 else { continue }
                let p = Double(count) / n
                let outer = Double(rowTotals[i]) * Double(colTotals[j])
                var term = p * (log(Double(count)) - logN) + p * (-log(outer) + logN + logN)
                if abs(term) < Double.ulpOfOne { term = 0 }
                sum += term
            }
        }
        return max(0, sum)
    }
}
