using TorchSharp;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// The shared shape of Linear and Conv2d gradients. Per example i and parameter group g the weight
/// gradient is a sum of outer products over T positions (sequence steps, convolution output positions,
/// augmentations): ∇W_{i,g} = D_{i,g}ᵀ A_{i,g} with A [B, G, T, in] and D [B, G, T, out]; the bias
/// gradient is Σ_t D_{i,g,t}.
///
/// Norms, two ways:
/// <list type="bullet">
/// <item>ghost: ‖D_iᵀA_i‖²_F = Σ_{t,t'} (A_iA_iᵀ)_{tt'} (D_iD_iᵀ)_{tt'}; for T = 1 this is ‖a_i‖²‖δ_i‖².
///   Work per example ∝ T²(in + out), nothing of size in·out is formed.</item>
/// <item>materialise: form D_iᵀA_i [out, in] per example (a batched matmul, work ∝ T·in·out), then
///   square and sum.</item>
/// </list>
/// A (for a convolution: the unfolded input patches, T·in floats per example) is built lazily, a chunk of
/// examples at a time, and freed as soon as the chunk's norms are taken, so no layer's patches outlive it.
///
/// Clipped sum Σ_i c_i ∇W_i: when the materialised gradients are small enough to keep
/// (<see cref="PerExampleBudgets.KeepBytes"/>), one GEMV over them; otherwise the layer's own autograd node is run
/// once more with its output gradient rescaled per example, δ_i → c_i·δ_i (the graph is retained by
/// <see cref="PerExamplePlan"/>): libtorch's weight-gradient kernel, the same one the non-private step runs,
/// on the same shapes, with no per-example copies and no patches.
/// </summary>
public sealed class OuterProductLayer : IPerExampleLayer
{
    // Materialising costs T·in·out multiply-adds plus about MemoryPasses passes over in·out floats per
    // example (write, norm, weighted sum: memory-bound); the ghost path costs two T×T Gram matrices,
    // T²·(in + out), and, because its clipped sum then needs the weight-gradient kernel, another T·in·out
    // unless the materialised gradients could have been kept for a GEMV.
    const double MemoryPasses = 16;
    const long MinimumCachedChunk = 16;

    readonly Tensor _activations;          // the layer's input rows [B·K, ...], as captured
    readonly Func<Tensor, Tensor> _expand; // input rows → A rows [rows, G, T, in]
    readonly Tensor _delta;                // δ as captured, the layer output's shape [B·K, ...]
    readonly Tensor _d;                    // D [B, G, K·T, out]
    readonly Tensor _output;               // the layer's output, whose autograd node computes the clipped sum
    readonly Tensor _weight;
    readonly Tensor? _bias;
    readonly int _multiplicity;
    readonly long _batch, _groups, _positions, _inputs, _outputs;
    readonly string _weightName;
    readonly long[] _weightShape;
    readonly string? _biasName;
    readonly bool _keep;
    // (input rows, δ rows) → per-row gradients [rows, G, out, in] (and their squared norms, if formed on the way),
    // where the rule has a faster way than DᵀA
    readonly Func<Tensor, Tensor, (Tensor Gradients, Tensor? SquaredNorms)>? _perRow;
    readonly Func<Tensor, Tensor> _toWeightOrder;   // [n, G, out, in] in A's order → the weight's order
    readonly bool _expandIsView;                    // A is a view of the input (Linear): the clipped sum is one GEMM over it
    List<(long Start, Tensor Gradients)>? _materialised; // per chunk [count, G, out, in] in A's order, when kept
    Tensor? _biasGradients;                                // [B, G·out], formed once for the norms and reused by the sum

