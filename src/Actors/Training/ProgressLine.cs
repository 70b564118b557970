using System.Globalization;
using Veil.Actors.Pipeline;
using Veil.Ledger.Plan;

namespace Veil.Actors.Training;

/// <summary>How a run shows its progress: a line per step (pipes, CI), nothing (--quiet), or a live display (a terminal).</summary>
public enum ProgressMode
{
    Lines,
    Quiet,
    Live,
}

/// <summary>
/// Per step: step, ε so far, loss, clip fraction (non-private diagnostics), batch, examples/s, RSS, ETA —
/// as a line, or handed to a live display. Also keeps the series for the run report.
/// </summary>
public sealed class ProgressLine(TextWriter output, ProgressMode mode = ProgressMode.Lines, Action<StepReport, string>? live = null)
{
    private double? _lastAccuracy;

    /// <summary>
    /// Show and keep the non-private diagnostics (loss, clipped fraction, realised batch size)? They are computed from
    /// the private data without noise; veil.telemetry.non-private-diagnostics = off keeps them out of the line and the report.
    /// </summary>
    public bool NonPrivateDiagnostics { get; set; } = true;

    /// <summary>The dataset's budget, shown beside ε spent.</summary>
    public double BudgetEpsilon { get; set; } = double.NaN;

    /// <summary>Evaluates the step's parameters on the test split when due; null when not due.</summary>
    public Func<StepReport, double?>? Evaluate { get; set; }

    private long _examples;
    private readonly List<Reporting.StepPoint> _series = new();

    /// <summary>Every step so far, for the run report.</summary>
    public IReadOnlyList<Reporting.StepPoint> Series => _series;

    public long Examples => _examples;

    /// <summary>Resident set size after the 10th step (warm-up done) and after the last: native memory growth shows here.</summary>
    public double RssMegabytesAfterWarmUp { get; private set; }

    public double RssMegabytesAtEnd { get; private set; }

    /// <summary>What the ε on the line protects.</summary>
    public PrivacyUnit Unit { get; set; } = PrivacyUnit.Example;

    public void Report(StepReport r)
    {
        _examples += r.Examples;
        var rss = Environment.WorkingSet / (1024.0 * 1024.0);
        if (r.Step == 9 || RssMegabytesAfterWarmUp == 0) RssMegabytesAfterWarmUp = rss;
        RssMegabytesAtEnd = rss;
        var accuracy = Evaluate?.Invoke(r);
        if (accuracy is not null) _lastAccuracy = accuracy;
        _series.Add(NonPrivateDiagnostics
            ? new Reporting.StepPoint(r.Step, r.EpsilonSpent, r.MeanLoss, r.ClipFraction, r.Examples, r.Elapsed.TotalSeconds, rss, accuracy)
            : new Reporting.StepPoint(r.Step, r.EpsilonSpent, double.NaN, double.NaN, 0, r.Elapsed.TotalSeconds, rss, accuracy));
        var rate = r.Elapsed.TotalSeconds > 0 ? _examples / r.Elapsed.TotalSeconds : 0;
        var done = _series.Count;
        var eta = TimeSpan.FromSeconds(done > 0 ? r.Elapsed.TotalSeconds / done * (r.TotalSteps - r.Step - 1) : 0);
        var diagnostics = NonPrivateDiagnostics ? string.Create(CultureInfo.InvariantCulture, $"  loss {r.MeanLoss:F4}  clipped {r.ClipFraction:P0}") : "";
        var batch = NonPrivateDiagnostics ? string.Create(CultureInfo.InvariantCulture, $"  batch {r.Examples}") : "";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"step {r.Step + 1}/{r.TotalSteps}  ε({(Unit == PrivacyUnit.User ? "user" : "example")}) {r.EpsilonSpent:F3}" +
            $"{(double.IsNaN(BudgetEpsilon) ? "" : $"/{BudgetEpsilon:G3}")}{diagnostics}" +
            $"{(_lastAccuracy is { } a ? $"  acc {a:P1}" : "")}{batch}  {rate:F0} examples/s  " +
            $"rss {rss:F0} MB (heap {GC.GetTotalMemory(false) / 1048576.0:F0})  " +
            $"{r.Elapsed:hh\\:mm\\:ss}  eta {eta:hh\\:mm\\:ss}");
        switch (mode)
        {
            case ProgressMode.Lines:
                output.WriteLine(line);
                break;
            case ProgressMode.Live:
                live?.Invoke(r, line);
                break;
        }
    }
}
