using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Veil.Actors.Cluster.Hosting;
using Veil.Actors.Configuration;
using Veil.Actors.Telemetry;
using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.Ledger.Accountants;
using Veil.Ledger.Store;
using Xunit;

namespace Veil.Actors.Tests.Telemetry;

[Collection(TrainingCollection.Name)]
public class TelemetryTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void After_a_tiny_run_a_meter_listener_has_seen_every_documented_instrument()
    {
        var seen = new HashSet<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name != VeilTelemetry.Name) return;
            lock (seen) seen.Add(instrument.Name);
            l.EnableMeasurementEvents(instrument);
        };
        var measured = new HashSet<string>();
        listener.SetMeasurementEventCallback<long>((i, _, _, _) => { lock (measured) measured.Add(i.Name); });
        listener.SetMeasurementEventCallback<double>((i, _, _, _) => { lock (measured) measured.Add(i.Name); });
        listener.SetMeasurementEventCallback<int>((i, _, _, _) => { lock (measured) measured.Add(i.Name); });
        listener.Start();

        Assert.Equal(0, CliRun.Of(["train", .. _data.Settings()]).ExitCode);
        listener.RecordObservableInstruments();

        Assert.Empty(VeilTelemetry.InstrumentNames.Except(seen));
        Assert.Empty(VeilTelemetry.InstrumentNames.Except(measured));
    }

    [Fact]
    public void A_step_is_one_trace_whose_spans_follow_the_pipeline_in_order()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == VeilTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (spans) spans.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);

        Assert.Equal(0, CliRun.Of(["train", .. _data.Settings()]).ExitCode);

        List<Activity> all;
        lock (spans) all = spans.ToList();
        var step = all.Single(a => a.OperationName == "veil.step" && Equals(a.GetTagItem("veil.step"), 3L));
        var trace = all.Where(a => a.TraceId == step.TraceId && a != step).ToList();
        Assert.All(trace, a => Assert.Equal(3L, a.GetTagItem("veil.step")));
        string[] order = ["veil.sample", "veil.load", "veil.gradient", "veil.accumulate", "veil.ledger.append", "veil.noise", "veil.update"];
        var firstStart = order.Select(name => trace.Where(a => a.OperationName == name).Min(a => a.StartTimeUtc)).ToList();
        for (var i = 1; i < order.Length; i++)
            Assert.True(firstStart[i - 1] <= firstStart[i], $"{order[i - 1]} started after {order[i]}");
        Assert.Single(trace, a => a.OperationName == "veil.noise"); // one noise draw per step, in the trace too
    }

    [Fact]
    public void The_prometheus_endpoint_serves_veil_epsilon_with_the_ledgers_value()
    {
        Assert.Equal(0, CliRun.Of(["train", .. _data.Settings()]).ExitCode);
        using var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false);
        var epsilon = new RdpAccountant().Epsilon(store.ReadAll().Select(r => r.Event), 1e-5).Epsilon;

        var port = LoopbackPort.Free();
        using (new TelemetryExporters(new TelemetrySettings(false, false, "http://127.0.0.1:4317", true, "127.0.0.1", port), "test"))
        {
            using var http = new HttpClient();
            var scrape = http.GetStringAsync($"http://127.0.0.1:{port}/metrics").GetAwaiter().GetResult();
            var line = scrape.Split('\n').First(l => l.StartsWith("veil_epsilon", StringComparison.Ordinal) && !l.StartsWith("veil_epsilon_", StringComparison.Ordinal) || l.StartsWith("veil_epsilon{", StringComparison.Ordinal) || l.StartsWith("veil_epsilon_ratio", StringComparison.Ordinal));
            var value = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture);
            Assert.Equal(epsilon, value, 9);
        }
    }
}
