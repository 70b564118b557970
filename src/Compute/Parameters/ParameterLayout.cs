using TorchSharp;

namespace Veil.Compute.Parameters;

/// <summary>
/// Where each trainable parameter lives in the flat vector: the order of <c>named_parameters()</c>, i.e. the
/// registration order (the model's layer fields in declaration order; weight before bias within a layer).
/// Two replicas of the same model have equal layouts; <see cref="Fingerprint"/> lets a receiver check that.
/// </summary>
public sealed record ParameterLayout(IReadOnlyList<ParameterLayout.Entry> Entries, long TotalCount)
{
    public sealed record Entry(string Name, long[] Shape, long Offset, long Count);

    public static ParameterLayout Of(torch.nn.Module model)
    {
        var entries = new List<Entry>();
        long offset = 0;
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            long count = parameter.numel();
            entries.Add(new Entry(name, parameter.shape.ToArray(), offset, count));
            offset += count;
        }
        return new ParameterLayout(entries, offset);
    }

    /// <summary>"conv1.weight[16,1,8,8];conv1.bias[16];..." — equal strings mean interchangeable vectors.</summary>
    public string Fingerprint => string.Join(";", Entries.Select(e => $"{e.Name}[{string.Join(",", e.Shape)}]"));
}
