using Veil.Compute.Models;
using static TorchSharp.torch;

namespace Veil.Compute.Evaluation;

/// <summary>
/// The class and class probabilities of each example under a parameter vector, batch by batch under no_grad, the
/// forward pass <see cref="Evaluator"/> runs. The class is the logits' arg-max, as evaluation counts it (the softmax
/// can round two close logits to one probability). Loads the vector into <paramref name="model"/>, the caller's replica.
/// </summary>
public static class Predictor
{
    public static Predictions Run(VeilModel model, float[] parameters, float[] inputs, int count, int batchSize = 1000)
    {
        var classes = model.Classes;
        var probabilities = new float[(long)count * classes];
        var predicted = new int[count];
        BatchedForward.Run(model, parameters, inputs, new long[count], count, batchSize, (logits, _, from, n) =>
        {
            nn.functional.softmax(logits, 1).to_type(ScalarType.Float32).cpu().contiguous().data<float>().CopyTo(probabilities, from * classes);
            var best = logits.argmax(1).cpu().data<long>().ToArray();
            for (var i = 0; i < n; i++) predicted[from + i] = (int)best[i];
        });
        return new Predictions(count, classes, predicted, probabilities);
    }
}
