using TorchSharp.Modules;
using Veil.Compute.Parameters;
using Veil.Compute.Randomness;

namespace Veil.Compute.Models;

/// <summary>
/// PyTorch's default initialisation for Linear and Conv2d (weights and biases uniform in ±1/√fan_in, which is what
/// kaiming_uniform(a=√5) gives), drawn from our own keyed stream instead of libtorch's global generator:
/// the global generator is process-wide state shared by every worker thread, so seeding it is racy.
/// </summary>
public static class SeededInitialisation
{
    public static float[] Draw(VeilModel model, long seed)
    {
        var layout = ParameterLayout.Of(model);
        var values = new float[layout.TotalCount];
        var fanIn = FanInByParameter(model);
        using var stream = new KeyedRandomStream("veil/model-init/" + model.CatalogName, BitConverter.GetBytes(seed), 0);
        foreach (var entry in layout.Entries)
        {
            if (!fanIn.TryGetValue(entry.Name, out long fan))
                throw new NotSupportedException($"No initialisation rule for parameter '{entry.Name}'.");
            double bound = 1.0 / Math.Sqrt(fan);
            for (long i = 0; i < entry.Count; i++)
                values[entry.Offset + i] = (float)((2 * stream.NextOpenUnit() - 1) * bound);
        }
        return values;
    }

    static Dictionary<string, long> FanInByParameter(VeilModel model)
    {
        var result = new Dictionary<string, long>();
        foreach (var (path, module) in model.named_modules())
        {
            long fan = module switch
            {
                Linear l => l.in_features,
                Conv2d c => c.in_channels / c.groups * c.kernel_size.Aggregate(1L, (a, b) => a * b),
                _ => 0,
            };
            if (fan == 0) continue;
            string prefix = path.Length == 0 ? "" : path + ".";
            result[prefix + "weight"] = fan;
            result[prefix + "bias"] = fan;
        }
        return result;
    }
}
