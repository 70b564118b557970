using TorchSharp.Modules;
using Veil.Compute.Parameters;
using Veil.Ledger.Randomness;

namespace Veil.Compute.Models;

/// <summary>
/// PyTorch's default initialisation for Linear and Conv2d (weights and biases uniform in ±1/√fan_in, which is what
/// kaiming_uniform(a=√5) gives), drawn from our own keyed stream instead of libtorch's global generator:
/// the global generator is process-wide state shared by every worker thread, so seeding it is racy.
/// Normalisation layers (GroupNorm, LayerNorm) start at γ = 1, β = 0, set explicitly.
/// </summary>
public static class SeededInitialisation
{
    public static float[] Draw(VeilModel model, long seed)
    {
        var layout = ParameterLayout.Of(model);
        var values = new float[layout.TotalCount];
        var rules = RuleByParameter(model);
        using var stream = new KeyedRandomStream("veil/model-init/" + model.CatalogName, BitConverter.GetBytes(seed), 0);
        foreach (var entry in layout.Entries)
        {
            if (!rules.TryGetValue(entry.Name, out var rule))
                throw new NotSupportedException($"No initialisation rule for parameter '{entry.Name}'.");
            if (rule.Constant is { } constant)
            {
                Array.Fill(values, constant, (int)entry.Offset, (int)entry.Count);
                continue;
            }
            double bound = 1.0 / Math.Sqrt(rule.FanIn);
            for (long i = 0; i < entry.Count; i++)
                values[entry.Offset + i] = (float)((2 * stream.NextOpenUnit() - 1) * bound);
        }
        return values;
    }

    readonly record struct Rule(long FanIn, float? Constant);

    static Dictionary<string, Rule> RuleByParameter(VeilModel model)
    {
        var result = new Dictionary<string, Rule>();
        foreach (var (path, module) in model.named_modules())
        {
            string prefix = path.Length == 0 ? "" : path + ".";
            switch (module)
            {
                case GroupNorm or LayerNorm:
                    result[prefix + "weight"] = new Rule(0, 1f);
                    result[prefix + "bias"] = new Rule(0, 0f);
                    continue;
            }
            long fan = module switch
            {
                Linear l => l.in_features,
                Convolution c => c.in_channels / c.groups * c.kernel_size.Aggregate(1L, (a, b) => a * b),
                _ => 0,
            };
            if (fan == 0) continue;
            result[prefix + "weight"] = new Rule(fan, null);
            result[prefix + "bias"] = new Rule(fan, null);
        }
        return result;
    }
}
