using TorchSharp;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Parameters;

/// <summary>
/// All trainable parameters as one owned float[] in <see cref="ParameterLayout"/> order: what the optimizer
/// updates and what is broadcast to gradient workers (each holds its own model replica and loads it).
/// </summary>
public static class ParameterVector
{
    public static float[] Flatten(nn.Module model)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var parts = model.parameters().Where(p => p.requires_grad).Select(p => p.detach().reshape(-1)).ToArray();
        if (parts.Length == 0) return Array.Empty<float>();
        return cat(parts, 0).cpu().data<float>().ToArray();
    }

    public static void Load(nn.Module model, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        TorchRuntime.EnsureLoaded();
        var layout = ParameterLayout.Of(model);
        if (values.LongLength != layout.TotalCount)
            throw new ArgumentException(
                $"Parameter vector has {values.LongLength} values; the model has {layout.TotalCount} ({layout.Fingerprint}).", nameof(values));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        for (int i = 0; i < parameters.Length; i++)
        {
            var entry = layout.Entries[i];
            var source = tensor(values.AsSpan((int)entry.Offset, (int)entry.Count).ToArray(), entry.Shape);
            parameters[i].copy_(source);
        }
    }
}
