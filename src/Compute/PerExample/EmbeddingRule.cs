using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// y_t = W[x_t]: per example ∇W_i = Σ_t e_{x_t} δ_tᵀ, a [V, d] matrix that is zero outside the rows
/// the example used. Ghost norm: ‖∇W_i‖² = Σ_{t,t'} [x_t = x_t'] δ_t·δ_t' (a T×T Gram of δ masked by
/// equal indices), chosen when T² &lt; V·d; materialising forms one-hot(x)ᵀδ. Book-keeping adds the
/// scaled rows c_i·δ_t into W's shape with one index_add.
/// TorchSharp 0.107's native Embedding does not expose padding_idx, so the rule assumes there is none
/// (a padding index would make these norms over-estimates: still private, but not exact).
/// </summary>
public sealed class EmbeddingRule : IPerExampleRule
{
    public string? Unsupported(nn.Module module) => null;

    public IPerExampleLayer Prepare(nn.Module module, Tensor activations, Tensor output, Tensor backprops, int multiplicity, NormStrategy strategy)
    {
        var weight = ((Embedding)module).weight!;
        long rows = activations.shape[0] / multiplicity, vocabulary = weight.shape[0], width = weight.shape[1];
        var indices = activations.reshape(rows, -1);          // [B, K·T]
        var d = backprops.reshape(rows, -1, width);           // [B, K·T, d]
        long positions = indices.shape[1];
        bool ghost = strategy == NormStrategy.Ghost
            || (strategy == NormStrategy.Auto && (double)positions * positions < (double)vocabulary * width);
        return new Layer(indices, d, vocabulary, ghost);
    }

    sealed class Layer(Tensor indices, Tensor d, long vocabulary, bool ghost) : IPerExampleLayer
    {
        Tensor? _materialised;
        long Batch => indices.shape[0];

        public string Method => ghost ? "ghost" : "materialise";

        public Tensor SquaredNorms()
        {
            if (!ghost) return Materialised().reshape(Batch, -1).square().sum(1L);
            var same = indices.unsqueeze(2).eq(indices.unsqueeze(1)).to_type(d.dtype); // [B, T, T]
            return (same * matmul(d, d.mT)).reshape(Batch, -1).sum(1L);
        }

        Tensor Materialised() => _materialised ??=
            matmul(nn.functional.one_hot(indices, vocabulary).to_type(d.dtype).mT, d); // [B, V, d]

        public IReadOnlyList<(string Name, Tensor Gradient)> Gradients() => new[] { ("weight", Materialised()) };

        public IReadOnlyList<(string Name, Tensor Sum)> ClippedSum(Tensor factors)
        {
            if (!ghost) return new[] { ("weight", factors.reshape(1, Batch).matmul(Materialised().reshape(Batch, -1)).reshape(vocabulary, -1)) };
            var scaled = (d * factors.reshape(Batch, 1, 1)).reshape(-1, d.shape[2]);
            return new[] { ("weight", zeros(vocabulary, d.shape[2], dtype: d.dtype, device: d.device).index_add_(0, indices.reshape(-1), scaled, 1.0)) };
        }
    }
}
