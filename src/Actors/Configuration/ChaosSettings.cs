using Akka.Configuration;

namespace Veil.Actors.Configuration;

/// <summary>`veil.chaos.*`: which faults to inject. Never part of a saved run: each (re)start says its own.</summary>
public sealed record ChaosSettings(bool Enabled, int CrashWorkerEvery, double DecodeFailureProbability, int LedgerAppendDelayMs,
    long ExitAtStep, long ExitAfterLedgerAppendAtStep, long CorruptCheckpointAtStep, long Seed)
{
    public static readonly ChaosSettings Off = new(false, 0, 0, 0, -1, -1, -1, 1);

    public static ChaosSettings Create(Config c)
    {
        long Integer(string key, long min) =>
            (long)ConfigReading.Double(c, key, v => v >= min && v == Math.Floor(v), $"integers [{min}, ∞)");
        var enabled = ConfigReading.Boolean(c, "veil.chaos.enabled");
        return new ChaosSettings(enabled,
            (int)Integer("veil.chaos.crash-worker-every", 0),
            ConfigReading.Double(c, "veil.chaos.decode-failure-probability", v => v is >= 0 and < 1, "[0, 1)"),
            (int)Integer("veil.chaos.ledger-append-delay-ms", 0),
            Integer("veil.chaos.exit-at-step", -1),
            Integer("veil.chaos.exit-after-ledger-append-at-step", -1),
            Integer("veil.chaos.corrupt-checkpoint-at-step", -1),
            Integer("veil.chaos.seed", long.MinValue + 1));
    }
}
