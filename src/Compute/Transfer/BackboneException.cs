namespace Veil.Compute.Transfer;

/// <summary>A backbone that is missing, damaged or does not fit the run; the message names the file or key and the fix.</summary>
public sealed class BackboneException(string message) : Exception(message);
