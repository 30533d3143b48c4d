import ArgumentParser
import Foundation
import Numerics

/// A layer range on the command line: `7` or `3-9`.
struct LayerRange: ExpressibleByArgument {
    let range: ClosedRange<Int>

    init?(argument: String) {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard let n = Int(parts[0]), n >= 0 else { return nil }
            range = n...n
        case 2:
            guard let a = Int(parts[0]), let b = Int(parts[1]), a >= 0, a <= b else { return nil }
            range = a...b
        default:
            return nil
        }
    }

    static var defaultValueDescription: String { "A-B" }
}

/// `NAME=VALUE` pairs such as `--frames tone=tone.npz`.
struct KeyValue: ExpressibleByArgument {
    let key: String
    let value: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        key = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
        guard !value.isEmpty else { return nil }
    }
}

extension ScalarType: ExpressibleByArgument {}

/// Paths as the user typed them, relative to the working directory.
func fileURL(_ path: String) -> URL {
    URL(fileURLWithPath: path)
}
