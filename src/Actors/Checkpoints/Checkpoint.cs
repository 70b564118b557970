using Veil.Ledger.Plan;

namespace Veil.Actors.Checkpoints;

/// <summary>
/// Everything needed to continue a run exactly where it stood after <see cref="StepsApplied"/> updates:
/// parameters, optimizer state (velocity and, with veil.optimizer.ema, the parameters' moving average), the position in the
/// schedule, the secret seeds (sampler and noise are keyed by step, so they need no other state), the frozen plan, and how far
/// the ledger had got.
/// The ledger, not the checkpoint, says how much privacy was spent: LedgerEventsOfRun is only a floor
/// used to detect a ledger that was replaced or truncated.
/// </summary>
public sealed record Checkpoint(
    string RunId,
    long StepsApplied,
    long ParameterVersion,
    string Model,
    DpPlan Plan,
    string SamplerSeedHex,
    string NoiseSeedHex,
    long LedgerSequence,
    long LedgerEventsOfRun,
    DateTimeOffset CreatedUtc,
    float[] Parameters,
    float[] Velocity,
    float[]? Average = null);
