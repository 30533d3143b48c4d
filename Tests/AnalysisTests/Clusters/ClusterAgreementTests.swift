import Foundation
import Testing
@testable import Analysis

@Suite struct ClusterAgreementTests {
    /// Every fixture case agrees with scikit-learn's NMI, V-measure, homogeneity and completeness, and
    /// with purity and each cluster's majority from the contingency matrix, to 1e-6.
    @Test(arguments: ClusterFixtures.shared.agreement.map(\.name))
    func matchesScikitLearn(_ name: String) throws {
        let case_ = try #require(ClusterFixtures.shared.agreement.first { $0.name == name })
        let result = ClusterAgreement.compare(clusters: case_.clusters, clusterCount: case_.cluster_count,
                                              codes: case_.codes, classCount: case_.class_count)
        #expect(result.tokens == case_.tokens)
        #expect(abs(result.nmi - case_.nmi) < 1e-6, "nmi \(result.nmi) vs \(case_.nmi)")
        #expect(abs(result.vMeasure - case_.v_measure) < 1e-6, "v \(result.vMeasure) vs \(case_.v_measure)")
        #expect(abs(result.homogeneity - case_.homogeneity) < 1e-6)
        #expect(abs(result.completeness - case_.completeness) < 1e-6)
        #expect(abs(result.purity - case_.purity) < 1e-6, "purity \(result.purity) vs \(case_.purity)")
        #expect(result.clusters.count == case_.legend.count)
        for (ours, reference) in zip(result.clusters, case_.legend) {
            #expect(ours.size == reference.size && ours.labelled == reference.labelled && ours.majority == reference.majority)
            #expect(abs((ours.purity ?? -1) - (reference.purity ?? -1)) < 1e-12)
        }
    }

    /// NMI and V-measure (β = 1) are the same quantity for the arithmetic mean; both stay in [0, 1].
    @Test func nmiEqualsVMeasure() {
        for case_ in ClusterFixtures.shared.agreement {
            let result = ClusterAgreement.compare(clusters: case_.clusters, clusterCount: case_.cluster_count,
                                                  codes: case_.codes, classCount: case_.class_count)
            #expect(abs(result.nmi - result.vMeasure) < 1e-12, "\(case_.name)")
            #expect((0...1).contains(result.nmi) && (0...1).contains(result.purity), "\(case_.name)")
        }
    }
}
