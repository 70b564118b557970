namespace Veil.Actors.Pipeline;

/// <summary>What the coordinator does about a child's failure: decisions as data, logged and tested.</summary>
public abstract record FailureDecision
{
    /// <summary>Restart the child; its unfinished work is handed out again.</summary>
    public sealed record Restart(string Reason) : FailureDecision;

    /// <summary>Stop the run before any further release; the ledger stays intact and verifiable.</summary>
    public sealed record Abort(string Reason) : FailureDecision;
}
