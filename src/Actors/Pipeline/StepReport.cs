namespace Veil.Actors.Pipeline;

/// <summary>What one completed step looked like. Loss and clip counts are non-private diagnostics.</summary>
public sealed record StepReport(long Step, long TotalSteps, int Examples, double MeanLoss, double ClipFraction, double EpsilonSpent, TimeSpan Elapsed,
    ParameterSnapshot? Parameters = null);
