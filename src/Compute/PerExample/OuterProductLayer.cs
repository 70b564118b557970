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
///   Work and memory per example ∝ T²(in + out), nothing of size in·out is formed.</item>
/// <item>materialise: form D_iᵀA_i [out, in] per example (a batched matmul, work ∝ T·in·out,
///   memory ∝ in·out per example), then square and sum.</item>
/// </list>
/// Clipped sum: materialised gradients are summed with weights c (one GEMV); otherwise book-keeping
/// scales D (or A, whichever is smaller) by c_i and contracts over examples and positions at once:
/// Σ_i c_i D_iᵀA_i = (c⊙D)ᵀA, one GEMM per group, no per-example copies of the weight.
/// </summary>
public sealed class OuterProductLayer : IPerExampleLayer
{
    // Materialising costs T·in·out multiply-adds (the same work as the book-keeping contraction the
    // ghost path needs later) plus about MemoryPasses passes over in·out floats per example (write,
    // norm, weighted sum: memory-bound). The ghost path instead costs two T×T Gram matrices,
    // 2·T²·(in + out). Ghost wins when 2·T²·(in + out) < MemoryPasses·in·out, or when the materialised
    // gradients would not fit MaterialiseBudgetBytes.
    const double MemoryPasses = 16;
    const long MaterialiseBudgetBytes = 256L << 20;

    readonly Tensor _a;      // [B, G, T, in]
    readonly Tensor _d;      // [B, G, T, out]
    readonly long _batch;
    readonly string _weightName;
    readonly long[] _weightShape;
    readonly string? _biasName;
    Tensor? _materialised;   // [B, G, out, in]

    public OuterProductLayer(Tensor a, Tensor d, int multiplicity, string weightName, long[] weightShape, string? biasName, NormStrategy strategy)
    {
        (_a, _d) = (Group(a, multiplicity), Group(d, multiplicity));
        _batch = _a.shape[0];
        (_weightName, _weightShape, _biasName) = (weightName, weightShape, biasName);
        Method = Choose(strategy, _batch, _a.shape[1], _a.shape[2], _a.shape[3], _d.shape[3]) == NormStrategy.Ghost ? "ghost" : "materialise";
    }

    public string Method { get; }

    /// <summary>The cost model: ghost or materialise for B examples, G groups, T positions, in → out.</summary>
    public static NormStrategy Choose(NormStrategy strategy, long batch, long groups, long positions, long inputs, long outputs)
    {
        if (strategy != NormStrategy.Auto) return strategy;
        if (positions == 1) return NormStrategy.Ghost;
        double perExample = (double)inputs * outputs;
        if (batch * groups * perExample * sizeof(float) > MaterialiseBudgetBytes) return NormStrategy.Ghost;
        return 2.0 * positions * positions * (inputs + outputs) < MemoryPasses * perExample ? NormStrategy.Ghost : NormStrategy.Materialise;
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
        if (Method == "materialise")
            weight = Materialised().reshape(_batch, -1).square().sum(1L);
        else if (_a.shape[2] == 1)
            weight = (_a.square().sum(-1L) * _d.square().sum(-1L)).reshape(_batch, -1).sum(1L);
        else
            weight = (matmul(_a, _a.mT) * matmul(_d, _d.mT)).reshape(_batch, -1).sum(1L);
        if (_biasName is null) return weight;
        return weight + _d.sum(2L).reshape(_batch, -1).square().sum(1L);
    }

    Tensor Materialised() => _materialised ??= matmul(_d.mT, _a); // [B, G, out, in]

    public IReadOnlyList<(string Name, Tensor Gradient)> Gradients()
    {
        var result = new List<(string, Tensor)> { (_weightName, Materialised().reshape(new[] { _batch }.Concat(_weightShape).ToArray())) };
        if (_biasName is not null) result.Add((_biasName, _d.sum(2L).reshape(_batch, -1)));
        return result;
    }

    public IReadOnlyList<(string Name, Tensor Sum)> ClippedSum(Tensor factors)
    {
        Tensor weight;
        if (Method == "materialise")
            weight = factors.reshape(1, _batch).matmul(Materialised().reshape(_batch, -1));
        else
        {
            var scale = factors.reshape(_batch, 1, 1, 1);
            weight = _d.numel() <= _a.numel()
                ? einsum("bgto,bgti->goi", _d * scale, _a)
                : einsum("bgto,bgti->goi", _d, _a * scale);
        }
        var result = new List<(string, Tensor)> { (_weightName, weight.reshape(_weightShape)) };
        if (_biasName is not null)
            result.Add((_biasName, factors.reshape(1, _batch).matmul(_d.sum(2L).reshape(_batch, -1)).reshape(-1)));
        return result;
    }
}
