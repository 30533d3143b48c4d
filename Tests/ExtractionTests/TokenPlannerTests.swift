import Foundation
import Testing
@testable import Extraction

@Suite struct TokenPlannerTests {
    /// The central 20 ms frame, clamped to the utterance's frames.
    @Test func centralFrameClamped() {
        #expect(TokenPlanner.frame(start: 0.1, end: 0.3, frameCount: 50) == 10)
        #expect(TokenPlanner.frame(start: 0.0, end: 0.039, frameCount: 50) == 0)
        #expect(TokenPlanner.frame(start: 0.0, end: 0.04, frameCount: 50) == 1)
        // floor(((0.95 + 1.0) / 2) / 0.02) = 48, past the last of 48 frames (0…47).
        #expect(TokenPlanner.frame(start: 0.95, end: 1.0, frameCount: 48) == 47)
        #expect(TokenPlanner.frame(start: 5, end: 6, frameCount: 10) == 9)
    }

    /// Silences and initials drop out, finals take the initial before them as context, a point
    /// tier's points are tokens, and an unknown label names its line.
    @Test func tokensOfATier() throws {
        let items = [("", 0.0, 0.1), ("zh", 0.1, 0.2), ("i4", 0.2, 0.4), ("sp", 0.4, 0.45), ("i4", 0.45, 0.6), ("<eps>", 0.6, 0.7)]
        let tier = TextGridTier(name: "phones", kind: .interval, xmin: 0, xmax: 0.7,
                                items: items.enumerated().map { TextGridItem(start: $1.1, end: $1.2, text: $1.0, line: 10 + 4 * $0) })
        let tokens = try TokenPlanner.tokens(of: tier, scheme: .pinyin(includeInitials: false), file: "g.TextGrid")
        #expect(tokens.map(\.labels) == [["4", "iii"], ["4", "i"]])
        #expect(tokens.map(\.start) == [0.2, 0.45] && tokens.map(\.line) == [18, 26])
        let withInitials = try TokenPlanner.tokens(of: tier, scheme: .pinyin(includeInitials: true), file: "g.TextGrid")
        #expect(withInitials.count == 3 && withInitials[0].labels == [nil, nil, "zh"])

        let points = TextGridTier(name: "tones", kind: .point, xmin: 0, xmax: 1,
                                  items: [TextGridItem(start: 0.3, end: 0.3, text: "H", line: 5)])
        let pointTokens = try TokenPlanner.tokens(of: points, scheme: .plain, file: "g.TextGrid")
        #expect(pointTokens == [PlannedToken(start: 0.3, end: 0.3, labels: ["H"], line: 5)])

        var bad = tier
        bad.items[2].text = "i9"
        do {
            _ = try TokenPlanner.tokens(of: bad, scheme: .pinyin(includeInitials: false), file: "g.TextGrid")
            Issue.record("an unknown label was accepted")
        } catch {
            #expect("\(error)" == "g.TextGrid:18: in tier 'phones': 'i9' is not pinyin (a tonal final such as ang4, a syllable such as zhang1, or an initial such as zh)")
        }
    }
}
