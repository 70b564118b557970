namespace Veil.Compute.Benchmarks;

/// <summary>
/// Median wall-clock milliseconds per micro-batch for each way of computing its gradient, measured
/// interleaved in one process, and the peak resident memory of each (max over repetitions); with
/// profiling, mean milliseconds per phase of each step (see <see cref="StepBenchmark"/>).
/// </summary>
public sealed record StepBenchmarkResult(
    string Model, int Examples, int Threads, int Iterations,
    double NonPrivateStepMs, double ClippedSumMs, double NaiveLoopMs,
    double NonPrivateMinMs, double NonPrivateMaxMs, double ClippedMinMs, double ClippedMaxMs,
    double PeakRssNonPrivateMb, double PeakRssClippedMb, string Method, string Layers,
    IReadOnlyList<(string Phase, double Ms)>? Phases = null)
{
    /// <summary>DP cost relative to a non-private forward+backward (target ≤ 1.25).</summary>
    public double ClippedOverNonPrivate => ClippedSumMs / NonPrivateStepMs;

    public double NaiveOverNonPrivate => NaiveLoopMs / NonPrivateStepMs;
}
