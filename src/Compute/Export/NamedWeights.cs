using Veil.Compute.Models;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Export;

/// <summary>
/// Every parameter of a model under its module path (<c>named_parameters()</c>, frozen ones included), as owned
/// host arrays. The catalog models hold no buffers (GroupNorm keeps no running statistics), so this is their whole
/// state_dict.
/// </summary>
public sealed record NamedWeights(string Name, long[] Shape, float[] Values)
{
    public static IReadOnlyList<NamedWeights> Of(VeilModel model)
    {
        TorchRuntime.EnsureLoaded();
        var result = new List<NamedWeights>();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
            result.Add(new NamedWeights(name, parameter.shape.ToArray(), parameter.detach().cpu().contiguous().reshape(-1).data<float>().ToArray()));
        return result;
    }

    /// <summary>
    /// Copies every weight into the parameter of the same name. A model's whole state travels this way (a fine-tuned
    /// run's frozen parts included), so a name or shape that does not match is an error, never a skip.
    /// </summary>
    public static void LoadInto(VeilModel model, IReadOnlyList<NamedWeights> weights, string source)
    {
        TorchRuntime.EnsureLoaded();
        var byName = weights.ToDictionary(w => w.Name, StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var parameters = model.named_parameters().ToList();
        foreach (var (name, parameter) in parameters)
        {
            if (!byName.TryGetValue(name, out var w) || !w.Shape.SequenceEqual(parameter.shape))
                throw new ArgumentException(
                    $"{source} has no parameter {name} of shape [{string.Join(",", parameter.shape)}] " +
                    $"for model {model.CatalogName}; it was written for another model");
            parameter.copy_(tensor(w.Values, w.Shape));
        }
        if (weights.Count != parameters.Count)
            throw new ArgumentException(
                $"{source} holds {weights.Count} parameters, model {model.CatalogName} has {parameters.Count}; " +
                $"it was written for another model");
    }
}
