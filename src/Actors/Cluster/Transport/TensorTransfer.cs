using System.Security.Cryptography;
using Akka.Actor;

namespace Veil.Actors.Cluster.Transport;

/// <summary>Sends a message that carries a float buffer as a sequence of <see cref="TensorChunk"/>s.</summary>
public static class TensorTransfer
{
    /// <summary>
    /// Encodes <paramref name="message"/>, cuts it into chunks of at most <paramref name="chunkBytes"/> and tells them to
    /// <paramref name="target"/> in order; returns the bytes sent. <paramref name="transfer"/> names the transfer (a fresh id if
    /// none): a node that forwards a broadcast learns from its tree which transfer to pass on to whom.
    /// </summary>
    public static long Send(IActorRef target, object message, int chunkBytes, IActorRef sender, Guid? transfer = null)
    {
        var (kind, bytes) = ClusterWireFormat.Encode(message);
        foreach (var chunk in Split(kind, bytes, chunkBytes, transfer)) target.Tell(chunk, sender);
        return bytes.LongLength;
    }

    public static IEnumerable<TensorChunk> Split(string kind, byte[] bytes, int chunkBytes, Guid? transfer = null)
    {
        if (chunkBytes <= 0) throw new ArgumentOutOfRangeException(nameof(chunkBytes), chunkBytes, "chunks must hold at least one byte");
        var digest = SHA256.HashData(bytes);
        var id = transfer ?? Guid.NewGuid();
        var count = Math.Max(1, (int)((bytes.LongLength + chunkBytes - 1) / chunkBytes));
        for (var i = 0; i < count; i++)
        {
            var offset = (long)i * chunkBytes;
            var length = (int)Math.Min(chunkBytes, bytes.LongLength - offset);
            yield return new TensorChunk(id, i, count, offset, bytes.LongLength, digest, kind, bytes.AsSpan((int)offset, length).ToArray());
        }
    }
}
