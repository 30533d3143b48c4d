import Foundation

/// Shows an extraction's progress on standard error: on a terminal, one line redrawn in place
/// with a bar and the time left; otherwise (a log file, a Slurm job), a plain line every
/// `interval` seconds and one at the end.
public final class ProgressDisplay {
    private let interactive: Bool
    private let interval: Double
    private let write: (String) -> Void
    private var lastPrinted = -Double.infinity
    private var lastLength = 0
    private var latest: ExtractionProgress?

    public init(interactive: Bool, interval: Double = 10, write: @escaping (String) -> Void) {
        self.interactive = interactive
        self.interval = interval
        self.write = write
    }

    /// Whether standard error is a terminal. The corresponding C function is `isatty`.
    public static var standardErrorIsTerminal: Bool { isatty(2) == 1 }

    public func update(_ progress: ExtractionProgress) {
        latest = progress
        if interactive {
            // Redrawing more than ~10 times a second only costs time.
            guard progress.elapsed - lastPrinted >= 0.1 || progress.done == progress.total else { return }
            lastPrinted = progress.elapsed
            let line = Self.bar(progress)
            write("\r" + line + String(repeating: " ", count: max(0, lastLength - line.count)))
            lastLength = line.count
        } else {
            guard progress.elapsed - lastPrinted >= interval || progress.done == progress.total else { return }
            lastPrinted = progress.elapsed
            write(Self.plain(progress) + "\n")
        }
    }

    /// Writes a message (a skipped utterance) without breaking the redrawn line: the line is
    /// cleared, the message written, and the bar drawn again below it.
    public func interrupt(_ message: String) {
        if interactive, lastLength > 0 {
            write("\r" + String(repeating: " ", count: lastLength) + "\r" + message)
            if let latest { write(Self.bar(latest)) }
        } else {
            write(message)
        }
    }

    /// Ends the redrawn line so later output starts on a fresh one.
    public func finish() {
        if interactive, lastLength > 0 { write("\n") }
    }

    /// `[██████▌       ]  45% 450/1000 · 3.1× real time · 2m14s left · BAC009S0764W0121`
    static func bar(_ p: ExtractionProgress, width: Int = 24) -> String {
        let fraction = p.total > 0 ? Double(p.done) / Double(p.total) : 1
        let eighths = Int((fraction * Double(width * 8)).rounded(.down))
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        let filled = String(repeating: "█", count: eighths / 8) + partial
        let bar = "[" + filled + String(repeating: " ", count: max(0, width - filled.count)) + "]"
        return "\(bar) \(String(format: "%3d%%", Int(fraction * 100))) \(p.done)/\(p.total) · \(rate(p)) · \(timeLeft(p)) · \(p.utterance)"
    }

    /// `extract: 450/1000 utterances (45%), 3.1× real time, 2m14s left`
    static func plain(_ p: ExtractionProgress) -> String {
        let percent = p.total > 0 ? p.done * 100 / p.total : 100
        return "extract: \(p.done)/\(p.total) utterances (\(percent)%), \(rate(p)), \(timeLeft(p))"
    }

    /// Audio seconds per wall second over what this run computed.
    static func rate(_ p: ExtractionProgress) -> String {
        guard p.elapsed > 0, p.computed > 0 else { return "–× real time" }
        return String(format: "%.1f× real time", p.audioSeconds / p.elapsed)
    }

    /// The time left, assuming the remaining utterances take as long as those computed so far.
    static func timeLeft(_ p: ExtractionProgress) -> String {
        guard p.done < p.total else { return "done" }
        guard p.computed > 0, p.elapsed > 0 else { return "time left unknown" }
        return duration(p.elapsed / Double(p.computed) * Double(p.total - p.done)) + " left"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
