using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Veil.Actors.Telemetry;

/// <summary>
/// Veil's instruments and trace source. Names carry no units (units are metadata). Loss, clip fraction
/// and gradient norms are computed from the private data without noise: they are labelled
/// <c>veil.diagnostic = non-private</c>, meant for the operator's dashboards, never part of a release.
/// </summary>
public static class VeilTelemetry
{
    public const string Name = "Veil";

    public static readonly ActivitySource Traces = new(Name, "1.0");

    public static readonly Meter Meter = new(Name, "1.0");

    public static readonly KeyValuePair<string, object?> NonPrivate = new("veil.diagnostic", "non-private");

    /// <summary>The instruments tagged <see cref="NonPrivate"/>, which veil.telemetry.non-private-diagnostics = off drops from every exporter.</summary>
    public static readonly IReadOnlyList<string> NonPrivateInstruments = ["veil.loss", "veil.clip_fraction", "veil.gradient_norm", "veil.batch.realised"];

    // Per step.
    public static readonly Counter<long> Steps = Meter.CreateCounter<long>("veil.steps", "{step}", "DP-SGD steps applied");
    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>(
        "veil.step.duration", "s", "Wall time of one step, sampling to update");
    public static readonly Histogram<double> Loss = Meter.CreateHistogram<double>(
        "veil.loss", "{nat}", "Mean training loss of a step (non-private diagnostic)");
    public static readonly Histogram<double> ClipFraction = Meter.CreateHistogram<double>(
        "veil.clip_fraction", "1", "Share of examples whose gradient norm exceeded C (non-private diagnostic)");
    public static readonly Histogram<double> GradientNorm = Meter.CreateHistogram<double>(
        "veil.gradient_norm", "1", "Per-example gradient norms before clipping (non-private diagnostic)");
    public static readonly Histogram<long> RealisedBatch = Meter.CreateHistogram<long>(
        "veil.batch.realised", "{example}", "Realised Poisson batch size (non-private diagnostic)");
    public static readonly Histogram<long> Examples = Meter.CreateHistogram<long>("veil.examples", "{example}", "Examples per step");

    // Per pipeline stage (tag veil.stage = loader | worker | accumulator | noise | ledger | optimizer).
    public static readonly Counter<double> StageBusy = Meter.CreateCounter<double>("veil.stage.busy", "s", "Time a stage spent working");
    public static readonly Counter<long> StageItems = Meter.CreateCounter<long>("veil.stage.items", "{item}", "Items a stage processed");

    private static readonly object Gate = new();
    private static double _epsilon;
    private static double _delta;
    private static double _expectedBatch;
    private static int _queueDepth;
    private static readonly Dictionary<string, double> BusySeconds = new();
    private static readonly System.Diagnostics.Stopwatch SinceFirstWork = new();

    static VeilTelemetry()
    {
        Meter.CreateObservableGauge("veil.epsilon", () => Read(ref _epsilon), "1", "ε spent on the dataset so far, from the ledger");
        Meter.CreateObservableGauge("veil.delta", () => Read(ref _delta), "1", "δ of the reported ε");
        Meter.CreateObservableGauge("veil.batch.expected", () => Read(ref _expectedBatch), "{example}", "Expected batch size L = qN");
        Meter.CreateObservableGauge(
            "veil.stage.queue_depth", () => Volatile.Read(ref _queueDepth), "{micro-batch}", "Decoded micro-batches waiting for a worker");
        Meter.CreateObservableGauge("veil.stage.busy_fraction", BusyFractions, "1", "Share of wall time each stage spent working since the run began");
        Meter.CreateObservableGauge("veil.process.rss", () => Environment.WorkingSet, "By", "Resident set size of the process");
        Meter.CreateObservableGauge("veil.process.managed_heap", () => GC.GetTotalMemory(false), "By", "Managed heap in use");
        // libtorch's CPU allocator exposes no statistics through TorchSharp 0.107: the native share is estimated.
        Meter.CreateObservableGauge(
            "veil.process.native_memory", () => Math.Max(0, Environment.WorkingSet - GC.GetTotalMemory(false)), "By",
            "RSS minus the managed heap: an estimate of native (TorchSharp) memory");
    }

    /// <summary>Every instrument name Veil publishes (documented in README; checked by a test).</summary>
    public static readonly IReadOnlyList<string> InstrumentNames =
    [
        "veil.steps", "veil.step.duration", "veil.loss", "veil.clip_fraction", "veil.gradient_norm", "veil.batch.realised", "veil.examples",
        "veil.stage.busy", "veil.stage.items", "veil.stage.busy_fraction", "veil.epsilon", "veil.delta", "veil.batch.expected", "veil.stage.queue_depth",
        "veil.process.rss", "veil.process.managed_heap", "veil.process.native_memory",
    ];

    public static void PrivacySpent(double epsilon, double delta)
    {
        lock (Gate)
        {
            _epsilon = epsilon;
            _delta = delta;
        }
    }

    public static void ExpectedBatch(double expected)
    {
        lock (Gate) _expectedBatch = expected;
    }

    public static void QueueDepth(int depth) => Volatile.Write(ref _queueDepth, depth);

    public static void StageWorked(string stage, TimeSpan busy, long items = 1)
    {
        var tag = new KeyValuePair<string, object?>("veil.stage", stage);
        StageBusy.Add(busy.TotalSeconds, tag);
        StageItems.Add(items, tag);
        lock (Gate)
        {
            if (!SinceFirstWork.IsRunning) SinceFirstWork.Start();
            BusySeconds[stage] = BusySeconds.GetValueOrDefault(stage) + busy.TotalSeconds;
        }
    }

    /// <summary>Seconds <paramref name="stage"/> has worked in this process so far.</summary>
    public static double StageSeconds(string stage)
    {
        lock (Gate) return BusySeconds.GetValueOrDefault(stage);
    }

    private static IEnumerable<Measurement<double>> BusyFractions()
    {
        lock (Gate)
        {
            var wall = Math.Max(1e-9, SinceFirstWork.Elapsed.TotalSeconds);
            return BusySeconds.Select(kv => new Measurement<double>(Math.Min(1, kv.Value / wall), new KeyValuePair<string, object?>("veil.stage", kv.Key)))
                .ToList();
        }
    }

    private static double Read(ref double field)
    {
        lock (Gate) return field;
    }
}
