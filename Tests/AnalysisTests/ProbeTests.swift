import Foundation
import Numerics
import Store
import Testing
@testable import Analysis

@Suite struct ProbeTests {
    let fixture = AnalysisFixtures.shared.probe

    /// The split rule gives the held-out speakers the fixture script's Python implementation gives.
    @Test func splitMatchesReference() throws {
        let sex = LabelColumn(name: "sex", classes: ["0", "1"],
                              codes: fixture.speakers.map { Int32(fixture.speaker_sex[$0] ?? -1) })
        let split = try SpeakerSplit.make(speakers: fixture.speakers, strata: sex)
        #expect(split.testSpeakers == fixture.test_speakers)
        #expect(split.stratifiedBy == "sex")
        #expect(split.trainSpeakerCount + split.testSpeakers.count == Set(fixture.speakers).count)
        for (row, speaker) in fixture.speakers.enumerated() {
            #expect(split.isTest[row] == fixture.test_speakers.contains(speaker))
        }
    }

    /// Accuracy within 1 percentage point of scikit-learn's StandardScaler + LogisticRegression(C=1),
    /// per-class accuracy within 2 points, on the same speaker-disjoint split.
    @Test func accuracyMatchesScikitLearn() throws {
        let features = try AnalysisFixtures.matrix(fixture.features)
        let held = Set(fixture.test_speakers)
        let split = SpeakerSplit(testSpeakers: fixture.test_speakers, trainSpeakerCount: Set(fixture.speakers).count - held.count,
                                 stratifiedBy: "sex", isTest: fixture.speakers.map { held.contains($0) })
        for label in fixture.labels {
            let result = try Probe.evaluate(features: features, codes: label.codes, classCount: label.class_count, split: split)
            #expect(result.trainTokens == label.train_tokens && result.testTokens == label.test_tokens)
            #expect(abs(result.accuracy - label.accuracy) <= 0.01, "\(label.name): \(result.accuracy) vs \(label.accuracy)")
            #expect(result.converged)
            for (ours, theirs) in zip(result.perClass, label.per_class) {
                if let theirs, let ours { #expect(abs(ours - theirs) <= 0.02) } else { #expect(ours == nil && theirs == nil) }
            }
        }
    }

    /// No speaker-level label: one group; one speaker is refused; the hash is FNV-1a.
    @Test func splitEdgeCases() throws {
        let speakers = ["a", "a", "b", "c", "d", "e"]
        let split = try SpeakerSplit.make(speakers: speakers, strata: nil)
        #expect(split.testSpeakers.count == 1)
        #expect(split.stratifiedBy == nil)
        #expect(throws: AnalysisError.self) { try SpeakerSplit.make(speakers: ["a", "a"], strata: nil) }
        #expect(SpeakerSplit.fnv1a64("") == 0xCBF2_9CE4_8422_2325)
        #expect(SpeakerSplit.fnv1a64("a") == 0xAF63_DC4C_8601_EC8C)
    }

    /// A label whose training speakers show only one class cannot be probed.
    @Test func oneTrainingClassIsAnError() throws {
        let features = Matrix<Float>(rows: 4, cols: 1, storage: [0, 1, 2, 3])
        let split = SpeakerSplit(testSpeakers: ["b"], trainSpeakerCount: 1, stratifiedBy: nil, isTest: [false, false, true, true])
        #expect(throws: AnalysisError.self) { try Probe.evaluate(features: features, codes: [0, 0, 1, 0], classCount: 2, split: split) }
    }
}
