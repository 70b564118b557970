namespace Veil.Actors.Pipeline;

/// <summary>
/// Which failures are retried and which stop the run. A gradient worker crash is the only routinely
/// recoverable one (its batch is redone); everything that touches the sum, the noise, the ledger or the
/// parameters stops the run, because continuing could release something the ledger does not hold.
/// </summary>
public static class FailurePolicy
{
    public static FailureDecision Decide(string childName, Exception error, int restartsSoFar, int maxRestarts)
    {
        if (error is RunMustStopException) return new FailureDecision.Abort(error.Message);
        if (childName.StartsWith(CoordinatorActor.WorkerNamePrefix, StringComparison.Ordinal))
            return restartsSoFar < maxRestarts
                ? new FailureDecision.Restart($"{childName} failed ({error.Message}); restarting it, its micro-batch is redone")
                : new FailureDecision.Abort($"{childName} failed {restartsSoFar + 1} times; last error: {error.Message}");
        return new FailureDecision.Abort($"{childName} failed: {error.Message}");
    }
}
