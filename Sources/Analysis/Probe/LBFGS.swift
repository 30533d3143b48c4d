/// Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4–7.5) with a backtracking Armijo line search,
/// for the smooth convex objectives of the probe.
struct LBFGS {
    var memory = 10
    var maxIterations = 1000
    /// Stop when the largest gradient component falls below this.
    var gradientTolerance = 1e-7

    struct Outcome {
        var x: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    /// Minimises `objective`, which returns f(x) and writes ∇f(x) into its second argument.
    func minimize(from start: [Double], _ objective: ([Double], inout [Double]) -> Double) -> Outcome {
        var x = start
        var gradient = [Double](repeating: 0, count: x.count)
        var value = objective(x, &gradient)
        var steps: [[Double]] = [], changes: [[Double]] = [], rhos: [Double] = []
        var trialGradient = gradient
        for iteration in 0..<maxIterations {
            if gradient.map(abs).max() ?? 0 < gradientTolerance {
                return Outcome(x: x, value: value, iterations: iteration, converged: true)
            }
            // Two-loop recursion: direction = −H·g.
            var q = gradient
            var alphas = [Double](repeating: 0, count: steps.count)
            for i in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[i] = rhos[i] * dot(steps[i], q)
                axpy(-alphas[i], changes[i], &q)
            }
            if let s = steps.last, let y = changes.last {
                let gamma = dot(s, y) / dot(y, y)
                for i in q.indices { q[i] *= gamma }
            } else {
                let norm = dot(gradient, gradient).squareRoot()
                for i in q.indices { q[i] /= max(norm, 1) }
            }
            for i in steps.indices {
                let beta = rhos[i] * dot(changes[i], q)
                axpy(alphas[i] - beta, steps[i], &q)
            }
            let direction = q.map { -$0 }
            var slope = dot(gradient, direction)
            if slope >= 0 {  // not a descent direction: restart from steepest descent
                steps.removeAll(); changes.removeAll(); rhos.removeAll()
                continue
            }
            // Backtracking until the Armijo condition holds.
            var step = 1.0
            var trial = x, trialValue = value
            var accepted = false
            for _ in 0..<40 {
                for i in x.indices { trial[i] = x[i] + step * direction[i] }
                trialValue = objective(trial, &trialGradient)
                if trialValue <= value + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            guard accepted else { return Outcome(x: x, value: value, iterations: iteration, converged: false) }
            let s = zip(trial, x).map { $0 - $1 }
            let y = zip(trialGradient, gradient).map { $0 - $1 }
            let curvature = dot(s, y)
            let previous = value
            x = trial
            value = trialValue
            gradient = trialGradient
            if curvature > 1e-12 * dot(y, y).squareRoot() * dot(s, s).squareRoot() {
                steps.append(s); changes.append(y); rhos.append(1 / curvature)
                if steps.count > memory { steps.removeFirst(); changes.removeFirst(); rhos.removeFirst() }
            }
            slope = previous - value
            if slope <= 1e-15 * max(abs(value), 1) {
                return Outcome(x: x, value: value, iterations: iteration + 1, converged: true)
            }
        }
        return Outcome(x: x, value: value, iterations: maxIterations, converged: false)
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    private func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        for i in y.indices { y[i] += alpha * x[i] }
    }
}
