namespace Veil.Actors.Pipeline;

/// <summary>
/// The model's parameters after a given number of updates. Created by the optimizer, never mutated
/// afterwards, so it can be shared by reference with every worker in the process.
/// </summary>
public sealed record ParameterSnapshot(long Version, float[] Values);
