/// The element types layerscope keeps arrays in.
public enum ScalarType: String, Sendable, CaseIterable, Codable {
    case float16
    case float32

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float16: 2
        case .float32: 4
        }
    }
}
