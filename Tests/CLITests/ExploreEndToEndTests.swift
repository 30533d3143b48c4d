import Foundation
import Numerics
import Store
import Testing

/// The built `layerscope` in a real terminal: tmux runs it on the sample store, keys go in with
/// send-keys, the screen comes back with capture-pane. Every wait polls the pane with a deadline.
@Suite(.serialized) struct ExploreEndToEndTests {
    /// A private tmux server running one explorer, torn down on deinit.
    final class Session {
        let scratch: Scratch
        /// The server's socket, inside the scratch folder so nothing is left behind in /tmp/tmux-*.
        var socket: String { scratch.url.appendingPathComponent("tmux-\(id)").path }
        let id = UUID().uuidString.prefix(8)
        let pidFile: URL

        /// Starts `layerscope explore STORE` in a 160×48 pane; the shell around it stays after it ends and
        /// prints its exit status, so the restored terminal can be inspected.
        init(store: URL, scratch: Scratch, arguments: [String] = [], environment: [String] = []) throws {
            self.scratch = scratch
            pidFile = scratch.url.appendingPathComponent("pid")
            let config = scratch.url.appendingPathComponent("tmux.conf")
            try "set -g status off\n".write(to: config, atomically: true, encoding: .utf8)
            let cache = scratch.url.appendingPathComponent("cache").path
            let command = ([CLI.binary.path, "explore", store.path] + arguments).map(Self.quote).joined(separator: " ")
            // NO_COLOR may come from the test runner's environment; each test says what it wants.
            let settings = (["TERM=xterm-256color", "LANG=C.UTF-8", "XDG_CACHE_HOME=\(cache)"] + environment).map(Self.quote)
                .joined(separator: " ")
            let shell = "echo $$ > \(Self.quote(pidFile.path)); env -u NO_COLOR \(settings) \(command); "
                + "echo \"layerscope exited with $?\"; sleep 120"
            // The server this starts keeps whatever output it inherits open: give it none, or reading
            // this command's output would wait for the server to end.
            try tmux(["-f", config.path, "new-session", "-d", "-x", "160", "-y", "48", "sh -c \(Self.quote(shell))"], capture: false)
        }

        deinit { _ = try? tmux(["kill-server"]) }

        static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

        /// The explorer's process id: the child of the shell that wrote `pidFile`.
        func explorerPID() throws -> Int32? {
            let shell = (try String(contentsOf: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
            for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") where Int32(entry) != nil {
                guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                if fields.count > 1 && fields[1] == shell { return Int32(entry) }
            }
            return nil
        }

        /// Runs tmux and waits for it with `posix_spawn` and `waitpid`: Foundation's `Process` waits on
        /// descriptors that the daemonised tmux server inherits, and so never sees the client exit.
        @discardableResult
        func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
            let output = scratch.url.appendingPathComponent("tmux-out-\(UUID().uuidString.prefix(6))")
            defer { try? FileManager.default.removeItem(at: output) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, capture ? output.path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let argv = (["tmux", "-S", socket] + arguments).map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            // The test runner's threads block most signals and spawned processes inherit that mask:
            // tmux (and the explorer under it) must start with none blocked and default handlers,
            // or SIGWINCH and SIGTERM never arrive.
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var none = sigset_t(), all = sigset_t()
            sigemptyset(&none)
            sigfillset(&all)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setsigdefault(&attributes, &all)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            var pid: pid_t = 0
            let spawned = posix_spawnp(&pid, "tmux", &actions, &attributes, argv, environ)
            guard spawned == 0 else { throw StoreError("tmux", "cannot be started (is tmux installed? error \(spawned))") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return capture ? ((try? String(contentsOf: output, encoding: .utf8)) ?? "") : ""
        }

        func screen() throws -> String { try tmux(["capture-pane", "-p"]) }
        func value(_ format: String) throws -> String { try tmux(["display-message", "-p", format]).trimmingCharacters(in: .whitespacesAndNewlines) }
        func keys(_ keys: String...) throws { try tmux(["send-keys"] + keys) }

        /// Polls the screen until `condition` holds; returns the last screen either way.
        @discardableResult
        func wait(seconds: Double = 30, for what: String, _ condition: (String) -> Bool) throws -> String {
            let deadline = Date().addingTimeInterval(seconds)
            var last = ""
            while Date() < deadline {
                last = try screen()
                if condition(last) { return last }
                usleep(40_000)
            }
            Issue.record("timed out waiting for \(what); the screen was:\n\(last)")
            return last
        }

        /// Waits for the explorer to end; returns "exit N", or "running".
        func waitForExit(seconds: Double = 15) throws -> String {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let text = try screen()
                if let range = text.range(of: "layerscope exited with ") {
                    return "exit " + text[range.upperBound...].prefix { $0.isNumber }
                }
                usleep(40_000)
            }
            return "running"
        }

        /// The terminal is back to normal: main screen, cursor shown, no mouse or keypad modes, and
        /// nothing of the explorer left on it.
        func expectRestored() throws {
            let modes = try value("alternate=#{alternate_on} cursor=#{cursor_flag} mouse=#{mouse_any_flag}#{mouse_standard_flag}#{mouse_button_flag} keypad=#{keypad_cursor_flag}")
            #expect(modes == "alternate=0 cursor=1 mouse=000 keypad=0")
            #expect(!(try screen()).contains("layerscope │"))
        }
    }

