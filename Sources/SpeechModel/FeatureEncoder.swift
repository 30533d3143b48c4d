import Numerics

/// One convolution of the feature encoder, covering transformers' three variants:
/// `Wav2Vec2GroupNormConvLayer` (first layer of "group" models), `Wav2Vec2LayerNormConvLayer` (every
/// layer of "layer" models) and `Wav2Vec2NoLayerNormConvLayer`. Conv1d (no padding) → norm → GELU.
struct Wav2Vec2ConvLayer: Sendable {
    enum Norm: Sendable {
        case none
        /// GroupNorm with one group per channel: each channel normalised over all time steps.
        case group(weight: FloatTensor, bias: FloatTensor)
        /// LayerNorm over channels at each time step.
        case layer(LayerNorm)
    }

    let inChannels: Int
    let outChannels: Int
    let kernel: Int
    let stride: Int
    /// out × (kernel · in), column j·in + i: torch's out × in × kernel reordered so that one im2col
    /// row (kernel consecutive time steps of all input channels) meets one weight row.
    let weight: FloatTensor
    let bias: FloatTensor?
    let norm: Norm
    /// torch.nn.GroupNorm's and torch.nn.LayerNorm's default; the conv layers do not use config.layer_norm_eps.
    static let normEpsilon: Float = 1e-5

    init(index: Int, config: Wav2Vec2Config, load: (String, [Int]) throws -> FloatTensor) throws {
        let name = "feature_extractor.conv_layers.\(index)"
        inChannels = index == 0 ? 1 : config.convDims[index - 1]
        outChannels = config.convDims[index]
        kernel = config.convKernels[index]
        stride = config.convStrides[index]
        let torchWeight = try load("\(name).conv.weight", [outChannels, inChannels, kernel])
        let (cin, k, cout) = (inChannels, kernel, outChannels)
        weight = FloatTensor(shape: [cout, k * cin]) { target in
            for o in 0..<cout {
                for i in 0..<cin {
                    for j in 0..<k { target[o * k * cin + j * cin + i] = torchWeight.pointer[(o * cin + i) * k + j] }
                }
            }
        }
        bias = config.convBias ? try load("\(name).conv.bias", [outChannels]) : nil
        switch config.featureNorm {
        case .group where index == 0:
            norm = .group(weight: try load("\(name).layer_norm.weight", [outChannels]),
                          bias: try load("\(name).layer_norm.bias", [outChannels]))
        case .group:
            norm = .none
        case .layer:
            norm = .layer(try LayerNorm("\(name).layer_norm", size: outChannels, epsilon: Self.normEpsilon, load: load))
        }
    }

    /// Output steps of a valid convolution over `steps` input steps.
    func outputSteps(_ steps: Int) -> Int { steps >= kernel ? (steps - kernel) / stride + 1 : 0 }

    /// The convolution alone: `input` (steps × in, time-major) → `output` (outputSteps × out).
    func convolve(_ input: UnsafePointer<Float>, steps: Int, into output: UnsafeMutablePointer<Float>,
                  scratch: inout ScratchBuffer?) {
        let rows = outputSteps(steps)
        let width = kernel * inChannels
        guard rows > 0 else { return }
        // Row t of the im2col matrix is input rows t·stride ..< t·stride + kernel, which are contiguous
        // in time-major memory. When stride ≥ kernel the rows do not overlap and BLAS reads them in
        // place (leading dimension stride · in); otherwise they are copied out.
        var a = input
        var lda = stride * inChannels
        if stride < kernel {
            let buffer = ScratchBuffer.reuse(scratch, count: rows * width)
            scratch = buffer
            let target = buffer.pointer
            let (inChannels, stride) = (inChannels, stride)
            ComputeThreads.parallelChunks(rows, minimumChunk: 256) { range in
                for t in range { (target + t * width).update(from: input + t * stride * inChannels, count: width) }
            }
            a = UnsafePointer(target)
            lda = width
        }
        if let bias {
            for t in 0..<rows { (output + t * outChannels).update(from: bias.pointer, count: outChannels) }
        }
        Float.gemm(transposeA: false, transposeB: true, m: rows, n: outChannels, k: width,
                   alpha: 1, a: a, lda: lda, b: weight.pointer, ldb: width,
                   beta: bias == nil ? 0 : 1, c: output, ldc: outChannels)
    }

    /// Norm and GELU in place on `rows` output steps; `groupAffine` is the group norm folded into a
    /// per-channel scale and shift from statistics over the whole input.
    func normalizeAndActivate(_ output: UnsafeMutablePointer<Float>, rows: Int,
                              groupAffine: (scale: [Float], shift: [Float])?) {
        switch norm {
        case .none:
            break
        case .group:
            guard let groupAffine else { preconditionFailure("group norm needs statistics over the whole input") }
            NeuralKernels.scaleShiftColumns(output, rows: rows, cols: outChannels, stride: outChannels,
                                            scale: groupAffine.scale, shift: groupAffine.shift)
        case .layer(let layerNorm):
            layerNorm.apply(output, stride: outChannels, rows: rows, into: output, stride: outChannels)
        }
        NeuralKernels.gelu(output, count: rows * outChannels)
    }
}

