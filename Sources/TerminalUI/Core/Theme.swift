import Foundation
import TOMLKit

/// The explorer's colours, read from a TOML file in themes/ (see themes/dark.toml for every key).
public struct Theme: Equatable, Sendable {
    public var name: String
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var border: TerminalColor
    public var focusedBorder: TerminalColor
    public var title: TerminalColor
    public var dim: TerminalColor
    public var accent: TerminalColor
    public var statusForeground: TerminalColor
    public var statusBackground: TerminalColor
    public var missing: TerminalColor
    public var error: TerminalColor
    /// Classes outside the coloured top classes or outside the filter.
    public var grey: TerminalColor
    /// Chart series, one per label in label order.
    public var series: [TerminalColor]
    /// The categorical palette for classes; the most frequent classes take them in order.
    public var classes: [TerminalColor]
    /// Backgrounds from low to high confidence for framewise predictions.
    public var confidence: [TerminalColor]

    public var text: Style { Style(foreground: foreground, background: background) }
    public var dimText: Style { Style(foreground: dim, background: background) }
    public var accentText: Style { Style(foreground: accent, background: background, attributes: .bold) }
    public var status: Style { Style(foreground: statusForeground, background: statusBackground) }

    /// The colour of series `index` (cycling).
    public func seriesColor(_ index: Int) -> TerminalColor {
        series.isEmpty ? foreground : series[index % series.count]
    }

    /// The dark default, used when themes/dark.toml cannot be found (a test keeps the two equal).
    public static let builtinDark = Theme(
        name: "dark",
        foreground: TerminalColor(index: 252), background: .default,
        border: TerminalColor(index: 240), focusedBorder: TerminalColor(index: 75), title: TerminalColor(index: 255),
        dim: TerminalColor(index: 244), accent: TerminalColor(index: 214),
        statusForeground: TerminalColor(index: 255), statusBackground: TerminalColor(index: 236),
        missing: TerminalColor(index: 240), error: TerminalColor(index: 203), grey: TerminalColor(index: 242),
        series: [TerminalColor(index: 203), TerminalColor(index: 75), TerminalColor(index: 149), TerminalColor(index: 176),
                 TerminalColor(index: 221), TerminalColor(index: 80)],
        classes: [TerminalColor(index: 75), TerminalColor(index: 209), TerminalColor(index: 113), TerminalColor(index: 176),
                  TerminalColor(index: 221), TerminalColor(index: 80), TerminalColor(index: 205), TerminalColor(index: 144),
                  TerminalColor(index: 111), TerminalColor(index: 180)],
        confidence: [TerminalColor(index: 234), TerminalColor(index: 236), TerminalColor(index: 238), TerminalColor(index: 240),
                     TerminalColor(index: 243)])

    /// Reads a theme file. Colours are "#rrggbb", a palette index 0–255, a basic name ("red",
    /// "bright-blue") or "default" (the terminal's own).
    public static func parse(_ text: String, file: String) throws -> Theme {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ThemeError(file: file, line: error.source.begin.line, message: error.description)
        }
        var theme = builtinDark
        theme.name = table["name"]?.string ?? (file as NSString).lastPathComponent.replacingOccurrences(of: ".toml", with: "")
        let reader = ThemeReader(file: file)
        if let ui = table["ui"]?.table {
            try reader.color(ui, "foreground", into: &theme.foreground)
            try reader.color(ui, "background", into: &theme.background)
            try reader.color(ui, "border", into: &theme.border)
            try reader.color(ui, "focused_border", into: &theme.focusedBorder)
            try reader.color(ui, "title", into: &theme.title)
            try reader.color(ui, "dim", into: &theme.dim)
            try reader.color(ui, "accent", into: &theme.accent)
            try reader.color(ui, "status_foreground", into: &theme.statusForeground)
            try reader.color(ui, "status_background", into: &theme.statusBackground)
            try reader.color(ui, "missing", into: &theme.missing)
            try reader.color(ui, "error", into: &theme.error)
            try reader.color(ui, "grey", into: &theme.grey)
        }
        if let series = table["series"]?.table { try reader.colors(series, "colors", into: &theme.series) }
        if let classes = table["classes"]?.table { try reader.colors(classes, "colors", into: &theme.classes) }
        if let confidence = table["confidence"]?.table { try reader.colors(confidence, "ramp", into: &theme.confidence) }
        return theme
    }

    /// Finds and reads a theme: `name` may be a path to a .toml file or a name in the theme folders.
    public static func load(_ name: String?, folders: [URL] = ThemeFolders.search()) throws -> Theme {
        let wanted = name ?? "dark"
        if wanted.hasSuffix(".toml") || wanted.contains("/") {
            let url = URL(fileURLWithPath: wanted)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw ThemeError(file: wanted, line: nil, message: "cannot be read")
            }
            return try parse(text, file: url.path)
        }
        for folder in folders {
            let url = folder.appendingPathComponent("\(wanted).toml")
            if let text = try? String(contentsOf: url, encoding: .utf8) { return try parse(text, file: url.path) }
        }
        if name == nil || wanted == "dark" { return builtinDark }
        let known = ThemeFolders.names(in: folders)
        throw ThemeError(file: "--theme", line: nil,
                         message: "no theme '\(wanted)' (themes: \(known.isEmpty ? "dark" : known.joined(separator: ", ")))")
    }
}

