namespace Veil.Actors.Configuration;

/// <summary>
/// `veil.runtime.*` and the evaluation batch: how the work is spread over devices, threads and memory. None of it
/// changes the mathematics of a release, so none of it can reach the privacy plan: it is a record of its own, and
/// the plan is built without it.
/// </summary>
public sealed record RuntimeSettings(
    IReadOnlyList<string> Devices, int WorkersPerDevice, int ThreadsPerWorker, int MicroBatchSize,
    int DecodeThreads, int PrefetchMicroBatches, int EvalBatchSize)
{
    /// <summary>Gradient workers in all: one replica each.</summary>
    public int Workers => Devices.Count * WorkersPerDevice;
}