/// The convolutional feature encoder (transformers' `Wav2Vec2FeatureEncoder`): raw samples → one
/// conv_dim[-1]-dimensional feature per 20 ms frame (for the standard strides). It runs in chunks of
/// output frames, each computed from just the samples it needs, so memory stays bounded on long audio;
/// a group-norm first layer gets its per-channel statistics from a cheap first pass over all samples.
struct Wav2Vec2FeatureEncoder: Sendable {
    let convLayers: [Wav2Vec2ConvLayer]

    init(config: Wav2Vec2Config, load: (String, [Int]) throws -> FloatTensor) throws {
        convLayers = try (0..<config.convDims.count).map { try Wav2Vec2ConvLayer(index: $0, config: config, load: load) }
    }

    var outputChannels: Int { convLayers.last?.outChannels ?? 0 }

    /// Output frames for `samples` input samples.
    func frameCount(samples: Int) -> Int { convLayers.reduce(samples) { $1.outputSteps($0) } }

    /// Calls `body` with consecutive ranges of output frames and their features (range.count × channels),
    /// in a buffer `body` may overwrite.
    func forEachChunk(_ samples: UnsafeBufferPointer<Float>, framesPerChunk: Int,
                      _ body: (Range<Int>, UnsafeMutablePointer<Float>) throws -> Void) rethrows {
        guard let x = samples.baseAddress else { return }
        let total = frameCount(samples: samples.count)
        guard total > 0 else { return }
        let affine = groupNormAffine(x, count: samples.count)
        var buffers: [ScratchBuffer?] = [nil, nil]
        var im2col: ScratchBuffer?
        var start = 0
        while start < total {
            let end = min(total, start + max(1, framesPerChunk))
            // Walk back from the frames wanted to the steps each layer needs, then forward.
            var ranges = [start..<end]
            for layer in convLayers.reversed() {
                let r = ranges[0]
                ranges.insert(r.lowerBound * layer.stride ..< (r.upperBound - 1) * layer.stride + layer.kernel, at: 0)
            }
            var input = UnsafePointer(x + ranges[0].lowerBound)
            var features: UnsafeMutablePointer<Float>?
            for (index, layer) in convLayers.enumerated() {
                let rows = ranges[index + 1].count
                let buffer = ScratchBuffer.reuse(buffers[index % 2], count: rows * layer.outChannels)
                buffers[index % 2] = buffer
                layer.convolve(input, steps: ranges[index].count, into: buffer.pointer, scratch: &im2col)
                layer.normalizeAndActivate(buffer.pointer, rows: rows, groupAffine: index == 0 ? affine : nil)
                input = UnsafePointer(buffer.pointer)
                features = buffer.pointer
            }
            if let features { try body(start..<end, features) }
            start = end
        }
    }

    /// For a group-norm first layer: its output's per-channel mean and variance over the whole input,
    /// folded with the norm's weight and bias into y = x · scale + shift.
    private func groupNormAffine(_ x: UnsafePointer<Float>, count: Int) -> (scale: [Float], shift: [Float])? {
        guard let first = convLayers.first, case .group(let weight, let bias) = first.norm else { return nil }
        let channels = first.outChannels
        let steps = first.outputSteps(count)
        var sums = [Double](repeating: 0, count: channels)
        var squares = [Double](repeating: 0, count: channels)
        let block = 8192
        let output = ScratchBuffer(count: min(block, steps) * channels)
        var im2col: ScratchBuffer?
        var t = 0
        while t < steps {
            let rows = min(block, steps - t)
            first.convolve(x + t * first.stride, steps: (rows - 1) * first.stride + first.kernel, into: output.pointer,
                           scratch: &im2col)
            NeuralKernels.accumulateColumnMoments(output.pointer, rows: rows, cols: channels, stride: channels,
                                                  sums: &sums, squares: &squares)
            t += rows
        }
        var scale = [Float](repeating: 0, count: channels)
        var shift = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let mean = sums[c] / Double(steps)
            let variance = max(0, squares[c] / Double(steps) - mean * mean)
            let s = Double(weight.pointer[c]) / (variance + Double(Wav2Vec2ConvLayer.normEpsilon)).squareRoot()
            scale[c] = Float(s)
            shift[c] = Float(Double(bias.pointer[c]) - mean * s)
        }
        return (scale, shift)
    }
}

/// Layer norm and projection of the conv features to the transformer's width
/// (transformers' `Wav2Vec2FeatureProjection`).
struct Wav2Vec2FeatureProjection: Sendable {
    let layerNorm: LayerNorm
    let projection: Linear

    init(config: Wav2Vec2Config, load: (String, [Int]) throws -> FloatTensor) throws {
        let width = config.convDims[config.convDims.count - 1]
        layerNorm = try LayerNorm("feature_projection.layer_norm", size: width, epsilon: config.layerNormEpsilon, load: load)
        projection = try Linear("feature_projection.projection", in: width, out: config.hiddenSize, load: load)
    }

    /// Projects `rows` feature rows into `output` (rows × hidden, rows `outputStride` apart); `features` is overwritten.
    func forward(_ features: UnsafeMutablePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, outputStride: Int) {
        let width = layerNorm.size
        layerNorm.apply(features, stride: width, rows: rows, into: features, stride: width)
        projection.apply(features, stride: width, rows: rows, into: output, stride: outputStride)
    }
}
