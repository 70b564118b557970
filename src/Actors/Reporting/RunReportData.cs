namespace Veil.Actors.Reporting;

/// <summary>What runs/&lt;id&gt;/report.json holds: per-step series and stage busy intervals (seconds since the run began).</summary>
public sealed record RunReportData(
    string RunId, string Model, double Epsilon, double Delta, double TestAccuracy, long Steps, double NoiseMultiplier, double SamplingRate,
    double ClipNorm, double WallSeconds, double ExamplesPerSecond,
    IReadOnlyList<StepPoint> StepSeries, IReadOnlyList<StageInterval> Stages, string PrivacyUnit = "example-level");

/// <summary>One step. Loss and clip fraction are non-private diagnostics.</summary>
public sealed record StepPoint(
    long Step, double Epsilon, double Loss, double ClipFraction, int Examples, double Seconds, double RssMegabytes, double? TestAccuracy = null);

/// <summary>A stage (loader, worker, accumulator, ledger, noise, optimizer) busy from Start to End.</summary>
public sealed record StageInterval(string Stage, double Start, double End);
