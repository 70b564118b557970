namespace Veil.Actors.Cluster.Transport;

/// <summary>A chunked message arrived damaged (wrong length, wrong digest, unknown kind).</summary>
public sealed class CorruptTransferException(string message) : Exception(message);
