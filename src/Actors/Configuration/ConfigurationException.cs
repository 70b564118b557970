namespace Veil.Actors.Configuration;

/// <summary>A configuration the run cannot start with. The message names the key (and file) and the fix.</summary>
public sealed class ConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
