using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants.Calibration;

/// <summary>How often and how densely the data is touched: Poisson rate q for each of T steps.</summary>
public sealed record SamplingSchedule(double SamplingRate, long Steps)
{
    public double SamplingRate { get; } = SamplingRate > 0 && SamplingRate <= 1
        ? SamplingRate
        : throw new ArgumentOutOfRangeException(nameof(SamplingRate), SamplingRate, "sampling rate must be in (0, 1]");

    public long Steps { get; } = Steps >= 0 ? Steps : throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "steps must be >= 0");

    /// <summary>
    /// q = L/N and T = ⌈epochs·N/L⌉. Rounding the step count up, never down, keeps the accounting
    /// conservative when the epochs do not divide into whole steps.
    /// </summary>
    public static SamplingSchedule FromEpochs(long datasetSize, long expectedBatchSize, double epochs)
    {
        if (datasetSize <= 0) throw new ArgumentOutOfRangeException(nameof(datasetSize), datasetSize, "dataset size must be > 0");
        if (expectedBatchSize <= 0 || expectedBatchSize > datasetSize)
            throw new ArgumentOutOfRangeException(nameof(expectedBatchSize), expectedBatchSize, $"batch size must be in [1, dataset size = {datasetSize}]");
        if (!(epochs >= 0) || double.IsInfinity(epochs)) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be finite and >= 0");
        var steps = (long)Math.Ceiling(epochs * datasetSize / expectedBatchSize - 1e-9);
        return new SamplingSchedule((double)expectedBatchSize / datasetSize, steps);
    }

    /// <summary>The DP event of the whole schedule with noise multiplier σ.</summary>
    public DpEvent Event(double noiseMultiplier) =>
        new SelfComposed(new PoissonSampled(SamplingRate, new GaussianEvent(noiseMultiplier)), Steps);
}
