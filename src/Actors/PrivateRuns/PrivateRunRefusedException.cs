namespace Veil.Actors.PrivateRuns;

/// <summary>A private run refused before anything was released: the message names the cause and the fix. Nothing was spent.</summary>
public sealed class PrivateRunRefusedException(string message) : Exception(message);
