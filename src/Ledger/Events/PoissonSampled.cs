namespace Veil.Ledger.Events;

/// <summary>The inner mechanism run on a Poisson subsample: each record independently with probability q.</summary>
public sealed record PoissonSampled(double SamplingRate, DpEvent Inner) : DpEvent
{
    public double SamplingRate { get; } = SamplingRate > 0 && SamplingRate <= 1
        ? SamplingRate
        : throw new ArgumentOutOfRangeException(nameof(SamplingRate), SamplingRate, "sampling rate must be in (0, 1]");

    public DpEvent Inner { get; } = Inner ?? throw new ArgumentNullException(nameof(Inner));
}
