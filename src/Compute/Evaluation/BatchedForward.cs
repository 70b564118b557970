using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Evaluation;

/// <summary>
/// The forward pass of a parameter vector over host arrays, batch by batch under no_grad in eval mode (the model's
/// mode is restored after): what evaluation and the audit's per-example losses both need. Loads the vector into
/// <paramref name="model"/>, the caller's own replica. Each batch's tensors live only for its callback.
/// </summary>
internal static class BatchedForward
{
    /// <param name="onBatch">(logits [n, classes], labels [n], first example's index, n) per batch.</param>
    public static void Run(
        VeilModel model, float[] parameters, float[] inputs, long[] labels, int count, int batchSize, Action<Tensor, Tensor, int, int> onBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be at least 1.");
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Example count cannot be negative.");
        if (inputs.LongLength < (long)count * model.ExampleSize || labels.Length < count)
            throw new ArgumentException(
                $"{count} examples need {(long)count * model.ExampleSize} inputs and {count} labels; got {inputs.LongLength} and {labels.Length}.");
        TorchRuntime.EnsureLoaded();
        ParameterVector.Load(model, parameters);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            long size = model.ExampleSize;
            for (int from = 0; from < count; from += batchSize)
            {
                int n = Math.Min(batchSize, count - from);
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var x = HostArrays.Inputs(model, inputs.AsSpan((int)(from * size), (int)(n * size)).ToArray(), n);
                var y = HostArrays.Labels(model, labels.AsSpan(from, n).ToArray(), n);
                onBatch(model.call(x), y, from, n);
            }
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
