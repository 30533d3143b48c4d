import CKernels
import COpenBLAS
import Foundation

/// Which of OpenBLAS's kernel sets runs GEMM. Debian 12's OpenBLAS 0.3.21 does not recognise AMD
/// Zen 4 as AVX-512 capable and picks its AVX2 "Haswell"/"Zen" kernels there; its AVX-512 "SkylakeX"
/// kernels run float32 GEMM about 1.5× faster on those CPUs (measured on the development machines).
public enum BLASKernels {
    /// OpenBLAS's kernel sets that use AVX-512 (lower-cased core names): SkylakeX's and those
    /// derived from it, which OpenBLAS picks itself on CPUs it recognises (Cooper Lake, Zen 4 in
    /// newer builds, Sapphire Rapids).
    public static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// The kernel set in use. The corresponding C function is `openblas_get_corename`.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Switches OpenBLAS to its SkylakeX kernels when the CPU has the AVX-512 they need but OpenBLAS
    /// chose AVX2 kernels, unless `OPENBLAS_CORETYPE` is set (the user's choice wins). Returns the
    /// kernel set in use afterwards. Call at program start, before any BLAS routine runs: swapping
    /// kernels under a running call would break it.
    @discardableResult
    public static func preferAVX512() -> String {
        let before = coreName
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              ["haswell", "zen"].contains(before.lowercased()),
              ls_cpu_has_avx512_skylakex() != 0
        else { return before }
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        guard ls_openblas_reselect_core() != 0 else {
            unsetenv("OPENBLAS_CORETYPE")
            return before
        }
        if coreName.lowercased() != "skylakex" {
            // This OpenBLAS does not know the name: let it detect the CPU again as it did at start.
            unsetenv("OPENBLAS_CORETYPE")
            ls_openblas_reselect_core()
        }
        return coreName
    }
}