    /// <param name="activations">The layer's input rows [B·K, ...].</param>
    /// <param name="expand">Input rows → A rows [rows, G, T, in] (a view for Linear, patches for Conv2d).</param>
    /// <param name="delta">∂L/∂output as captured.</param>
    /// <param name="d">δ as D rows [B·K, G, T, out] (a view).</param>
    /// <param name="inputsPerGroup">in: A's last dimension.</param>
    /// <param name="perRow">Optional: (input rows, δ rows) → per-row weight gradients [rows, G, out,
    /// in], used to materialise instead of DᵀA, and optionally their squared norms [rows].</param>
    /// <param name="expandIsView">True when <paramref name="expand"/> only reshapes (Linear), so the clipped sum may contract A directly.</param>
    /// <param name="toWeightOrder">Optional: gradients [n, G, out, in] with in in A's order → the weight's order (identity if omitted).</param>
    public OuterProductLayer(Tensor activations, Func<Tensor, Tensor> expand, Tensor output, Tensor delta, Tensor d, long inputsPerGroup,
        int multiplicity, Tensor weight, string weightName, Tensor? bias, string? biasName, NormStrategy strategy,
        Func<Tensor, Tensor, (Tensor Gradients, Tensor? SquaredNorms)>? perRow = null, Func<Tensor, Tensor>? toWeightOrder = null, bool expandIsView = false)
    {
        _expandIsView = expandIsView;
        _perRow = perRow;
        _toWeightOrder = toWeightOrder ?? (g => g);
        (_activations, _expand, _output, _delta, _multiplicity) = (activations, expand, output, delta, multiplicity);
        (_weight, _bias, _weightName, _weightShape, _biasName) = (weight, bias, weightName, weight.shape, biasName);
        _d = Group(d, multiplicity);
        (_batch, _groups, _positions, _outputs) = (_d.shape[0], _d.shape[1], _d.shape[2], _d.shape[3]);
        _inputs = inputsPerGroup;
        var choice = Choose(strategy, _batch, _groups, _positions, _inputs, _outputs);
        Method = choice == NormStrategy.Ghost ? "ghost" : "materialise";
        _keep = choice == NormStrategy.Materialise && Keeps(_batch, _groups, _inputs, _outputs);
    }

    public string Method { get; }

    /// <summary>True when <see cref="ClippedSum"/> is a weighted sum of the kept per-example gradients (DᵀA in this layer's
    /// products), false when it runs the layer's own autograd node with the true δ. A rule that transforms the gradients
    /// (<see cref="StandardisedConv2dRule"/>) needs to know which it got.</summary>
    public bool SumsKeptGradients => _keep && _materialised is not null;

    // Materialised per-example gradients up to the keep budget are kept for the clipped sum (a GEMV instead of
    // a second weight-gradient kernel); larger ones are dropped chunk by chunk once their norms are taken.
    static bool Keeps(long batch, long groups, long inputs, long outputs) =>
        (double)batch * groups * inputs * outputs * sizeof(float) <= PerExampleBudgets.Current.KeepBytes;

    /// <summary>The cost model: ghost or materialise for B examples, G groups, T positions, in → out.</summary>
    public static NormStrategy Choose(NormStrategy strategy, long batch, long groups, long positions, long inputs, long outputs)
    {
        if (strategy != NormStrategy.Auto) return strategy;
        if (positions == 1) return NormStrategy.Ghost;
        double perExample = (double)inputs * outputs;
        double ghost = (double)positions * positions * (inputs + outputs);
        // Both paths pay for a weight-gradient product (T·in·out) unless materialised gradients are kept.
        double materialise = Keeps(batch, groups, inputs, outputs) ? MemoryPasses * perExample : (positions + MemoryPasses) * perExample;
        return ghost < materialise ? NormStrategy.Ghost : NormStrategy.Materialise;
    }

