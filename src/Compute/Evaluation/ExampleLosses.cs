using Veil.Compute.Models;
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
        var losses = new double[Math.Max(0, count)];
        BatchedForward.Run(model, parameters, inputs, labels, count, batchSize, (logits, y, from, n) =>
        {
            var loss = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.None).to_type(ScalarType.Float64).cpu();
            Array.Copy(loss.data<double>().ToArray(), 0, losses, from, n);
        });
        return losses;
    }
}
