using Veil.Actors.Pipeline;

namespace Veil.Actors.Chaos;

/// <summary>Delays ledger appends, and can kill the process after a release is durable but before its update.</summary>
public sealed class ChaosReleaseRecorder(IReleaseRecorder inner, int delayMs, long exitAfterAppendAtStep) : IReleaseRecorder
{
    public ReleaseDecision Record(long step)
    {
        if (delayMs > 0) Thread.Sleep(delayMs);
        var decision = inner.Record(step);
        if (step == exitAfterAppendAtStep && decision is ReleaseDecision.Recorded)
            SuddenDeath.Now($"after the ledger append of step {step}, before its update");
        return decision;
    }
}
