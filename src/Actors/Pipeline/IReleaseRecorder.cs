namespace Veil.Actors.Pipeline;

/// <summary>Outcome of asking the ledger to record one step's release.</summary>
public abstract record ReleaseDecision
{
    /// <summary>Durably written: the release may proceed. EpsilonSpent is the dataset's total, this release included.</summary>
    public sealed record Recorded(long Sequence, double EpsilonSpent) : ReleaseDecision;

    /// <summary>Refused (budget): nothing was written and nothing may be released.</summary>
    public sealed record Refused(string Reason) : ReleaseDecision;
}

/// <summary>Durably records a step's DP event before its noisy gradient may leave the noise actor.</summary>
public interface IReleaseRecorder
{
    /// <summary>Returns only after the event is durable (or refused). Throws if the ledger cannot be written.</summary>
    ReleaseDecision Record(long step);
}
