using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// A layer whose per-example gradients are small (normalisation scales and shifts: B × channels), so
/// they are always formed: norms are their squared sums, the clipped sum a weighted sum over examples.
/// Rows of an augmented batch (K per example) are summed into their example first.
/// </summary>
public sealed class MaterialisedLayer : IPerExampleLayer
{
    readonly IReadOnlyList<(string Name, Tensor Gradient)> _gradients;
    readonly long _batch;

    /// <param name="perRow">(parameter name, gradient per row [B·K, ...parameter shape]).</param>
    public MaterialisedLayer(IReadOnlyList<(string Name, Tensor Gradient)> perRow, int multiplicity)
    {
        _batch = perRow[0].Gradient.shape[0] / multiplicity;
        _gradients = multiplicity == 1 ? perRow : perRow
            .Select(p => (p.Name, p.Gradient.reshape(new[] { _batch, (long)multiplicity }.Concat(p.Gradient.shape.Skip(1)).ToArray()).sum(1L)))
            .ToList();
    }

    public string Method => "materialise";

    public Tensor SquaredNorms()
    {
        Tensor? total = null;
        foreach (var (_, g) in _gradients)
        {
            var s = g.reshape(_batch, -1).square().sum(1L);
            total = total is null ? s : total + s;
        }
        return total!;
    }

    public IReadOnlyList<(string Name, Tensor Gradient)> Gradients() => _gradients;

    public IReadOnlyList<(string Name, Tensor Sum)> ClippedSum(Tensor factors) => _gradients
        .Select(p => (p.Name, factors.reshape(1, _batch).matmul(p.Gradient.reshape(_batch, -1)).reshape(p.Gradient.shape.Skip(1).ToArray())))
        .ToList();
}
