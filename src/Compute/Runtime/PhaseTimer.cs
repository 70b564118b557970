using System.Diagnostics;

namespace Veil.Compute.Runtime;

/// <summary>
/// Wall-clock milliseconds summed per named phase of a step, for `bench step --profile` only (libtorch on
/// the CPU runs synchronously, so a stopwatch around a call measures its work). Code paths take a nullable
/// timer: <c>using (timer?.Phase("forward")) { … }</c> costs nothing when profiling is off.
/// </summary>
public sealed class PhaseTimer
{
    readonly Dictionary<string, double> _ms = new();
    readonly List<string> _order = new();

    public Scope Phase(string name) => new(this, name);

    /// <summary>(phase, total ms) in the order phases were first seen.</summary>
    public IReadOnlyList<(string Phase, double Ms)> Totals => _order.Select(p => (p, _ms[p])).ToList();

    void Add(string name, double ms)
    {
        if (_ms.TryGetValue(name, out var total)) _ms[name] = total + ms;
        else { _ms[name] = ms; _order.Add(name); }
    }

    public readonly struct Scope(PhaseTimer timer, string name) : IDisposable
    {
        readonly long _start = Stopwatch.GetTimestamp();

        public void Dispose() => timer.Add(name, Stopwatch.GetElapsedTime(_start).TotalMilliseconds);
    }
}
