using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Veil.Actors.Cluster.Transport;

/// <summary>
/// One slice of a subtree's sum of one step, travelling up the reduction tree as soon as it is added, before the rest of the
/// sum: chunk <paramref name="Index"/> of <paramref name="Count"/> holds coordinates [i·P/n, (i+1)·P/n) of the P =
/// <paramref name="Coordinates"/>. Its SHA-256 is checked on arrival, before anything is added to it; the subtree's header
/// (a <see cref="Coordination.WorkDispatcherActor.ShardSum"/> naming the shards, sent after the last chunk) says how many chunks
/// the sum has. A slice names the step, epoch and tree of its sum, so a slice of another epoch or coordinator is never added.
/// </summary>
public sealed record SumChunk(long Step, int Epoch, Guid Tree, int Index, int Count, int Coordinates, float[] Values, byte[] Sha256)
{
    /// <summary>Where chunk <paramref name="index"/> of <paramref name="count"/> starts in a sum of <paramref name="coordinates"/>, and its length.</summary>
    public static (int Start, int Length) Range(int index, int count, int coordinates)
    {
        var start = (int)((long)index * coordinates / count);
        return (start, (int)((long)(index + 1) * coordinates / count) - start);
    }

    /// <summary>Chunks of a sum of <paramref name="coordinates"/> floats, each at most <paramref name="chunkBytes"/> of values.</summary>
    public static int CountFor(int coordinates, int chunkBytes) => Math.Max(1, (int)((4L * coordinates + chunkBytes - 1) / chunkBytes));

    public static SumChunk Of(long step, int epoch, Guid tree, int index, int count, int coordinates, float[] values) =>
        new(step, epoch, tree, index, count, coordinates, values, SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())));

    /// <summary>Refuses a chunk whose values do not match its digest or its place: a damaged gradient must never be added.</summary>
    public void Verify()
    {
        if (Count <= 0 || Index < 0 || Index >= Count || Coordinates < 0 || Values.Length != Range(Index, Count, Coordinates).Length)
            throw new CorruptTransferException($"sum chunk {Index}/{Count} of step {Step} holds {Values.Length} of {Coordinates} coordinates");
        if (!SHA256.HashData(MemoryMarshal.AsBytes(Values.AsSpan())).AsSpan().SequenceEqual(Sha256))
            throw new CorruptTransferException($"sum chunk {Index}/{Count} of step {Step} epoch {Epoch} fails its SHA-256 check");
    }
}
