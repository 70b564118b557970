using TorchSharp;
using Veil.Compute.Models;
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
        int correct = 0;
        double lossSum = 0;
        BatchedForward.Run(model, parameters, inputs, labels, count, batchSize, (logits, y, _, _) =>
        {
            lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to_type(ScalarType.Float64).item<double>();
            correct += (int)logits.argmax(1).eq(y).sum().item<long>();
        });
        return new EvaluationResult(count, correct, count == 0 ? 0 : lossSum / count);
    }
}