    /// A copy of the bundled sample store with layouts for the tone model's first layers, so the
    /// scatter has something to draw however long the engine's own UMAP takes.
    static func sampleCopy(_ scratch: Scratch) throws -> URL {
        let bundled = CLI.binary.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sample-data/sample.layerstore")
        let source = EmbeddingStore.isStore(bundled) ? bundled
            : URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("sample-data/sample.layerstore")
        let copy = scratch.url.appendingPathComponent("sample.layerstore")
        try FileManager.default.copyItem(at: source, to: copy)
        let store = try EmbeddingStore(opening: copy)
        defer { try? store.close() }
        let stored = Set(try store.arrays(model: "tone", kind: .umap).map(\.layer))
        for layer in [0, 1] where !stored.contains(layer) {
            let view = try store.layer(model: "tone", layer: layer).view
            var layout = Matrix<Float>(rows: view.rows, cols: 2)
            let rows = view.matrix(rows: 0..<view.rows)
            for r in 0..<view.rows {
                layout[r, 0] = rows[r, 0] + rows[r, 2]
                layout[r, 1] = rows[r, 1] - rows[r, 3]
            }
            try store.withWriteLock {
                let target = try store.newArrayPath(model: "tone", name: String(format: "umap-L%02d.npy", layer))
                try AtomicNpyWriter.write(layout, as: .float32, to: target.url)
                try store.register(model: nil, arrays: [ArrayRecord(model: "tone", kind: .umap, layer: layer, path: target.relative,
                                                                    dtype: .float32, rows: view.rows, cols: 2, bytes: 64 + view.rows * 8)])
            }
        }
        return copy
    }

    static func hasBraille(_ screen: String) -> Bool {
        screen.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }
    }

    /// The sample store's last layer and first utterance, which the screen shows.
    static func sampleFacts(_ store: URL) throws -> (lastLayer: Int, firstUtterance: String, labels: [String]) {
        let opened = try EmbeddingStore(opening: store)
        defer { try? opened.close() }
        let tokens = try opened.tokens()
        return (try opened.model(named: "tone").layerCount - 1, tokens.utterances[0], tokens.labels.map(\.name))
    }

