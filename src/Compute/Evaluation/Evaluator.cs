using TorchSharp;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Evaluation;

/// <summary>
/// Accuracy and mean cross-entropy of a parameter vector on a labelled set, in batches under no_grad.
/// Loads the vector into <paramref name="model"/> (the caller's own replica). Evaluation on held-out data
/// is post-processing of released parameters; evaluating on the private training set is not, and its
/// result must not be published.
/// </summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(VeilModel model, float[] parameters, float[] inputs, long[] labels, int count, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be at least 1.");
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Example count cannot be negative.");
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        if (inputs.LongLength < count * model.ExampleSize || labels.Length < count)
            throw new ArgumentException($"{count} examples need {count * model.ExampleSize} inputs and {count} labels; got {inputs.LongLength} and {labels.Length}.");
        TorchRuntime.EnsureLoaded();
        ParameterVector.Load(model, parameters);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            long size = model.ExampleSize;
            int correct = 0;
            double lossSum = 0;
            for (int from = 0; from < count; from += batchSize)
            {
                int n = Math.Min(batchSize, count - from);
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var x = HostArrays.Inputs(model, inputs.AsSpan((int)(from * size), (int)(n * size)).ToArray(), n);
                var y = HostArrays.Labels(model, labels.AsSpan(from, n).ToArray(), n);
                var logits = model.call(x);
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to_type(ScalarType.Float64).item<double>();
                correct += (int)logits.argmax(1).eq(y).sum().item<long>();
            }
            return new EvaluationResult(count, correct, count == 0 ? 0 : lossSum / count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
