/// Cursor, zoom, pan and mouse handling of the scatter (and clicks on the other panes).
extension Reducer {
    /// The plot and projection of the single scatter, when one is on screen with a layout.
    static func singleScatter(_ state: AppState) -> (plot: Rect, projection: ScatterProjection, layout: Layout)? {
        guard state.compare == .off, let layout = state.currentLayout else { return nil }
        let screen = ScreenLayout(state)
        guard let pane = screen.scatters.first else { return nil }
        let plot = ScatterGeometry(pane: pane, withLegend: true).plot
        guard !plot.isEmpty else { return nil }
        return (plot, ScatterProjection(layout: layout, plot: plot, viewport: state.viewport), layout)
    }

    static func moveCursor(_ state: inout AppState, dx: Int, dy: Int) {
        guard let (plot, projection, _) = singleScatter(state) else {
            state.message = state.compare == .off ? "no layout to move in yet" : "the cursor works in the single scatter (v leaves compare)"
            return
        }
        // One step is one cell: 2 dots across, 4 down.
        let step = projection.unitsPerDot
        state.cursor.u += Float(dx * 2) * step.u
        state.cursor.v -= Float(dy * 4) * step.v
        state.cursor.u = min(max(state.cursor.u, 0), 1)
        state.cursor.v = min(max(state.cursor.v, 0), 1)
        keepCursorInView(&state, plot: plot)
        selectNearest(&state)
    }

    /// Pans so the cursor stays inside the plot.
    static func keepCursorInView(_ state: inout AppState, plot: Rect) {
        guard let layout = state.currentLayout else { return }
        let projection = ScatterProjection(layout: layout, plot: plot, viewport: state.viewport)
        let dot = projection.dot(state.cursor)
        let step = projection.unitsPerDot
        if dot.x < 0 { state.viewport.center.u += Float(dot.x) * step.u }
        if dot.x >= projection.dotWidth { state.viewport.center.u += Float(dot.x - projection.dotWidth + 1) * step.u }
        if dot.y < 0 { state.viewport.center.v -= Float(dot.y) * step.v }
        if dot.y >= projection.dotHeight { state.viewport.center.v -= Float(dot.y - projection.dotHeight + 1) * step.v }
    }

    static func pan(_ state: inout AppState, dx: Int, dy: Int) {
        guard let (_, projection, _) = singleScatter(state) else { return }
        let step = projection.unitsPerDot
        state.viewport.center.u += Float(dx * projection.dotWidth / 4) * step.u
        state.viewport.center.v -= Float(dy * projection.dotHeight / 4) * step.v
        state.viewport.center.u = min(max(state.viewport.center.u, 0), 1)
        state.viewport.center.v = min(max(state.viewport.center.v, 0), 1)
    }

    /// Zooms by `factor`, keeping the cursor where it is on screen.
    static func zoom(_ state: inout AppState, by factor: Float) {
        let old = state.viewport
        let zoom = min(max(old.zoom * factor, 1), Viewport.maximumZoom)
        guard zoom != old.zoom else { return }
        if zoom == 1 {
            state.viewport = .whole
            return
        }
        let ratio = old.zoom / zoom
        let c = state.cursor
        state.viewport = Viewport(center: UnitPoint(c.u + (old.center.u - c.u) * ratio, c.v + (old.center.v - c.v) * ratio), zoom: zoom)
    }

    /// Selects the token nearest to the cursor (among the filter's classes when a filter is on).
    static func selectNearest(_ state: inout AppState) {
        guard let layout = state.currentLayout, layout.count > 0 else { return }
        let b = layout.bounds
        let px = b.minX + state.cursor.u * (b.maxX - b.minX)
        let py = b.minY + state.cursor.v * (b.maxY - b.minY)
        let codes = PointColoring(state: state, key: state.currentLayoutKey, tokens: layout.count).codes
        let filter = state.filter
        var best = -1
        var bestDistance = Float.infinity
        layout.x.withUnsafeBufferPointer { xs in
            layout.y.withUnsafeBufferPointer { ys in
                for i in 0..<xs.count {
                    if let filter, !filter.contains(codes[i]) { continue }
                    let dx = xs[i] - px, dy = ys[i] - py
                    let d = dx * dx + dy * dy
                    if d < bestDistance {
                        bestDistance = d
                        best = i
                    }
                }
            }
        }
        if best >= 0 { select(&state, token: best, moveCursor: false) }
    }

    static func click(_ state: inout AppState, x: Int, y: Int) {
        let screen = ScreenLayout(state)
        guard let pane = screen.pane(atX: x, y: y) else { return }
        state.focus = pane
        switch pane {
        case .chart:
            guard let rect = screen.chart else { return }
            let geometry = ChartGeometry(pane: rect, legendLines: ChartWidget.legendLineCount(state))
            if geometry.plot.contains(x: x, y: y) || geometry.xAxis.contains(x: x, y: y) {
                setLayer(&state, geometry.layer(atColumn: x, lastLayer: state.lastLayer))
            }
        case .scatter:
            guard state.compare == .off, let rect = screen.scatters.first else { return }
            let geometry = ScatterGeometry(pane: rect, withLegend: true)
            if let legend = geometry.legend, legend.contains(x: x, y: y) {
                clickLegend(&state, row: y - legend.y, height: legend.height)
            } else if geometry.plot.contains(x: x, y: y), let layout = state.currentLayout {
                let projection = ScatterProjection(layout: layout, plot: geometry.plot, viewport: state.viewport)
                state.cursor = projection.unitPoint(dotX: Float((x - geometry.plot.x) * 2) + 1, dotY: Float((y - geometry.plot.y) * 4) + 2)
                selectNearest(&state)
            }
        case .utterance:
            break
        }
    }

    /// A click on a legend line toggles that class (or cluster) in the filter.
    static func clickLegend(_ state: inout AppState, row: Int, height: Int) {
        let points = PointColoring(state: state, key: state.currentLayoutKey, tokens: state.data.tokens.count)
        let coloring = points.coloring
        var counts = state.data.classCounts.indices.contains(state.colorBy) ? state.data.classCounts[state.colorBy] : []
        if state.colorsByClusters {
            guard let key = state.clusterKey(state.currentLayoutKey), let clustering = state.clusterings[key] else { return }
            counts = clustering.sizes
        }
        let entries = LegendLines.entries(coloring, counts: counts, height: height)
        guard entries.indices.contains(row) else { return }
        var filter = state.filter ?? []
        switch entries[row] {
        case .coloured(let classIndex, _):
            // Unfiltered, a click isolates the class; filtered, it leaves the filter.
            filter = coloring.filtered ? filter.subtracting([Int32(classIndex)]) : [Int32(classIndex)]
        case .greyClass(let classIndex):
            filter.insert(Int32(classIndex))
        default:
            return
        }
        state.filters[state.colorBy] = filter.isEmpty ? nil : filter
    }

    static func wheel(_ state: inout AppState, up: Bool, x: Int, y: Int) {
        let screen = ScreenLayout(state)
        switch screen.pane(atX: x, y: y) {
        case .chart: setLayer(&state, state.layer + (up ? 1 : -1))
        case .scatter: zoom(&state, by: up ? 2 : 0.5)
        case .utterance: stepUtterance(&state, up ? -1 : 1)
        case nil: break
        }
    }
}