    @Test func browsesTheSampleStoreAndQuitsCleanly() throws {
        let scratch = try Scratch()
        let store = try Self.sampleCopy(scratch)
        let facts = try Self.sampleFacts(store)
        let sexIndex = try #require(facts.labels.firstIndex(of: "sex"))
        // `c` steps through the labels and then to the clusters, then back to the first label.
        let next = sexIndex + 1 < facts.labels.count ? facts.labels[sexIndex + 1] : nil
        let session = try Session(store: store, scratch: scratch, arguments: ["--model", "tone", "--color-by", "sex"])
        // The whole first frame: a capture can land while the terminal is still being written.
        let first = try session.wait(for: "the first frame with braille dots") {
            $0.contains("UMAP · tone · layer 0") && Self.hasBraille($0) && $0.contains("sex · 2 classes")
                && $0.contains("utterance \(facts.firstUtterance)") && $0.contains("? help  q quit")
        }
        #expect(first.contains("layer 0/\(facts.lastLayer)") && first.contains("sample.layerstore"))
        try session.keys("c")
        if let next {
            try session.wait(for: "the legend to switch to \(next)") { $0.contains("\(next) · ") && $0.contains("colour \(next)") }
        } else {
            // Layer 0's clusters (stored, or computed by the engine), then the legend names them.
            try session.wait(for: "the clusters of layer 0 in the legend") {
                $0.contains("colour clusters (sex)") && $0.contains("k = 2, as sex") && $0.contains("k=2 · NMI")
            }
            try session.keys("c")
            let first = facts.labels[0]
            try session.wait(for: "the legend to switch to \(first)") { $0.contains("\(first) · ") && $0.contains("colour \(first)") }
        }
        try session.keys("Right")
        try session.wait(for: "the layer indicator to reach layer 1") {
            $0.contains("layer 1/\(facts.lastLayer)") && $0.contains("UMAP · tone · layer 1") && Self.hasBraille($0)
                && $0.contains("tone · layer 1")
        }
        try session.keys("q")
        let status = try session.waitForExit()
        #expect(status == "exit 0")
        try session.expectRestored()
    }

    @Test func ctrlCAndSIGTERMRestoreTheTerminal() throws {
        let scratch = try Scratch()
        let store = try Self.sampleCopy(scratch)
        do {
            let session = try Session(store: store, scratch: scratch, arguments: ["--model", "tone"])
            try session.wait(for: "the first frame") { $0.contains("UMAP · tone · layer 0") }
            try session.keys("C-c")
            let status = try session.waitForExit()
            #expect(status == "exit 0")
            try session.expectRestored()
        }
        let session = try Session(store: store, scratch: scratch, arguments: ["--model", "tone"])
        try session.wait(for: "the first frame") { $0.contains("UMAP · tone · layer 0") }
        let pid = try #require(try session.explorerPID())
        #expect(kill(pid, SIGTERM) == 0)
        let status = try session.waitForExit()
        #expect(status == "exit 0")
        try session.expectRestored()
    }

    @Test func smallTerminalsGetAMessageAndResizingRedraws() throws {
        let scratch = try Scratch()
        let session = try Session(store: try Self.sampleCopy(scratch), scratch: scratch, arguments: ["--color-by", "tone"])
        try session.wait(for: "the first frame") { $0.contains("colour tone") }
        try session.tmux(["resize-window", "-x", "30", "-y", "10"])
        try session.wait(for: "the size message") { $0.contains("needs ≥ 40×12 (now 30×10)") }
        try session.tmux(["resize-window", "-x", "40", "-y", "12"])
        try session.wait(for: "the smallest layout") { $0.contains("SVCCA by layer") && !$0.contains("needs ≥") }
        try session.keys("q")
        let status = try session.waitForExit()
        #expect(status == "exit 0")
    }

    @Test(arguments: [["NO_COLOR=1"], ["TERM=xterm"]])
    func withoutColourClassesAreToldApartByGlyphs(environment: [String]) throws {
        let scratch = try Scratch()
        let session = try Session(store: try Self.sampleCopy(scratch), scratch: scratch,
                                  arguments: ["--model", "tone", "--color-by", "sex"], environment: environment)
        let screen = try session.wait(for: "glyphs for the classes") { $0.contains("● F") && $0.contains("○ M") }
        #expect(!Self.hasBraille(screen))
        try session.keys("q")
        let status = try session.waitForExit()
        #expect(status == "exit 0")
    }
}
