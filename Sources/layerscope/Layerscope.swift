import ArgumentParser
import Foundation
import Numerics

/// The `layerscope` command: explore a store, or one of the subcommands that build and query stores.
struct Layerscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layerscope",
        abstract: "Explore what the layers of a wav2vec2 speech model encode.",
        discussion: "With no subcommand, opens the bundled sample store in the explorer.",
        subcommands: [Explore.self, Info.self, Import.self, Export.self, Analyze.self, Embed.self],
        defaultSubcommand: Explore.self
    )
}

/// Runs the command line: every failure becomes one line on standard error and exit status 1.
@main
enum Main {
    static func main() {
        // Before any BLAS call: OpenBLAS's faster AVX-512 kernels where it failed to pick them.
        BLASKernels.preferAVX512()
        ComputeThreads.configureBLAS()
        do {
            var command = try Layerscope.parseAsRoot()
            try command.run()
        } catch let error as CleanExit {
            Layerscope.exit(withError: error)
        } catch let error as ExitCode {
            Layerscope.exit(withError: error)
        } catch {
            let code = Layerscope.exitCode(for: error)
            if code == .success {
                Layerscope.exit(withError: error)
            }
            if isArgumentError(error) {
                FileHandle.standardError.write(Data((Layerscope.fullMessage(for: error) + "\n").utf8))
            } else {
                FileHandle.standardError.write(Data("layerscope: \(error)\n".utf8))
            }
            Foundation.exit(1)
        }
    }

    /// Errors ArgumentParser raised while reading the command line (as opposed to our own).
    private static func isArgumentError(_ error: Error) -> Bool {
        String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}
