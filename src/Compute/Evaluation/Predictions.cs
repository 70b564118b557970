namespace Veil.Compute.Evaluation;

/// <summary>
/// What a model says about each of Count examples: the arg-max class of the logits and the softmax probabilities
/// (Count × Classes, example-major).
/// </summary>
public sealed record Predictions(int Count, int Classes, int[] Predicted, float[] Probabilities)
{
    public ReadOnlySpan<float> Of(int example) => Probabilities.AsSpan(example * Classes, Classes);
}
