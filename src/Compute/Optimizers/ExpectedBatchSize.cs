namespace Veil.Compute.Optimizers;

/// <summary>
/// L = q·N, the batch size Poisson sampling gives ON AVERAGE. DP-SGD divides the noisy sum by L, never by the
/// realised |B_t|: the realised size depends on which examples were sampled, so dividing by it would make
/// the update's scale itself leak membership (and the accountant's analysis assumes the fixed L).
/// A distinct type so a realised count (an int) cannot be passed where L is meant.
/// </summary>
public readonly record struct ExpectedBatchSize
{
    public ExpectedBatchSize(double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, "The expected batch size must be positive and finite.");
        Value = value;
    }

    public double Value { get; }

    /// <summary>L = q·N for sampling rate q over a dataset of N examples.</summary>
    public static ExpectedBatchSize Of(double samplingRate, long datasetSize)
    {
        if (!(samplingRate > 0 && samplingRate <= 1)) throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "q must be in (0, 1].");
        if (datasetSize <= 0) throw new ArgumentOutOfRangeException(nameof(datasetSize), datasetSize, "N must be positive.");
        return new ExpectedBatchSize(samplingRate * datasetSize);
    }
}
