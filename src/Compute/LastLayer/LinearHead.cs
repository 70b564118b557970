using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>
/// The private last layer: W (Dimension × Classes, row-major) mapping a clipped feature row (bias column
/// included) to one score per class; the prediction is the arg-max.
/// </summary>
public sealed record LinearHead(double[] Weights, int Dimension, int Classes)
{
    /// <summary>The initial head of every iterative mechanism: all zeros (Mehta et al.: zero init of the last layer).</summary>
    public static LinearHead Zero(int dimension, int classes) => new(new double[(long)dimension * classes], dimension, classes);

    public static LinearHead From(Tensor w) =>
        new(w.contiguous().data<double>().ToArray(), (int)w.shape[0], (int)w.shape[1]);

    public Tensor ToTensor()
    {
        Runtime.TorchRuntime.EnsureLoaded();
        return tensor(Weights, [Dimension, Classes], ScalarType.Float64);
    }

    /// <summary>
    /// Share of rows whose arg-max score is their label. With <paramref name="averageViews"/> the scores are the mean over the example's
    /// views, e.g. the image and its mirror image (test-time averaging: post-processing of the head, applied to test inputs).
    /// </summary>
    public double Accuracy(ClippedFeatures features, bool averageViews = false)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Columns != Dimension)
            throw new ArgumentException(
                $"features have {features.Columns} columns (bias included), the head expects {Dimension}: use the same feature map for train and test",
                nameof(features));
        using var scope = NewDisposeScope();
        var w = ToTensor();
        var scores = averageViews ? features.ViewDesigns().Select(x => x.mm(w)).Aggregate((a, b) => a + b) / (features.OtherViews.Count + 1)
            : features.Design().mm(w);
        var predicted = scores.argmax(1).data<long>().ToArray();
        int correct = 0;
        for (int i = 0; i < predicted.Length; i++) if (predicted[i] == features.Labels[i]) correct++;
        return (double)correct / features.Rows;
    }
}
