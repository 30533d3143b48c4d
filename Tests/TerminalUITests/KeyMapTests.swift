import Testing
@testable import TerminalUI

@Suite struct KeyMapTests {
    @Test func everyBindingIsReachableWhereItApplies() {
        var state = Fixture.state()
        for binding in KeyMap.bindings {
            for key in binding.keys {
                let panes = binding.panes.map { Array($0) } ?? Pane.allCases
                let reached = panes.contains { pane in
                    state.focus = pane
                    return KeyMap.action(for: key, in: state) == binding.action
                }
                #expect(reached, "\(key) never gives \(binding.action)")
            }
        }
    }

    @Test func arrowsDependOnThePane() {
        var state = Fixture.state()
        state.focus = .chart
        #expect(KeyMap.action(for: .right, in: state) == .layerStep(1))
        #expect(KeyMap.action(for: .character("j"), in: state) == .colorStep(1))
        state.focus = .scatter
        #expect(KeyMap.action(for: .right, in: state) == .moveCursor(dx: 1, dy: 0))
        #expect(KeyMap.action(for: .character("]"), in: state) == .layerStep(1))
        state.focus = .utterance
        #expect(KeyMap.action(for: .down, in: state) == .utteranceStep(1))
        #expect(KeyMap.action(for: .character("c"), in: state) == .colorStep(1))
    }

    @Test func aPromptTakesTheKeysUntilEnterOrEscape() {
        var state = Fixture.state()
        state.prompt = .search("")
        #expect(KeyMap.action(for: .character("q"), in: state) == .promptInput("q"))
        #expect(KeyMap.action(for: .enter, in: state) == .promptSubmit)
        #expect(KeyMap.action(for: .escape, in: state) == .promptCancel)
        #expect(KeyMap.action(for: .backspace, in: state) == .promptBackspace)
        #expect(KeyMap.action(for: .control("c"), in: state) == .quit)
    }

    @Test func helpClosesOnEscapeAndMouseAndResizePassThrough() {
        var state = Fixture.state()
        state.showHelp = true
        #expect(KeyMap.action(for: .escape, in: state) == .toggleHelp)
        #expect(KeyMap.action(for: .character("q"), in: state) == .toggleHelp)
        #expect(KeyMap.action(for: .mouse(MouseEvent(.press, x: 3, y: 4)), in: state) == .click(x: 3, y: 4))
        #expect(KeyMap.action(for: .mouse(MouseEvent(.wheelDown, x: 1, y: 2)), in: state) == .wheel(up: false, x: 1, y: 2))
        #expect(KeyMap.action(for: .resize(TerminalSize(columns: 50, rows: 20)), in: state) == .resize(TerminalSize(columns: 50, rows: 20)))
    }

    @Test func theHelpScreenListsEveryBinding() {
        let lines = HelpWidget.lines
        for binding in KeyMap.bindings {
            #expect(lines.contains { $0.hasPrefix(binding.label) && $0.contains(binding.help) })
        }
    }
}