/// A theme file that cannot be used: the file, the line where known, and what is wrong.
public struct ThemeError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let line: Int?
    public let message: String
    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// Where themes are looked for, first match wins.
public enum ThemeFolders {
    /// `LAYERSCOPE_THEMES`, the user's `~/.config/layerscope/themes`, `./themes`, and themes/ next
    /// to the executable's checkout (.build/<configuration>/ → the package folder).
    public static func search() -> [URL] {
        var folders: [URL] = []
        let environment = ProcessInfo.processInfo.environment
        if let custom = environment["LAYERSCOPE_THEMES"] { folders.append(URL(fileURLWithPath: custom)) }
        let config = environment["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        folders.append(config.appendingPathComponent("layerscope/themes"))
        folders.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("themes"))
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            folders.append(folder.appendingPathComponent("themes"))
            folder = folder.deletingLastPathComponent()
        }
        return folders
    }

    /// Theme names found in `folders`.
    public static func names(in folders: [URL]) -> [String] {
        var names = Set<String>()
        for folder in folders {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for file in files where file.hasSuffix(".toml") { names.insert(String(file.dropLast(5))) }
        }
        return names.sorted()
    }
}

/// Reads colour values out of theme tables, naming the file and key in its errors.
struct ThemeReader {
    let file: String

    static let names: [String: Int] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright-black": 8, "grey": 8, "gray": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11,
        "bright-blue": 12, "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
    ]

    func color(_ table: TOMLTable, _ key: String, into target: inout TerminalColor) throws {
        guard let value = table[key] else { return }
        target = try parseColor(value, key: key)
    }

    func colors(_ table: TOMLTable, _ key: String, into target: inout [TerminalColor]) throws {
        guard let value = table[key] else { return }
        guard let array = value.array else { throw ThemeError(file: file, line: nil, message: "'\(key)' must be a list of colours") }
        let parsed = try array.map { try parseColor($0, key: key) }
        guard !parsed.isEmpty else { throw ThemeError(file: file, line: nil, message: "'\(key)' is empty") }
        target = parsed
    }

    func parseColor(_ value: TOMLValueConvertible, key: String) throws -> TerminalColor {
        if let number = value.int {
            guard (0...255).contains(number) else {
                throw ThemeError(file: file, line: nil, message: "'\(key)': palette index \(number) is outside 0–255")
            }
            return TerminalColor(index: number)
        }
        guard let text = value.string?.trimmingCharacters(in: .whitespaces).lowercased() else {
            throw ThemeError(file: file, line: nil, message: "'\(key)' must be a colour such as \"#5fafff\", 75 or \"default\"")
        }
        if text == "default" { return .default }
        if let index = Self.names[text] { return TerminalColor(index: index) }
        if text.hasPrefix("#"), text.count == 7, let rgb = Int(text.dropFirst(), radix: 16) {
            return TerminalColor(red: (rgb >> 16) & 0xFF, green: (rgb >> 8) & 0xFF, blue: rgb & 0xFF)
        }
        if let number = Int(text), (0...255).contains(number) { return TerminalColor(index: number) }
        throw ThemeError(file: file, line: nil, message: "'\(key)': '\(text)' is not a colour (use \"#rrggbb\", 0–255, a name or \"default\")")
    }
}
