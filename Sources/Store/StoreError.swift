import Foundation

/// A problem with a file or a store, worded for the person who gave it to layerscope:
/// the file (and line, where there is one), then what was expected and what was found.
public struct StoreError: Error, CustomStringConvertible, Equatable {
    /// The file or store the problem is in, as the user named it.
    public let file: String
    /// The 1-based line, for text files.
    public let line: Int?
    public let message: String

    public init(_ file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public init(_ url: URL, line: Int? = nil, _ message: String) {
        self.init(url.path, line: line, message)
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
