using System.Collections.Concurrent;

namespace Veil.DataLoading.Batching;

/// <summary>
/// Reuses micro-batch input buffers. Buffers are exact-length (a full micro-batch and a step's
/// shorter last one are two lengths), so consumers may rely on <c>Inputs.Length</c>; they are
/// allocated on the pinned object heap, so native code (TorchSharp) can wrap them without a copy
/// and the GC never moves them.
///
/// Ownership: <see cref="Rent"/> hands a buffer to exactly one owner (the decoder, then the
/// <see cref="MicroBatchData"/> it builds, then whoever consumes that). The last owner may
/// <see cref="Return"/> it once and never touch it again. Forgetting to return only costs an
/// allocation; returning twice or using after return corrupts another micro-batch, so only the
/// final consumer returns. At most <see cref="MaxRetained"/> buffers are kept in all (Poisson batches
/// make the last micro-batch of each step a different length, so per-length caps would not bound memory).
/// </summary>
public sealed class FloatBufferPool(int maxRetained = 64)
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> _free = new();
    private long _allocated;
    private long _reused;
    private int _retained;

    public int MaxRetained { get; } = maxRetained;

    /// <summary>Buffers allocated because none of the length was free.</summary>
    public long Allocated => Interlocked.Read(ref _allocated);

    /// <summary>Rents served from returned buffers.</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>A buffer of exactly <paramref name="length"/> floats, contents unspecified.</summary>
    public float[] Rent(int length)
    {
        if (length == 0) return [];
        if (_free.TryGetValue(length, out var bag) && bag.TryTake(out float[]? buffer))
        {
            Interlocked.Decrement(ref _retained);
            Interlocked.Increment(ref _reused);
            return buffer;
        }
        Interlocked.Increment(ref _allocated);
        return GC.AllocateUninitializedArray<float>(length, pinned: true);
    }

    /// <summary>Gives <paramref name="buffer"/> back; the caller must not use it afterwards.</summary>
    public void Return(float[] buffer)
    {
        if (buffer.Length == 0) return;
        if (Interlocked.Increment(ref _retained) > MaxRetained)
        {
            Interlocked.Decrement(ref _retained);          // full: let the GC have it
            return;
        }
        _free.GetOrAdd(buffer.Length, _ => new ConcurrentBag<float[]>()).Add(buffer);
    }
}
