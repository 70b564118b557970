namespace Veil.Actors.Chaos;

/// <summary>A fault injected on purpose by veil.chaos.</summary>
public sealed class ChaosInjectedException(string what) : Exception($"chaos: injected {what}");
