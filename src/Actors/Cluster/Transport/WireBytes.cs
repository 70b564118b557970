namespace Veil.Actors.Cluster.Transport;

/// <summary>
/// Bytes of cluster messages this process serialised (sent) and deserialised (received), as counted by
/// <see cref="ClusterMessageSerializer"/>: the payload Akka puts on the wire, less its own envelope. Process-wide,
/// because Akka builds the serializer; `bench cluster` reads the coordinator's totals from `train --json`.
/// </summary>
public static class WireBytes
{
    private static long _sent;
    private static long _received;

    public static long Sent => Interlocked.Read(ref _sent);

    public static long Received => Interlocked.Read(ref _received);

    internal static void CountSent(long bytes) => Interlocked.Add(ref _sent, bytes);

    internal static void CountReceived(long bytes) => Interlocked.Add(ref _received, bytes);
}