    /// <summary>[B·K, G, T, n] → [B, G, K·T, n]: an example's K augmentations become K·T positions.</summary>
    static Tensor Group(Tensor x, int multiplicity)
    {
        if (multiplicity == 1) return x;
        long rows = x.shape[0] / multiplicity, groups = x.shape[1], positions = x.shape[2], width = x.shape[3];
        var split = x.reshape(rows, multiplicity, groups, positions, width);
        if (groups != 1) split = split.permute(0, 2, 1, 3, 4);
        return split.reshape(rows, groups, multiplicity * positions, width);
    }

    public Tensor SquaredNorms()
    {
        Tensor weight;
        if (Method == "ghost" && _positions == 1)
            weight = (A(0, _batch).square().sum(-1L) * _d.square().sum(-1L)).reshape(_batch, -1).sum(1L);
        else
            weight = Chunked(Method == "ghost" ? GramNorms : MaterialisedNorms);
        if (_biasName is null) return weight;
        return weight + BiasGradients().square().sum(1L);
    }

    /// <summary>A for examples [start, start + count): [count, G, K·T, in].</summary>
    Tensor A(long start, long count) => Group(_expand(_activations.narrow(0, start * _multiplicity, count * _multiplicity)), _multiplicity);

    Tensor GramNorms(long start, long count)
    {
        var a = A(start, count);
        var d = _d.narrow(0, start, count);
        return (matmul(a, a.mT) * matmul(d, d.mT)).reshape(count, -1).sum(1L);
    }

    Tensor MaterialisedNorms(long start, long count)
    {
        var (g, squaredNorms) = PerExampleWithNorms(start, count); // [count, G, out, in]
        var norms = squaredNorms ?? linalg.vector_norm(g.reshape(count, -1), 2, new long[] { 1 }).square();
        if (_keep) (_materialised ??= new()).Add((start, g.MoveToOuterDisposeScope()));
        return norms;
    }

    /// <summary>
    /// Runs <paramref name="norms"/> over chunks of examples, each in its own dispose scope so A is freed per chunk.
    /// A chunk's working set is bounded by the memory budget and, for speed, by the cache budget: a chunk's
    /// patches and gradients are still in cache when its norms are taken (in one piece, tanh-cnn's conv2 at B = 256
    /// sends 8 MB of gradients to memory and back).
    /// </summary>
    Tensor Chunked(Func<long, long, Tensor> norms)
    {
        long patches = Method == "materialise" && _perRow is not null ? 0 : _positions * _inputs; // a per-row rule forms no A
        long perExample = _groups * (patches + (Method == "ghost" ? 2 * _positions * _positions : _inputs * _outputs)) * sizeof(float);
        var budgets = PerExampleBudgets.Current;
        long chunk = Math.Clamp(budgets.ChunkBytes / Math.Max(1, perExample), 1, _batch);
        // Only where a cache-sized chunk still holds enough examples for the batched products to stay efficient.
        long cached = budgets.CacheBytes / Math.Max(1, perExample);
        if (cached >= MinimumCachedChunk) chunk = Math.Min(chunk, cached);
        var parts = new List<Tensor>();
        for (long start = 0; start < _batch; start += chunk)
        {
            long count = Math.Min(chunk, _batch - start);
            using var scope = NewDisposeScope();
            var part = norms(start, count);
            parts.Add(part.MoveToOuterDisposeScope());
        }
        return parts.Count == 1 ? parts[0] : cat(parts, 0);
    }

    /// <summary>Per-example bias gradients Σ_t D_{i,g,t} [B, G·out].</summary>
    Tensor BiasGradients() => _biasGradients ??= _d.sum(2L).reshape(_batch, -1);

    /// <summary>Every example's gradient [B, G, out, in] in A's order: the kept chunks, or formed now.</summary>
    Tensor Materialised() => _materialised is null ? PerExample(0, _batch)
        : _materialised.Count == 1 ? _materialised[0].Gradients : cat(_materialised.Select(m => m.Gradients).ToArray(), 0);

    /// <summary>Per-example weight gradients of examples [start, start + count): [count, G, out, in].</summary>
    Tensor PerExample(long start, long count) => PerExampleWithNorms(start, count).Gradients;

