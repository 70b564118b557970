using Akka.Configuration;

namespace Veil.Actors.Configuration;

/// <summary>
/// `veil.telemetry.*`: which OpenTelemetry exporters a run starts, and whether the non-private diagnostics (loss,
/// clipped fraction, gradient norms, realised batch size: computed from private data without noise) are shown,
/// reported and exported at all.
/// </summary>
public sealed record TelemetrySettings(bool Console, bool Otlp, string OtlpEndpoint, bool Prometheus, string PrometheusHost, int PrometheusPort,
    bool NonPrivateDiagnostics = true)
{
    public static TelemetrySettings Create(Config c)
    {
        var endpoint = c.GetString("veil.telemetry.otlp.endpoint");
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            throw new ConfigurationException($"veil.telemetry.otlp.endpoint = \"{endpoint}\" is not an absolute URI; expected e.g. http://127.0.0.1:4317");
        return new TelemetrySettings(
            ConfigReading.Boolean(c, "veil.telemetry.console"),
            ConfigReading.Boolean(c, "veil.telemetry.otlp.enabled"), endpoint,
            ConfigReading.Boolean(c, "veil.telemetry.prometheus.enabled"),
            ConfigReading.NonEmpty(c, "veil.telemetry.prometheus.host"),
            (int)ConfigReading.Double(c, "veil.telemetry.prometheus.port", v => v is >= 1 and <= 65535 && v == Math.Floor(v), "integers [1, 65535]"),
            ConfigReading.Boolean(c, "veil.telemetry.non-private-diagnostics"));
    }
}
