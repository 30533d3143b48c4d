import Dispatch
import Engine
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The interactive explorer: terminal, engine and session wired into one loop.
public enum Explorer {
    /// Runs until the user quits, Ctrl-C, SIGTERM or SIGHUP; the terminal is given back in every
    /// case, including a thrown error (which is then rethrown for the command line to print).
    public static func run(_ options: ExploreOptions, runners: [any JobRunner]) throws {
        let theme = try Theme.load(options.theme)
        let noColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let session = try ExplorerSession(options, theme: theme, size: TerminalSize(columns: 80, rows: 24), colorDepth: .full)
        // A parent may have left signals blocked (processes inherit the mask): the window size and
        // the quit signals must get through.
        var wanted = sigset_t()
        sigemptyset(&wanted)
        for number in [SIGWINCH, SIGINT, SIGTERM, SIGHUP] { sigaddset(&wanted, number) }
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
        let quitSignal = Flag()
        let signalSources = [SIGINT, SIGTERM, SIGHUP].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { quitSignal.set() }
            source.resume()
            return source
        }
        defer { for source in signalSources { source.cancel() } }

        let terminal = try NcursesTerminal(noColor: noColor)
        let events = EventQueue()
        let engine = Engine(store: session.loader.store, runners: runners) { events.push($0) }
        var latencies: [Double] = []
        do {
            try loop(session: session, terminal: terminal, engine: engine, events: events, quit: quitSignal, theme: theme,
                     latencies: &latencies)
        } catch {
            terminal.restore()
            engine.stop(timeout: 0.25)
            throw error
        }
        terminal.restore()
        engine.stop(timeout: 0.25)
        if let path = ProcessInfo.processInfo.environment["LAYERSCOPE_LATENCY_LOG"] {
            let text = latencies.map { String(format: "%.3f", $0) }.joined(separator: "\n") + "\n"
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    private static func loop(session: ExplorerSession, terminal: NcursesTerminal, engine: Engine, events: EventQueue, quit: Flag,
                             theme: Theme, latencies: inout [Double]) throws {
        session.attach(size: terminal.size, colorDepth: terminal.colorDepth, theme: theme)
        var previous: Buffer?
        var dirty = true
        var lastNeeds: [JobRequest] = []
        var pendingKeyTimes: [UInt64] = []
        if let warning = terminal.localeWarning { session.dispatchMessage(warning) }

        while !session.state.quitting {
            if dirty {
                let frame = session.render()
                terminal.draw(frame, previous: previous)
                previous = frame
                dirty = false
                let now = DispatchTime.now().uptimeNanoseconds
                for started in pendingKeyTimes { latencies.append(Double(now - started) / 1e6) }
                pendingKeyTimes.removeAll()
            }
            // After the frame is on screen: the engine starts on what it lacks only then.
            let needs = ViewNeeds.requests(session.state)
            if needs != lastNeeds {
                engine.want(needs)
                lastNeeds = needs
            }
            let busy = session.state.engine.current != nil
            var key = terminal.readKey(milliseconds: busy ? 40 : 150)
            var typed = 0
            while let pressed = key {
                pendingKeyTimes.append(DispatchTime.now().uptimeNanoseconds)
                if case .resize = pressed { previous = nil }
                if let action = KeyMap.action(for: pressed, in: session.state) { session.dispatch(action) }
                dirty = true
                typed += 1
                key = typed < 64 && !session.state.quitting ? terminal.readKey(milliseconds: 0) : nil
            }
            for event in events.drain() {
                session.handle(event)
                dirty = true
            }
            if quit.isSet { session.dispatch(.quit) }
        }
    }
}

extension ExplorerSession {
    /// Shows a one-line note in the hint bar.
    func dispatchMessage(_ text: String) {
        dispatch(.showMessage(text))
    }
}

/// A flag set from a signal handler's queue and read by the loop.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

/// Engine events, pushed from the engine's thread and drained by the loop.
final class EventQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [EngineEvent] = []

    func push(_ event: EngineEvent) {
        lock.lock()
        items.append(event)
        lock.unlock()
    }

    func drain() -> [EngineEvent] {
        lock.lock()
        defer { lock.unlock() }
        let all = items
        items.removeAll()
        return all
    }
}
