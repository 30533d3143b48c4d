import Foundation

/// A pinyin segment split into its parts: a whole syllable (`zhang1`), a final alone (`ang4`, as
/// forced aligners write phone tiers), or an initial alone (`zh`).
public struct PinyinSegment: Sendable, Equatable {
    /// The initial (`b` … `s`, `zh`, `ch`, `sh`), nil for none; `y` and `w` only when an aligner
    /// made them segments of their own.
    public var initial: String?
    /// The final in its normalised name (see `Pinyin`), nil for an initial alone.
    public var final: String?
    /// 1–4, or 5 for the neutral tone; nil for an initial alone.
    public var tone: Int?

    public init(initial: String?, final: String?, tone: Int?) {
        self.initial = initial
        self.final = final
        self.tone = tone
    }
}

/// Splits pinyin into initial, final and tone, naming finals by what they are rather than how they
/// are spelt, so one final has one name however the syllable was written:
///
/// - the spelling glides are undone (the syllable then has no initial): `yi`→`i`, `ya`→`ia`,
///   `you`→`iou`, `yong`→`iong`, `yu`→`v`, `yuan`→`van`, `wu`→`u`, `wei`→`uei`, `wen`→`uen`
///   (and `yo`→`o`, as pypinyin has it; the variant `wong` is `ueng`);
/// - the contracted spellings are expanded: `-iu`→`iou`, `-ui`→`uei`, `-un`→`uen`;
/// - ü is written `v` (input may use `ü`, `v` or `u:`); after j, q, x, `u` is ü (`ju`→`v`, `xue`→`ve`,
///   `quan`→`van`, `jun`→`vn`), and after n, l `ue` is `ve`;
/// - the apical vowels get names of their own: `ii` after z, c, s and `iii` after zh, ch, sh, r;
/// - `er` is a final; an r-coloured final keeps its r (`huar`→`uar`);
/// - tones are a trailing digit (0 and 5 are neutral, no digit is neutral) or a tone mark (`zhāng`).
///
/// A final alone takes its context from the segment before it, as an aligner's phone tier splits
/// `zhi4` into `zh` + `i4`: the `i` becomes `iii`.
public enum Pinyin {
    /// The 21 initials, two-letter ones first so `zh` is not read as `z`.
    public static let initials = ["zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h",
                                  "j", "q", "x", "r", "z", "c", "s"]

    /// Every final name `parse` produces (r-coloured finals are these plus `r`).
    public static let finals: Set<String> = [
        "a", "o", "e", "ê", "er", "i", "u", "v", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ong",
        "ia", "ie", "iao", "iou", "ian", "in", "iang", "ing", "iong",
        "ua", "uo", "uai", "uei", "uan", "uen", "uang", "ueng",
        "ve", "van", "vn", "ii", "iii", "m", "n", "ng",
    ]

    private static let glides = ["y", "w"]

    /// Splits `text`; nil when it is not pinyin. `previous` is the text of the segment just before
    /// (adjacent, on the same tier), used only when `text` is a final alone.
    public static func parse(_ text: String, previous: String? = nil) -> PinyinSegment? {
        guard let (body, tone) = bodyAndTone(text) else { return nil }
        if tone == nil, initials.contains(body) || glides.contains(body) {
            return PinyinSegment(initial: body, final: nil, tone: nil)
        }
        var written: String? = nil
        var rest = body
        // Syllabic nasals (m2, n2, ng2, hm, hng) are finals, not initials.
        if !["m", "n", "ng"].contains(body) {
            if let found = (initials + glides).first(where: { body.hasPrefix($0) }) {
                written = found
                rest = String(body.dropFirst(found.count))
            }
        }
        guard !rest.isEmpty else { return nil }
        // y and w only spell a glide: the syllable has no initial, but they shape the final.
        let initial = written.flatMap { glides.contains($0) ? nil : $0 }
        var context = written
        if written == nil, let previous, let before = bodyAndTone(previous), before.tone == nil,
           initials.contains(before.body) || glides.contains(before.body) {
            context = before.body
        }
        guard let final = normalisedFinal(rest, after: context) else { return nil }
        if ["m", "n", "ng"].contains(final), !(context == nil || context == "h") { return nil }
        if final.hasPrefix("v"), !(context == nil || ["n", "l", "j", "q", "x", "y"].contains(context ?? "")) { return nil }
        return PinyinSegment(initial: initial, final: final, tone: tone ?? 5)
    }

    /// The written final `rest` after `initial` (nil: zero initial), as its normalised name.
    static func normalisedFinal(_ rest: String, after initial: String?) -> String? {
        if rest.count > 1, rest.hasSuffix("r"), rest != "er" {
            guard let base = normalisedFinal(String(rest.dropLast()), after: initial) else { return nil }
            return base + "r"
        }
        var final = rest
        switch initial {
        case "y":
            if final.hasPrefix("u") {
                final = "v" + final.dropFirst()
            } else if final == "ou" || final == "ong" {
                final = "i" + final
            } else if !final.hasPrefix("i"), !final.hasPrefix("v"), final != "o" {
                final = "i" + final
            }
        case "w":
            // wong is a variant spelling of weng.
            if final == "ong" { final = "ueng" } else if !final.hasPrefix("u") { final = "u" + final }
        case "j", "q", "x":
            if final.hasPrefix("u") { final = "v" + final.dropFirst() }
        case "n", "l":
            if final == "ue" { final = "ve" }
        default:
            break
        }
        switch final {
        case "iu": final = "iou"
        case "ui": final = "uei"
        case "un": final = "uen"
        case "i" where ["z", "c", "s"].contains(initial ?? ""): final = "ii"
        case "i" where ["zh", "ch", "sh", "r"].contains(initial ?? ""): final = "iii"
        default: break
        }
        return finals.contains(final) ? final : nil
    }

    /// The lowercased letters (ü as `v`) and the tone (nil when none is written: neutral for a final).
    static func bodyAndTone(_ text: String) -> (body: String, tone: Int?)? {
        var letters = text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: "u:", with: "v").replacingOccurrences(of: "ü", with: "v")
        var tone: Int? = nil
        if let last = letters.unicodeScalars.last, let digit = Int(String(last)), (0...5).contains(digit) {
            tone = digit == 0 ? 5 : digit
            letters.unicodeScalars.removeLast()
        }
        var body = String.UnicodeScalarView()
        for scalar in letters.unicodeScalars {
            if let (base, mark) = toneMarks[scalar] {
                if tone == nil { tone = mark }
                body.append(base)
            } else if (scalar >= "a" && scalar <= "z") || scalar == "ê" {
                body.append(scalar)
            } else {
                return nil
            }
        }
        guard !body.isEmpty else { return nil }
        return (String(body), tone)
    }

    /// Vowels with tone marks: the plain vowel and the tone.
    private static let toneMarks: [Unicode.Scalar: (Unicode.Scalar, Int)] = {
        var marks: [Unicode.Scalar: (Unicode.Scalar, Int)] = [:]
        let table: [(Unicode.Scalar, String)] = [("a", "āáǎà"), ("e", "ēéěè"), ("i", "īíǐì"), ("o", "ōóǒò"),
                                                 ("u", "ūúǔù"), ("v", "ǖǘǚǜ")]
        for (base, marked) in table {
            for (tone, scalar) in marked.unicodeScalars.enumerated() { marks[scalar] = (base, tone + 1) }
        }
        // ê has precomposed forms for tones 2 and 4 only.
        marks["ế"] = ("ê", 2)
        marks["ề"] = ("ê", 4)
        return marks
    }()
}
