namespace Veil.Actors.Training;

/// <summary>The run stopped (budget, ledger, non-finite loss, a failed node...). The ledger is intact and verifiable.</summary>
public sealed class TrainingFailedException(string message, Exception? inner = null) : Exception(message, inner);
