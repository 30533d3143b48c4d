import Store

/// Which speakers a probe is tested on; every other speaker trains it, so no voice is in both.
///
/// The rule (deterministic, independent of row order): speakers are grouped by the first label that is
/// constant within every speaker and has at least two values among speakers (a speaker-level label such
/// as sex; speakers without a value form their own group). In each group, speakers are ordered by a hash
/// of their name — 64-bit FNV-1a of the UTF-8 bytes, then SplitMix64's finaliser so that names differing
/// only in their last characters do not stay in order — then by name, and the first round(20%) are held
/// out — at least one when the group has two or more speakers. With no such label there is one group.
public struct SpeakerSplit: Sendable, Equatable, Codable {
    /// Held-out speakers, sorted by name.
    public let testSpeakers: [String]
    /// How many speakers train the probe.
    public let trainSpeakerCount: Int
    /// The speaker-level label the groups follow, if any.
    public let stratifiedBy: String?
    /// Per token: whether its speaker is held out.
    public let isTest: [Bool]

    /// The fraction of each group's speakers held out.
    public static let testFraction = 0.2

    /// The split for a store's token table.
    public static func make(tokens: TokenTable) throws -> SpeakerSplit {
        let speakers = (0..<tokens.count).map { tokens.speaker(at: $0) }
        let strata = tokens.labels.first { isSpeakerLevel($0, speakers: speakers) }
        return try make(speakers: speakers, strata: strata)
    }

    /// The split for per-token speaker names, grouped by `strata` (a speaker-level label column) if given.
    public static func make(speakers: [String], strata: LabelColumn?) throws -> SpeakerSplit {
        var speakerValue: [String: Int32] = [:]
        for (row, speaker) in speakers.enumerated() { speakerValue[speaker] = strata?.codes[row] ?? -1 }
        let names = speakerValue.keys.sorted()
        guard names.count >= 2 else {
            throw AnalysisError("a speaker-disjoint probe needs at least two speakers, found \(names.count)")
        }
        let groups = Dictionary(grouping: names) { speakerValue[$0] ?? -1 }
        var test: [String] = []
        // Classes in order, speakers without a value last.
        for key in groups.keys.sorted(by: { ($0 < 0 ? 1 : 0, $0) < ($1 < 0 ? 1 : 0, $1) }) {
            let members = (groups[key] ?? []).sorted(by: hashOrder)
            var count = Int((testFraction * Double(members.count)).rounded())
            if members.count >= 2 { count = max(1, count) }
            test += members.prefix(count)
        }
        if test.isEmpty, let first = names.sorted(by: hashOrder).first { test = [first] }
        let held = Set(test)
        return SpeakerSplit(testSpeakers: test.sorted(), trainSpeakerCount: names.count - held.count,
                            stratifiedBy: strata?.name, isTest: speakers.map { held.contains($0) })
    }

    /// Whether `column` has one value per speaker and at least two values among speakers.
    static func isSpeakerLevel(_ column: LabelColumn, speakers: [String]) -> Bool {
        var value: [String: Int32] = [:]
        for (row, speaker) in speakers.enumerated() {
            let code = column.codes[row]
            if let known = value[speaker], known != code { return false }
            value[speaker] = code
        }
        return Set(value.values.filter { $0 >= 0 }).count >= 2
    }

    static func hashOrder(_ a: String, _ b: String) -> Bool {
        let (ha, hb) = (speakerHash(a), speakerHash(b))
        return ha != hb ? ha < hb : a < b
    }

    /// The order key of a speaker: FNV-1a, mixed by SplitMix64's finaliser (FNV-1a alone keeps
    /// "S040"…"S079" nearly in order, which would hold out a block of neighbouring IDs).
    public static func speakerHash(_ name: String) -> UInt64 {
        var z = fnv1a64(name)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64-bit FNV-1a over the UTF-8 bytes: stable across platforms and runs, unlike Swift's `hashValue`.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
