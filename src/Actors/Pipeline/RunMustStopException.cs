namespace Veil.Actors.Pipeline;

/// <summary>A failure that restarting cannot fix (e.g. a non-finite loss): the run stops, naming the cause.</summary>
public sealed class RunMustStopException(string message, Exception? inner = null) : Exception(message, inner);
