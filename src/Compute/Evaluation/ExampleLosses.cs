using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Evaluation;

/// <summary>
/// The cross-entropy of each example under a parameter vector (no reduction), in batches under no_grad: the
/// black-box membership score of a privacy audit. Loads the vector into <paramref name="model"/> (the
/// caller's own replica). Losses on training examples are not a DP release; only the audit's verdict is shown.
/// </summary>
public static class ExampleLosses
{
    public static double[] Of(VeilModel model, float[] parameters, float[] inputs, long[] labels, int count, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be at least 1.");
        if (count < 0 || inputs.LongLength < (long)count * model.ExampleSize || labels.Length < count)
            throw new ArgumentException($"{count} examples need {(long)count * model.ExampleSize} inputs and {count} labels; got {inputs.LongLength} and {labels.Length}.");
        TorchRuntime.EnsureLoaded();
        ParameterVector.Load(model, parameters);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            var losses = new double[count];
            long size = model.ExampleSize;
            for (int from = 0; from < count; from += batchSize)
            {
                int n = Math.Min(batchSize, count - from);
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var x = HostArrays.Inputs(model, inputs.AsSpan((int)(from * size), (int)(n * size)).ToArray(), n);
                var y = HostArrays.Labels(model, labels.AsSpan(from, n).ToArray(), n);
                var loss = nn.functional.cross_entropy(model.call(x), y, reduction: nn.Reduction.None).to_type(ScalarType.Float64).cpu();
                Array.Copy(loss.data<double>().ToArray(), 0, losses, from, n);
            }
            return losses;
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
