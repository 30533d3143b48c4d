/// Why one analysis could not be computed, worded for a phonetician ("label 'sex' has only one
/// class among the analysed tokens"); per-layer failures become these and leave other layers alone.
public struct AnalysisError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
