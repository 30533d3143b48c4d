import Store

/// Which tier of a TextGrid holds the tokens, and which of its labels are not speech.
public enum TierSelection {
    /// The tier used when none is named: the Montreal Forced Aligner's phone tier.
    public static let defaultTierName = "phones"

    /// Labels that mark silence or noise rather than a segment (compared trimmed, case-insensitively):
    /// empty, `sil`, `sp` (short pause), `<eps>` and `spn` (spoken noise), as aligners write them.
    public static let silenceMarkers: Set<String> = ["", "sil", "sp", "<eps>", "spn"]

    /// Whether `text` is a silence marker, which is never a token.
    public static func isSilence(_ text: String) -> Bool {
        silenceMarkers.contains(text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
    }

    /// The tier called `name`; by default the tier named `phones`, else the first interval tier.
    public static func select(_ grid: TextGrid, name: String?, file: String) throws -> TextGridTier {
        let names = grid.tiers.map { "'\($0.name)'" }.joined(separator: ", ")
        if let name {
            guard let tier = grid.tier(named: name) else {
                throw StoreError(file, "has no tier '\(name)' (tiers: \(names.isEmpty ? "none" : names))")
            }
            return tier
        }
        if let phones = grid.tier(named: defaultTierName) { return phones }
        guard let first = grid.tiers.first(where: { $0.kind == .interval }) else {
            throw StoreError(file, "has no interval tier (tiers: \(names.isEmpty ? "none" : names)); name a tier with --tier")
        }
        return first
    }
}
