namespace Veil.Compute.Benchmarks;

/// <summary>Median wall-clock milliseconds per micro-batch for each way of computing its gradient.</summary>
public sealed record StepBenchmarkResult(
    string Model, int Examples, int Threads, int Iterations,
    double NonPrivateStepMs, double ClippedSumMs, double NaiveLoopMs)
{
    /// <summary>DP cost relative to a non-private forward+backward (target ≤ 1.25).</summary>
    public double ClippedOverNonPrivate => ClippedSumMs / NonPrivateStepMs;
}
