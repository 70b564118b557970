namespace Veil.Actors.Cluster.Transport;

/// <summary>Something tried to send decoded training examples to another node.</summary>
public sealed class RawExamplesMustStayLocalException(string message) : Exception(message);
