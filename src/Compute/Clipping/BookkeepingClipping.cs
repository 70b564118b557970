using TorchSharp;
using Veil.Compute.Parameters;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Clipping;

/// <summary>
/// The fast clipped sum (<see cref="ClippingMethod.Fast"/>): one forward pass, one backward pass to the
/// layer outputs, then per layer (1) squared norms, ghost or materialised as the layer's cost model says,
/// summed into flat norms ‖g_i‖, (2) factors c_i = min(1, C/‖g_i‖), (3) Σ_i c_i g_i per parameter by
/// book-keeping. Works on any single-tensor module the validator accepts; tensors in, tensors out.
/// </summary>
public static class BookkeepingClipping
{
    /// <summary>(Σ_i c_i g_i flat in ParameterLayout order [P], ‖g_i‖ [B], per-example losses [B]). Call inside a dispose scope.</summary>
    public static (Tensor Sum, Tensor Norms, Tensor Losses) Compute(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels, double clipNorm,
        int multiplicity = 1, UnsupportedModulePolicy unsupported = UnsupportedModulePolicy.Refuse, NormStrategy strategy = NormStrategy.Auto,
        long? step = null, PhaseTimer? timer = null)
    {
        var (layers, losses) = PerExamplePlan.For(model, unsupported).Run(inputs, labels, multiplicity, strategy, timer);
        Tensor? squares = null;
        foreach (var (path, layer) in layers)
        {
            Tensor s;
            using (timer?.Phase("norms " + path))
                s = layer.SquaredNorms();
            squares = squares is null ? s : squares.add_(s);
        }
        Tensor norms, factors;
        using (timer?.Phase("factors"))
        {
            norms = (squares ?? zeros_like(losses)).sqrt();
            if (!norms.isfinite().all().item<bool>()) throw new NonFiniteGradientException("per-example gradient", step);
            factors = FlatClipping.Factors(norms, clipNorm);
        }
        var byName = new Dictionary<string, Tensor>();
        foreach (var (path, layer) in layers)
            using (timer?.Phase("sum " + path))
                foreach (var (name, sum) in layer.ClippedSum(factors))
                    byName[PerExampleGradients.Qualify(path, name)] = sum;
        using var assemble = timer?.Phase("assemble");
        var flat = ParameterLayout.Of(model).Entries.Select(e => byName.TryGetValue(e.Name, out var g) ? g.reshape(-1)
            : throw new InvalidOperationException($"No clipped sum was produced for parameter '{e.Name}'.")).ToArray();
        return (cat(flat, 0), norms, losses);
    }

    /// <summary>Which norm method each trainable layer uses for this input (e.g. "conv1=materialise, fc1=ghost"). Call inside a dispose scope.</summary>
    public static IReadOnlyList<(string Path, string Method)> Methods(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels, int multiplicity = 1,
        UnsupportedModulePolicy unsupported = UnsupportedModulePolicy.Refuse)
    {
        var (layers, _) = PerExamplePlan.For(model, unsupported).Run(inputs, labels, multiplicity, NormStrategy.Auto);
        return layers.Select(l => (l.Path, l.Layer.Method)).ToList();
    }
}
