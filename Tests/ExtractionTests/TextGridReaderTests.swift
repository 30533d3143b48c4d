import Foundation
import Store
import Testing
@testable import Extraction

@Suite struct TextGridReaderTests {
    /// Every well-formed fixture reads as praatio reads it: tiers, kinds, extents, intervals and labels.
    @Test func matchesPraatio() throws {
        let expected = try #require(try Fixture.json("textgrids/expected.json") as? [String: [String: Any]])
        #expect(expected.count == 8)
        for (name, grid) in expected.sorted(by: { $0.key < $1.key }) {
            let read = try TextGridReader.read(Fixture.url("textgrids/\(name)"))
            #expect(read.xmin == grid["xmin"] as? Double, "\(name)")
            #expect(read.xmax == grid["xmax"] as? Double, "\(name)")
            let tiers = try #require(grid["tiers"] as? [[String: Any]])
            #expect(read.tiers.count == tiers.count, "\(name)")
            for (tier, want) in zip(read.tiers, tiers) {
                #expect(tier.name == want["name"] as? String, "\(name)")
                #expect((tier.kind == .interval ? "interval" : "point") == want["kind"] as? String, "\(name) \(tier.name)")
                #expect(tier.xmin == want["xmin"] as? Double && tier.xmax == want["xmax"] as? Double, "\(name) \(tier.name)")
                let entries = try #require(want["entries"] as? [[Any]])
                #expect(tier.items.count == entries.count, "\(name) \(tier.name)")
                for (item, entry) in zip(tier.items, entries) {
                    #expect(item.start == entry[0] as? Double, "\(name) \(tier.name)")
                    #expect(item.end == entry[1] as? Double, "\(name) \(tier.name)")
                    #expect(item.text == entry[2] as? String, "\(name) \(tier.name)")
                }
            }
        }
    }

    /// The same grid reads identically from both formats and all encodings.
    @Test func formatsAndEncodingsAgree() throws {
        let reference = try TextGridReader.read(Fixture.url("textgrids/praatio-long.TextGrid"))
        for name in ["praatio-short", "praatio-long-utf8bom-crlf", "praatio-long-utf16le", "praatio-short-utf16be"] {
            var other = try TextGridReader.read(Fixture.url("textgrids/\(name).TextGrid"))
            // Line numbers differ between formats; the content must not.
            for t in other.tiers.indices {
                for i in other.tiers[t].items.indices { other.tiers[t].items[i].line = reference.tiers[t].items[i].line }
            }
            #expect(other == reference, "\(name)")
        }
        #expect(reference.tier(named: "words")?.items[1].text == "北京")
        #expect(reference.tier(named: "words")?.items[3].text == "say \"hi\"")
    }

    /// Items remember their line, so a later problem (an unknown label) can point at it.
    @Test func itemsKnowTheirLines() throws {
        let long = try TextGridReader.read(Fixture.url("textgrids/praatio-long.TextGrid"))
        let crlf = try TextGridReader.read(Fixture.url("textgrids/praatio-long-utf8bom-crlf.TextGrid"))
        let text = try String(contentsOf: Fixture.url("textgrids/praatio-long.TextGrid"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        for grid in [long, crlf] {
            for tier in grid.tiers {
                for item in tier.items {
                    let line = lines[item.line - 1].trimmingCharacters(in: .whitespaces)
                    #expect(line.hasPrefix(tier.kind == .interval ? "xmin = " : "number = "), "\(tier.name) line \(item.line): \(line)")
                }
            }
        }
        let multiline = try TextGridReader.read(Fixture.url("textgrids/praat-multiline.TextGrid"))
        #expect(multiline.tiers[0].items.map(\.line) == [16, 21])
    }

    /// Malformed files fail with the line and the problem, never a crash.
    @Test func malformedFilesNameTheLine() throws {
        let cases = try #require(try Fixture.json("textgrids/malformed.json") as? [String: [String: Any]])
        #expect(cases.count == 10)
        for (name, want) in cases.sorted(by: { $0.key < $1.key }) {
            let url = Fixture.url("textgrids/\(name)")
            do {
                _ = try TextGridReader.read(url)
                Issue.record("\(name) was accepted")
            } catch let error as StoreError {
                #expect(error.file == url.path, "\(name)")
                #expect(error.line == want["line"] as? Int, "\(name): \(error)")
                let phrase = try #require(want["contains"] as? String)
                #expect(error.message.contains(phrase), "\(name): \(error.message)")
            }
        }
    }

    /// Truncating a valid file at every byte gives an error or a grid, never a crash or a hang.
    @Test func everyTruncationIsHandled() throws {
        let data = try Data(contentsOf: Fixture.url("textgrids/praatio-short-utf16be.TextGrid"))
        var failures = 0
        for cut in 0..<data.count {
            if (try? TextGridReader.parse(data.prefix(cut), file: "cut")) == nil { failures += 1 }
        }
        #expect(failures > data.count / 2)
    }

    @Test func missingFile() {
        #expect(throws: StoreError("/nonexistent/x.TextGrid", "does not exist")) {
            try TextGridReader.read(URL(fileURLWithPath: "/nonexistent/x.TextGrid"))
        }
    }

    /// Tier choice: a named tier, else `phones`, else the first interval tier.
    @Test func tierSelection() throws {
        let grid = try TextGridReader.read(Fixture.url("textgrids/praatio-long.TextGrid"))
        #expect(try TierSelection.select(grid, name: nil, file: "g").name == "phones")
        #expect(try TierSelection.select(grid, name: "tones", file: "g").kind == .point)
        let noPhones = TextGrid(xmin: 0, xmax: 1, tiers: [grid.tiers[2], grid.tiers[0]])
        #expect(try TierSelection.select(noPhones, name: nil, file: "g").name == "words")
        #expect(throws: StoreError("g", "has no tier 'syllables' (tiers: 'words', 'phones', 'tones')")) {
            try TierSelection.select(grid, name: "syllables", file: "g")
        }
        #expect(throws: StoreError.self) { try TierSelection.select(TextGrid(xmin: 0, xmax: 1, tiers: [grid.tiers[2]]), name: nil, file: "g") }
    }

    @Test func silenceMarkers() {
        for text in ["", " ", "sil", "SIL", "sp", "<eps>", "spn"] { #expect(TierSelection.isSilence(text), "\(text)") }
        for text in ["a1", "silence", "s", "<unk>"] { #expect(!TierSelection.isSilence(text), "\(text)") }
    }
}
