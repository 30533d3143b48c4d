import Analysis
import Engine

/// The scatter's legend when it is coloured by cluster id: per cluster, the majority class of the
/// label the clustering was compared with, that class's share of the cluster (its purity) and the
/// cluster's size; k and the NMI with the label in the title (the label is in the scatter's title).
public struct ClusterLegendWidget {
    public let state: AppState
    public let theme: Theme
    public let key: LayoutKey
    public let coloring: ClassColoring

    public func render(_ rect: Rect, into buffer: inout Buffer) {
        guard let label = state.clusterLabelColumn, let clusterKey = state.clusterKey(key), !rect.isEmpty else { return }
        let width = rect.width - 1, x = rect.x + 1
        guard let clustering = state.clusterings[clusterKey] else {
            buffer.write(DisplayWidth.truncate("clusters · k=\(label.classes.count)", to: width), x: x, y: rect.y,
                         style: theme.text.with(.bold))
            for (row, text) in Self.wrap(pending(clusterKey), width: width).prefix(rect.height - 1).enumerated() {
                buffer.write(text, x: x, y: rect.y + 1 + row, style: theme.dimText)
            }
            return
        }
        let painter = LegendRowPainter(theme: theme, byGlyph: state.colorDepth.classesByGlyph, x: x, width: width)
        let result = clustering.result
        for (row, entry) in LegendLines.entries(coloring, counts: clustering.sizes, height: rect.height).enumerated() {
            let y = rect.y + row
            switch entry {
            case .title:
                let title = String(format: "k=%d · NMI %.2f", result.k, result.nmi)
                buffer.write(DisplayWidth.truncate(coloring.filtered ? "clusters · filter" : title, to: width), x: x, y: y,
                             style: theme.text.with(.bold))
            case .coloured(let cluster, let slot):
                painter.colouredMark(slot: slot, filtered: coloring.filtered, y: y, into: &buffer)
                buffer.write(line(result, cluster, width: width - 2), x: x + 2, y: y, maxWidth: width - 2, style: theme.text)
            case .greyClass(let cluster):
                painter.greyMark(y: y, into: &buffer)
                buffer.write(line(result, cluster, width: width - 2), x: x + 2, y: y, maxWidth: width - 2, style: theme.dimText)
            case .grey(let clusters, let tokens):
                painter.greySummary(groups: clusters, tokens: tokens, filtered: coloring.filtered, y: y, into: &buffer)
            case .more(let n):
                buffer.write("… +\(n) clusters", x: x + 2, y: y, maxWidth: width - 2, style: theme.dimText)
            }
        }
    }

    /// "3      81%     612": the majority class, its share of the cluster, the cluster's size.
    func line(_ result: ClusterResult, _ cluster: Int, width: Int) -> String {
        guard result.clusters.indices.contains(cluster) else { return "" }
        let entry = result.clusters[cluster]
        let majority = entry.majority ?? "–"
        let purity = entry.purity.map { String(format: "%.0f%%", $0 * 100) } ?? ""
        return DisplayWidth.pad(majority, to: max(1, width - 13)) + DisplayWidth.pad(purity, to: 5, alignRight: true)
            + DisplayWidth.pad(grouped(entry.size), to: 8, alignRight: true)
    }

    /// Words of `text` in lines of at most `width` columns.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ").map(String.init) {
            if line.isEmpty {
                line = word
            } else if DisplayWidth.of(line) + 1 + DisplayWidth.of(word) <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = word
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.map { DisplayWidth.truncate($0, to: width) }
    }

    /// Why the clustering is not shown yet.
    func pending(_ key: ClusterKey) -> String {
        if let note = state.jobNotes[key.job] { return note }
        if let failure = state.results[MetricKey(model: key.model, metric: .nmi)]?.failures[key.label]?[key.layer] {
            return "no clusters: " + failure
        }
        if state.engine.current == key.job { return String(format: "clustering layer %d… %.0f%%", key.layer, state.engine.fraction * 100) }
        return "clusters of layer \(key.layer) not computed yet (queued)"
    }
}
