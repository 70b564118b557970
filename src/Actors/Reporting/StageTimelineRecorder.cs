using System.Diagnostics;
using Veil.Actors.Telemetry;

namespace Veil.Actors.Reporting;

/// <summary>Listens to Veil's spans during a run and keeps, per stage, when it was busy: the overlap picture.</summary>
public sealed class StageTimelineRecorder : IDisposable
{
    private static readonly Dictionary<string, string> StageOfSpan = new()
    {
        ["veil.load"] = "loader", ["veil.gradient"] = "worker", ["veil.accumulate"] = "accumulator",
        ["veil.ledger.append"] = "ledger", ["veil.noise"] = "noise", ["veil.update"] = "optimizer",
    };

    private const int MaxIntervals = 200_000;
    private readonly ActivityListener _listener;
    private readonly List<StageInterval> _intervals = new();
    private readonly DateTime _origin = DateTime.UtcNow;

    public StageTimelineRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == VeilTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a =>
            {
                if (!StageOfSpan.TryGetValue(a.OperationName, out var stage)) return;
                var start = (a.StartTimeUtc - _origin).TotalSeconds;
                lock (_intervals)
                    if (_intervals.Count < MaxIntervals) _intervals.Add(new StageInterval(stage, start, start + a.Duration.TotalSeconds));
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<StageInterval> Intervals
    {
        get
        {
            lock (_intervals) return _intervals.OrderBy(i => i.Start).ToList();
        }
    }

    public void Dispose() => _listener.Dispose();
}
