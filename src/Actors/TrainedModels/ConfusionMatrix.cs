namespace Veil.Actors.TrainedModels;

/// <summary>
/// Counts[actual, predicted] over a labelled set, with accuracy and each class's precision and recall (null for a class
/// never predicted, or never present).
/// </summary>
public sealed class ConfusionMatrix
{
    private ConfusionMatrix(long[,] counts) => Counts = counts;

    public long[,] Counts { get; }

    public int Classes => Counts.GetLength(0);

    public static ConfusionMatrix Of(IReadOnlyList<long> actual, IReadOnlyList<int> predicted, int classes)
    {
        if (actual.Count != predicted.Count) throw new ArgumentException($"{actual.Count} labels but {predicted.Count} predictions");
        var counts = new long[classes, classes];
        for (var i = 0; i < actual.Count; i++) counts[actual[i], predicted[i]]++;
        return new ConfusionMatrix(counts);
    }

    public long Total => Enumerable.Range(0, Classes).Sum(Row);

    public long Correct => Enumerable.Range(0, Classes).Sum(k => Counts[k, k]);

    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

    /// <summary>Of the examples predicted as <paramref name="k"/>, the share that are <paramref name="k"/>.</summary>
    public double? Precision(int k) => Column(k) == 0 ? null : (double)Counts[k, k] / Column(k);

    /// <summary>Of the examples of class <paramref name="k"/>, the share predicted as <paramref name="k"/>.</summary>
    public double? Recall(int k) => Row(k) == 0 ? null : (double)Counts[k, k] / Row(k);

    public long Row(int k) => Enumerable.Range(0, Classes).Sum(j => Counts[k, j]);

    public long Column(int k) => Enumerable.Range(0, Classes).Sum(j => Counts[j, k]);
}
