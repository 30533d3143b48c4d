import Engine

/// Something that happened: a key the user pressed (already translated by `KeyMap`), a mouse
/// event, or news from the store and the engine. The reducer turns each into a new state.
public enum Action: Equatable, Sendable {
    case quit
    case toggleHelp
    case focusNext, focusPrevious
    case layerStep(Int)
    case layerFirst, layerLast
    case setLayer(Int)
    case colorStep(Int)
    case modelNext
    case overlayNext
    case toggleMetric
    case compareNext
    /// Moves the scatter cursor by whole cells.
    case moveCursor(dx: Int, dy: Int)
    /// Pans the scatter by quarters of its view.
    case pan(dx: Int, dy: Int)
    case zoomIn, zoomOut, resetView
    case utteranceStep(Int)
    /// Scrolls the utterance pane's time axis by frames.
    case scrollFrames(Int)
    case startSearch, startFilter, clearFilter
    case promptInput(Character), promptBackspace, promptSubmit, promptCancel
    case click(x: Int, y: Int)
    case wheel(up: Bool, x: Int, y: Int)
    case resize(TerminalSize)
    /// A one-line note for the hint bar (the locale warning, say).
    case showMessage(String)

    // From the app loop: what the store and the engine delivered.
    case resultsLoaded(MetricKey, LayerScores)
    case layoutLoaded(LayoutKey, Layout)
    /// A layer's clustering, read from the store for the clusters colouring.
    case clustersLoaded(ClusterKey, Clustering)
    case layoutStored(LayoutKey)
    case layoutDropped(LayoutKey)
    /// The store now holds these layers of a model (the engine extracted missing ones).
    case layersStored(model: String, layers: Set<Int>)
    case utteranceLoaded(UtteranceDetail)
    case engineProgress(EngineProgress)
    case jobNote(JobKey, String)
}

/// Work the reducer asks the app loop to do; the loop answers with actions.
public enum Effect: Equatable, Sendable {
    case quit
    /// Read a stored layout into memory (answered by `.layoutLoaded`).
    case loadLayout(LayoutKey)
    /// Read a stored clustering into memory (answered by `.clustersLoaded`, or a job note).
    case loadClusters(ClusterKey)
    /// Read the framewise predictions of an utterance (answered by `.utteranceLoaded`).
    case loadUtterance(model: String, utterance: Int)
}

/// A key as the backend reports it.
public enum Key: Hashable, Sendable {
    case character(Character)
    case up, down, left, right
    case shiftUp, shiftDown, shiftLeft, shiftRight
    case tab, backTab, enter, escape, backspace
    case home, end, pageUp, pageDown
    /// Ctrl plus a letter, lower case (Ctrl-C is `.control("c")`).
    case control(Character)
    case mouse(MouseEvent)
    case resize(TerminalSize)
}

/// A mouse event in screen cells.
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case press, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int
    public var y: Int

    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}
