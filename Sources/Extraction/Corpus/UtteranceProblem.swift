/// Bad input in one utterance: the utterance is skipped and counted (or, with `--strict`, the run
/// stops), and the message says which file and what is wrong.
public struct UtteranceProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of bad input a run counts separately.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case audioMissing = "audio missing"
        case audioUnreadable = "audio unreadable"
        case alignmentUnreadable = "TextGrid unreadable"
        case alignmentTooLong = "TextGrid longer than its audio"
        case speakerUnknown = "speaker unknown"
        case labelUnknown = "label unknown"
        case ambiguous = "ambiguous files"
        case modelOutput = "model output unstorable"
        /// Not bad input: the staging area could not be written (disk full); always stops the run.
        case staging = "staging failed"
    }

    public let utterance: String
    public let kind: Kind
    /// One line: `file[:line]: problem`.
    public let message: String

    public init(utterance: String, kind: Kind, message: String) {
        self.utterance = utterance
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
