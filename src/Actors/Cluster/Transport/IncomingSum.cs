using Veil.Actors.Cluster.Coordination;

namespace Veil.Actors.Cluster.Transport;

/// <summary>
/// One sender's sum of one tree (step and epoch) as it arrives (not thread-safe): its <see cref="SumChunk"/>s, each checked
/// on arrival, and its header (a <see cref="WorkDispatcherActor.ShardSum"/> naming the shards). A header that holds its sum
/// whole (<see cref="WorkDispatcherActor.ShardSum.SumChunks"/> = 0) gives every chunk at once; an empty whole sum (a subtree
/// without work) adds nothing to any chunk.
/// </summary>
public sealed class IncomingSum(long step, int epoch, Guid tree)
{
    private readonly Dictionary<int, SumChunk> _chunks = new();
    private readonly HashSet<int> _released = new();

    public long Step { get; } = step;

    public int Epoch { get; } = epoch;

    public Guid Tree { get; } = tree;

    public WorkDispatcherActor.ShardSum? Header { get; private set; }

    /// <summary>The sum's length, once a chunk or a whole header said it; −1 before.</summary>
    public int Coordinates { get; private set; } = -1;

    /// <summary>Takes a chunk of this sum (checked: it throws <see cref="CorruptTransferException"/> on a bad digest); a repeat is ignored.</summary>
    public void Accept(SumChunk chunk)
    {
        chunk.Verify();
        if (_released.Contains(chunk.Index)) return;
        if (Coordinates >= 0 && chunk.Coordinates != Coordinates)
            throw new CorruptTransferException($"sum chunk {chunk.Index} of step {Step} says {chunk.Coordinates} coordinates, not {Coordinates}");
        Coordinates = chunk.Coordinates;
        _chunks.TryAdd(chunk.Index, chunk);
    }

    public void Accept(WorkDispatcherActor.ShardSum header)
    {
        if (Header is not null) return;
        Header = header;
        if (header.SumChunks == 0) Coordinates = header.Sum.Length;
    }

    /// <summary>Whether the sum holds nothing to add (a whole, empty sum).</summary>
    public bool IsEmpty => Header is { SumChunks: 0, Sum.Length: 0 };

    /// <summary>Chunk <paramref name="index"/> of <paramref name="count"/>, if it is here (empty for an empty sum).</summary>
    public bool TryChunk(int index, int count, out ReadOnlyMemory<float> values)
    {
        values = ReadOnlyMemory<float>.Empty;
        if (IsEmpty) return true;
        if (Header is { SumChunks: 0 } whole)
        {
            var (start, length) = SumChunk.Range(index, count, whole.Sum.Length);
            values = whole.Sum.AsMemory(start, length);
            return true;
        }
        if (!_chunks.TryGetValue(index, out var chunk)) return false;
        if (chunk.Count != count)
            throw new CorruptTransferException($"a sum of step {Step} arrived in {chunk.Count} chunks where its tree says {count}");
        values = chunk.Values;
        return true;
    }

    /// <summary>Forgets a chunk once it was added and sent on.</summary>
    public void Release(int index)
    {
        _chunks.Remove(index);
        _released.Add(index);
    }

    /// <summary>The header with the whole sum in it, once the header and every chunk it announces are here; null until then.</summary>
    public WorkDispatcherActor.ShardSum? Whole()
    {
        if (Header is not { } header) return null;
        if (header.SumChunks == 0) return header;
        if (_chunks.Count + _released.Count < header.SumChunks || _released.Count > 0) return null;
        var sum = new float[Coordinates];
        for (var i = 0; i < header.SumChunks; i++)
        {
            if (!TryChunk(i, header.SumChunks, out var values)) return null;
            values.Span.CopyTo(sum.AsSpan(SumChunk.Range(i, header.SumChunks, Coordinates).Start));
        }
        return header with { Sum = sum, SumChunks = 0 };
    }
}
