namespace Veil.Actors.Benchmarks;

/// <summary>One process's CPU time over a benchmark's timed window, per step.</summary>
/// <param name="Role">coordinator, node 1, node 2, ...</param>
/// <param name="SecondsPerStep">User + system CPU seconds of the whole process (exited threads included) per timed step.</param>
/// <param name="Threads">The same by thread name (digits dropped, so a pool's threads add up); "exited threads" is what the
/// process total holds beyond its live threads.</param>
public sealed record ProcessCpu(string Role, double SecondsPerStep, IReadOnlyList<(string Name, double SecondsPerStep)> Threads);
