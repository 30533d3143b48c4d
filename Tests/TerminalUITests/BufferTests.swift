import Testing
@testable import TerminalUI

@Suite struct BufferTests {
    @Test func writesTextClippedToTheWidth() {
        var buffer = Buffer(width: 8, height: 2)
        let used = buffer.write("layerscope", x: 1, y: 0)
        #expect(used == 7)
        #expect(buffer.picture() == " layersc\n")
        buffer.write("ab", x: 6, y: 1, maxWidth: 1)
        #expect(buffer.line(1) == "      a ")
    }

    @Test func wideCharactersTakeTwoCellsAndAreNotSplit() {
        var buffer = Buffer(width: 5, height: 1)
        #expect(buffer.write("普通话", x: 0, y: 0) == 4)
        #expect(buffer.picture() == "普通")
        #expect(buffer[1, 0].isContinuation)
        #expect(DisplayWidth.of("ang4 普通") == 9)
        #expect(DisplayWidth.truncate("final ang", to: 6) == "final…")
        #expect(DisplayWidth.pad("12", to: 4, alignRight: true) == "  12")
    }

    @Test func diffListsOnlyChangedCells() {
        var a = Buffer(width: 4, height: 2)
        a.write("abcd", x: 0, y: 0)
        var b = a
        b.set(2, 1, "x", .plain)
        b.restyle(0, 0) { $0.attributes.insert(.bold) }
        #expect(b.changedCells(since: a) == [0, 6])
        #expect(b.changedCells(since: b).isEmpty)
        #expect(b.changedCells(since: nil).count == 8)
        #expect(b.changedCells(since: Buffer(width: 3, height: 2)).count == 8)
    }

    @Test func aChangedWideCharacterIsRedrawnWhole() {
        var a = Buffer(width: 4, height: 1)
        a.write("普a", x: 0, y: 0)
        var b = a
        b.write("xy", x: 0, y: 0)
        // Cell 1 was the right half of 普; the terminal needs both halves rewritten.
        #expect(b.changedCells(since: a) == [0, 1])
    }

    @Test func rectangleSplits() {
        let r = Rect(x: 2, y: 1, width: 10, height: 6)
        let (top, rest) = r.splitTop(2)
        #expect(top == Rect(x: 2, y: 1, width: 10, height: 2) && rest == Rect(x: 2, y: 3, width: 10, height: 4))
        #expect(r.columns(3).map(\.width) == [3, 3, 4])
        #expect(r.inset(1) == Rect(x: 3, y: 2, width: 8, height: 4))
        #expect(r.splitRight(4).1 == Rect(x: 8, y: 1, width: 4, height: 6))
    }
}

@Suite struct BrailleTests {
    @Test func dotsUseUnicodeBrailleBits() {
        var grid = BrailleGrid(columns: 2, rows: 1)
        grid.dot(0, 0, series: 0)   // dot 1 → 0x01
        grid.dot(1, 1, series: 0)   // dot 5 → 0x10
        grid.dot(2, 2, series: 1)   // dot 3 → 0x04
        grid.dot(3, 3, series: 1)   // dot 8 → 0x80
        grid.dot(9, 9, series: 1)   // outside: dropped
        var buffer = Buffer(width: 2, height: 1)
        grid.draw(into: &buffer, at: (0, 0)) { _ in .plain }
        #expect(buffer.picture() == "⠑⢄")
        #expect(grid.owner == [0, 1])
    }

    @Test func linesAreContinuousAndDottedLinesSkipEveryOtherDot() {
        var solid = BrailleGrid(columns: 4, rows: 1)
        solid.line(from: (0, 3), to: (7, 0), series: 0)
        var dotted = BrailleGrid(columns: 4, rows: 1)
        dotted.line(from: (0, 3), to: (7, 0), series: 0, dotted: true)
        var a = Buffer(width: 4, height: 1), b = Buffer(width: 4, height: 1)
        solid.draw(into: &a, at: (0, 0)) { _ in .plain }
        dotted.draw(into: &b, at: (0, 0)) { _ in .plain }
        // Bresenham: (0,3) (1,3) (2,2) (3,2) (4,1) (5,1) (6,0) (7,0), two dots per cell;
        // the dotted line keeps steps 0, 2, 4, 6: one dot per cell.
        #expect(a.picture() == "⣀⠤⠒⠉")
        #expect(b.picture() == "⡀⠄⠂⠁")
    }

    @Test func rasterKeepsCountsPerSlotAndPrefersFilteredClasses() {
        var raster = ScatterRaster(columns: 2, rows: 1, slots: 3)
        let cells: [Int32] = [0, 0, 0, 0, 1, -1]
        let bits: [UInt8] = [0x01, 0x02, 0x04, 0x08, 0x80, 0x01]
        let slots: [UInt8] = [2, 2, 2, 0, 1, 0]
        cells.withUnsafeBufferPointer { c in
            bits.withUnsafeBufferPointer { b in slots.withUnsafeBufferPointer { s in raster.add(cell: c, dotBit: b, slot: s) } }
        }
        #expect(raster.bits == [0x0F, 0x80])
        #expect(raster.total(0) == 4)
        #expect(raster.majority(0) == 2)
        #expect(raster.majority(0, preferred: 0..<2) == 0)
        #expect(raster.majority(1) == 1)
    }
}

@Suite struct ColorTests {
    @Test func hexColoursMapToTheNearestXtermEntry() {
        #expect(TerminalColor(red: 0x5f, green: 0xaf, blue: 0xff).index == 75)
        #expect(TerminalColor(red: 0x30, green: 0x30, blue: 0x30).index == 236)
        #expect(TerminalColor(red: 0xe6, green: 0x9f, blue: 0x00).index == 178)   // Okabe–Ito orange
        #expect(TerminalColor(red: 0, green: 0, blue: 0).index == 16)
        #expect(TerminalColor(red: 255, green: 255, blue: 255).index == 231)
    }

    @Test func eightColourTerminalsGetTheNearestBasicColour() {
        #expect(TerminalColor(index: 196).reduced(to: 8).index == 1)   // red
        #expect(TerminalColor(index: 75).reduced(to: 8).index == 4 || TerminalColor(index: 75).reduced(to: 8).index == 6)
        #expect(TerminalColor(index: 3).reduced(to: 8).index == 3)
        #expect(TerminalColor.default.reduced(to: 8) == .default)
    }
}
