namespace Veil.Actors.Cli;

/// <summary>Input the command cannot act on; the message names the option and what would be valid.</summary>
public sealed class CliUsageException(string message) : Exception(message);