    /// <summary>As <see cref="PerExample"/>, with their squared norms where the per-row rule formed them (one row per example only).</summary>
    (Tensor Gradients, Tensor? SquaredNorms) PerExampleWithNorms(long start, long count)
    {
        if (_perRow is null) return (matmul(_d.narrow(0, start, count).mT, A(start, count)), null);
        var (g, squaredNorms) = _perRow(
            _activations.narrow(0, start * _multiplicity, count * _multiplicity), _delta.narrow(0, start * _multiplicity, count * _multiplicity));
        if (_multiplicity == 1) return (g, squaredNorms);
        // K augmentation rows make one example: its gradient is their sum, whose norm is not the rows' norms.
        return (g.reshape(new[] { count, (long)_multiplicity }.Concat(g.shape.Skip(1)).ToArray()).sum(1L), null);
    }

    /// <summary>
    /// Σ_rows Σ_t (c·δ)_{row,t} a_{row,t}ᵀ as one GEMM over the rows: for a Linear layer A is a view of its input, so
    /// this is the weight-gradient kernel itself without the cost of an autograd call (a fifth of a millisecond per
    /// layer, which is what a small fully connected layer's whole clipped sum costs).
    /// </summary>
    IReadOnlyList<(string Name, Tensor Sum)> ContractedSum(Tensor rowFactors)
    {
        long rows = _delta.shape[0];
        var scaled = (_delta.reshape(rows, -1, _outputs) * rowFactors.reshape(rows, 1, 1).to_type(_delta.dtype)).reshape(-1, _outputs);
        var a = _expand(_activations).reshape(-1, _inputs);
        var result = new List<(string, Tensor)> { (_weightName, scaled.t().matmul(a).reshape(_weightShape)) };
        if (_biasName is not null) result.Add((_biasName, scaled.sum(0L)));
        return result;
    }

    public IReadOnlyList<(string Name, Tensor Gradient)> Gradients()
    {
        var result = new List<(string, Tensor)> { (_weightName, _toWeightOrder(Materialised()).reshape(new[] { _batch }.Concat(_weightShape).ToArray())) };
        if (_biasName is not null) result.Add((_biasName, BiasGradients()));
        return result;
    }

    public IReadOnlyList<(string Name, Tensor Sum)> ClippedSum(Tensor factors)
    {
        if (_keep && _materialised is not null)
        {
            Tensor? sum = null;
            foreach (var (start, g) in _materialised)
            {
                var part = factors.narrow(0, start, g.shape[0]).reshape(1, -1).matmul(g.reshape(g.shape[0], -1));
                sum = sum is null ? part : sum.add_(part);
            }
            var weight = _toWeightOrder(sum!.reshape(1, _groups, _outputs, _inputs)).reshape(_weightShape);
            var result = new List<(string, Tensor)> { (_weightName, weight) };
            if (_biasName is not null)
                result.Add((_biasName, factors.reshape(1, _batch).matmul(BiasGradients()).reshape(-1)));
            return result;
        }
        var rowFactors = _multiplicity == 1 ? factors : factors.repeat_interleave(_multiplicity);
        if (_expandIsView && _groups == 1) return ContractedSum(rowFactors);
        // Rows of δ scaled by their example's factor, through this layer's own backward node only.
        var scaled = _delta * rowFactors.reshape(new[] { -1L }.Concat(Enumerable.Repeat(1L, (int)_delta.dim() - 1)).ToArray()).to_type(_delta.dtype);
        var parameters = _bias is null ? new[] { _weight } : new[] { _weight, _bias };
        var sums = autograd.grad(new[] { _output }, parameters, new[] { scaled });
        var named = new List<(string, Tensor)> { (_weightName, sums[0]) };
        if (_biasName is not null) named.Add((_biasName, sums[1]));
        return named;
    }
}
