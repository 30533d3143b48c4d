import Foundation
import Testing
@testable import TerminalUI

@Suite struct ThemeTests {
    /// themes/ in the checkout.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes")

    @Test func theDarkFileIsTheBuiltInDefault() throws {
        let dark = try Theme.load("dark", folders: [Self.folder])
        #expect(dark == Theme.builtinDark)
        // Without any theme folder the default still works; other names do not.
        #expect(try Theme.load(nil, folders: []) == Theme.builtinDark)
        #expect(throws: ThemeError.self) { try Theme.load("sepia", folders: [Self.folder]) }
    }

    @Test func lightAndOkabeItoThemesLoad() throws {
        let light = try Theme.load("light", folders: [Self.folder])
        #expect(light.name == "light" && light.background == TerminalColor(index: 231))
        let okabe = try Theme.load("okabe-ito", folders: [Self.folder])
        // Okabe & Ito's seven colours (black left out), each its own xterm colour.
        #expect(okabe.classes.map(\.index) == [178, 74, 35, 221, 25, 166, 175])
        #expect(Set(okabe.classes).count == okabe.classes.count)
    }

    @Test func unknownThemesNameTheOnesThereAre() {
        do {
            _ = try Theme.load("sepia", folders: [Self.folder])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "--theme: no theme 'sepia' (themes: dark, light, okabe-ito)")
        }
    }

    @Test func badColoursAndBadTOMLNameTheFile() {
        #expect(throws: ThemeError(file: "t.toml", line: nil, message: "'accent': 'purplish' is not a colour (use \"#rrggbb\", 0–255, a name or \"default\")")) {
            try Theme.parse("[ui]\naccent = \"purplish\"\n", file: "t.toml")
        }
        #expect(throws: ThemeError(file: "t.toml", line: nil, message: "'grey': palette index 300 is outside 0–255")) {
            try Theme.parse("[ui]\ngrey = 300\n", file: "t.toml")
        }
        do {
            _ = try Theme.parse("[ui\n", file: "t.toml")
            Issue.record("expected an error")
        } catch let error as ThemeError {
            #expect(error.file == "t.toml" && error.line == 1)
        } catch {
            Issue.record("unexpected \(error)")
        }
        let parsed = try? Theme.parse("name = \"mine\"\n[ui]\naccent = \"bright-red\"\n[classes]\ncolors = [1, \"#000000\"]\n", file: "m.toml")
        #expect(parsed?.name == "mine" && parsed?.accent == TerminalColor(index: 9))
        #expect(parsed?.classes == [TerminalColor(index: 1), TerminalColor(index: 16)])
    }
}
