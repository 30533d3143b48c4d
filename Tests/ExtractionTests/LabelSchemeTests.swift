import Foundation
import Store
import Testing
@testable import Extraction

@Suite struct PinyinTests {
    /// Every toned syllable of pypinyin's dictionary splits as pypinyin's strict mode splits it
    /// (apical i renamed ii / iii), from both the digit and the tone-mark spelling.
    @Test func agreesWithPypinyin() throws {
        let rows = try #require(try Fixture.json("pinyin/syllables.json") as? [[Any]])
        #expect(rows.count > 1400)
        var mismatches: [String] = []
        for row in rows {
            guard let marked = row[0] as? String, let digits = row[1] as? String, let initial = row[2] as? String,
                  var final = row[3] as? String, let tone = row[4] as? Int else { throw StoreError("syllables.json", "bad row") }
            if final == "i", ["z", "c", "s"].contains(initial) { final = "ii" }
            if final == "i", ["zh", "ch", "sh", "r"].contains(initial) { final = "iii" }
            // pypinyin reads the variant spelling wong as ong; it is weng.
            if digits.hasPrefix("wong") { final = "ueng" }
            let expected = PinyinSegment(initial: initial.isEmpty ? nil : initial, final: final, tone: tone)
            for spelling in [digits, marked] where Pinyin.parse(spelling) != expected {
                mismatches.append("\(spelling): \(String(describing: Pinyin.parse(spelling))) ≠ \(expected)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func handWrittenCases() {
        func split(_ text: String, after previous: String? = nil) -> String {
            guard let s = Pinyin.parse(text, previous: previous) else { return "nil" }
            return "\(s.initial ?? "-") \(s.final ?? "-") \(s.tone.map(String.init) ?? "-")"
        }
        // ü spelt v, u: and ü; neutral tone as 5, 0 or no digit.
        #expect(split("lv4") == "l v 4")
        #expect(split("lu:4") == "l v 4")
        #expect(split("lü4") == "l v 4")
        #expect(split("Nǚ") == "n v 3")
        #expect(split("lue4") == "l ve 4")
        #expect(split("ma5") == "m a 5")
        #expect(split("ma0") == "m a 5")
        #expect(split("ma") == "m a 5")
        // Finals alone, as aligners write phone tiers: y/w and apical contexts from the segment before.
        #expect(split("ang4") == "- ang 4")
        #expect(split("i4", after: "zh") == "- iii 4")
        #expect(split("i3", after: "z") == "- ii 3")
        #expect(split("i3", after: "b") == "- i 3")
        #expect(split("u3", after: "j") == "- v 3")
        #expect(split("uan2", after: "x") == "- van 2")
        #expect(split("ui4", after: "g") == "- uei 4")
        #expect(split("iu2", after: "l") == "- iou 2")
        #expect(split("un2", after: "l") == "- uen 2")
        #expect(split("an4", after: "y") == "- ian 4")
        #expect(split("uan2", after: "y") == "- van 2")
        #expect(split("o3", after: "w") == "- uo 3")
        #expect(split("iou3") == "- iou 3")
        #expect(split("ii1") == "- ii 1")
        // Initials alone, syllabic nasals, er and r-colouring, ê.
        #expect(split("zh") == "zh - -")
        #expect(split("y") == "y - -")
        #expect(split("n") == "n - -")
        #expect(split("n2") == "- n 2")
        #expect(split("ng2") == "- ng 2")
        #expect(split("hm5") == "h m 5")
        #expect(split("hng5") == "h ng 5")
        #expect(split("er2") == "- er 2")
        #expect(split("huar1") == "h uar 1")
        #expect(split("zhir4") == "zh iiir 4")
        #expect(split("ê2") == "- ê 2")
        // Not pinyin.
        for text in ["xyz3", "zhv4", "bm2", "a1b", "ang6", "", "4", "北京", "sil?"] {
            #expect(Pinyin.parse(text) == nil, "\(text)")
        }
    }
}

@Suite struct LabelSchemeTests {
    @Test func pinyinColumns() throws {
        let finals = LabelScheme.pinyin(includeInitials: false)
        #expect(finals.columns == ["tone", "final"])
        #expect(try finals.labels("ang4", previous: "zh") == ["4", "ang"])
        #expect(try finals.labels("zh", previous: nil) == nil)
        #expect(try finals.labels("zhang", previous: nil) == ["5", "ang"])
        let withInitials = LabelScheme.pinyin(includeInitials: true)
        #expect(withInitials.columns == ["tone", "final", "initial"])
        #expect(try withInitials.labels("zh", previous: nil) == [nil, nil, "zh"])
        #expect(try withInitials.labels("zhang1", previous: nil) == ["1", "ang", "zh"])
        #expect(try withInitials.labels("ang1", previous: "zh") == ["1", "ang", nil])
        #expect(throws: LabelSchemeError.self) { try finals.labels("xyz3", previous: nil) }
    }

    @Test func plain() throws {
        #expect(LabelScheme.plain.columns == ["phone"])
        #expect(try LabelScheme.plain.labels(" aa1 ", previous: nil) == ["aa1"])
    }

    @Test func mappingFile() throws {
        let scratch = try ScratchFolder()
        let file = try scratch.write("map.tsv", "label\tphone\tmanner\nAA1\taa\tvowel\nP\tp\tstop\nNSN\t\t\nHH\thh\t\n")
        let scheme = try LabelScheme.named(file.path, includeInitials: false)
        #expect(scheme.columns == ["phone", "manner"])
        #expect(try scheme.labels("AA1", previous: nil) == ["aa", "vowel"])
        #expect(try scheme.labels("HH", previous: nil) == ["hh", nil])
        #expect(try scheme.labels("NSN", previous: nil) == nil)
        #expect(throws: LabelSchemeError.self) { try scheme.labels("ZZ", previous: nil) }
        let twice = try scratch.write("twice.tsv", "label\tphone\na\tx\nb\ty\na\tz\n")
        #expect(throws: StoreError(twice, line: 4, "'a' is mapped twice (first on line 2)")) {
            try LabelScheme.named(twice.path, includeInitials: false)
        }
        let narrow = try scratch.write("narrow.tsv", "label\na\n")
        #expect(throws: StoreError.self) { try LabelScheme.named(narrow.path, includeInitials: false) }
        #expect(throws: StoreError.self) { try LabelScheme.named(scratch.file("absent.tsv").path, includeInitials: false) }
    }
}
