import Foundation
import Store

/// A token before the model has run: the interval, its labels under the scheme, and where in the
/// TextGrid it came from.
public struct PlannedToken: Sendable, Equatable, Codable {
    public var start: Double
    public var end: Double
    /// Parallel to the scheme's columns; nil where the token has no value.
    public var labels: [String?]
    /// The TextGrid line of the interval.
    public var line: Int

    public init(start: Double, end: Double, labels: [String?], line: Int) {
        self.start = start
        self.end = end
        self.labels = labels
        self.line = line
    }
}

/// Turns a tier into tokens: every labelled interval that is not a silence marker and that the
/// scheme makes a token, in time order; and places each token on a model frame.
public enum TokenPlanner {
    /// The tokens of `tier`. An unknown label throws `file:line: problem`.
    public static func tokens(of tier: TextGridTier, scheme: LabelScheme, file: String) throws -> [PlannedToken] {
        var tokens: [PlannedToken] = []
        var previous: TextGridItem? = nil
        for item in tier.items {
            defer { previous = item }
            guard !TierSelection.isSilence(item.text) else { continue }
            // Context for a final alone: the interval right before it, if it touches this one.
            let adjacent = previous.flatMap { abs($0.end - item.start) < 1e-6 && !TierSelection.isSilence($0.text) ? $0.text : nil }
            let labels: [String?]?
            do {
                labels = try scheme.labels(item.text, previous: adjacent)
            } catch {
                throw StoreError(file, line: item.line, "in tier '\(tier.name)': \(error.message)")
            }
            guard let labels else { continue }
            tokens.append(PlannedToken(start: item.start, end: item.end, labels: labels, line: item.line))
        }
        // Praat keeps tiers sorted; the sort makes the order explicit (stable for equal times).
        return tokens.enumerated().sorted { a, b in
            (a.element.start, a.element.end, a.offset) < (b.element.start, b.element.end, b.offset)
        }.map(\.element)
    }

    /// The model frame of a token: the central 20 ms frame, floor(((start + end) / 2) / 0.02),
    /// clamped to the utterance's frames 0 … frameCount − 1.
    public static func frame(start: Double, end: Double, frameCount: Int) -> Int {
        max(0, min(TokenTable.centralFrame(start: start, end: end), frameCount - 1))
    }
}
