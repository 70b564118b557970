using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Veil.Actors.Configuration;

namespace Veil.Actors.Telemetry;

/// <summary>Starts the configured OpenTelemetry exporters for the life of a run; disposing flushes and stops them.</summary>
public sealed class TelemetryExporters : IDisposable
{
    private readonly MeterProvider? _meters;
    private readonly TracerProvider? _traces;

    public TelemetryExporters(TelemetrySettings settings, string runId)
    {
        if (!settings.Console && !settings.Otlp && !settings.Prometheus) return;
        var resource = ResourceBuilder.CreateDefault().AddService("veil", serviceInstanceId: runId);
        var meters = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(VeilTelemetry.Name);
        // Computed from private data without noise: exported only where the operator allows it.
        if (!settings.NonPrivateDiagnostics)
            foreach (var name in VeilTelemetry.NonPrivateInstruments) meters.AddView(name, MetricStreamConfiguration.Drop);
        var traces = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(VeilTelemetry.Name);
        if (settings.Console)
        {
            meters.AddConsoleExporter();
            traces.AddConsoleExporter();
        }
        if (settings.Otlp)
        {
            meters.AddOtlpExporter(o => o.Endpoint = new Uri(settings.OtlpEndpoint));
            traces.AddOtlpExporter(o => o.Endpoint = new Uri(settings.OtlpEndpoint));
        }
        if (settings.Prometheus)
            meters.AddPrometheusHttpListener(o =>
            {
                o.Host = settings.PrometheusHost;
                o.Port = settings.PrometheusPort;
            });
        _meters = meters.Build();
        _traces = traces.Build();
    }

    public void Dispose()
    {
        _traces?.Dispose();
        _meters?.Dispose();
    }
}
