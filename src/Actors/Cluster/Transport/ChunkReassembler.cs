using System.Security.Cryptography;

namespace Veil.Actors.Cluster.Transport;

/// <summary>
/// Rebuilds chunked messages inside one actor (not thread-safe). A transfer whose length or digest does
/// not match is refused with <see cref="CorruptTransferException"/>: a damaged gradient must never be summed.
/// Incomplete transfers of a sender that died are dropped when they grow older than <c>maxOpen</c> newer ones.
/// </summary>
public sealed class ChunkReassembler(int maxOpen = 64)
{
    private sealed class Open(TensorChunk first)
    {
        public readonly byte[] Buffer = new byte[first.TotalBytes];
        public readonly bool[] Seen = new bool[first.Count];
        public int Received;
        public long Serial;
    }

    private readonly Dictionary<Guid, Open> _open = new();
    private long _serial;

    /// <summary>The decoded message once <paramref name="chunk"/> completes its transfer, else null.</summary>
    public object? Accept(TensorChunk chunk)
    {
        if (!_open.TryGetValue(chunk.TransferId, out var open))
        {
            if (chunk.TotalBytes < 0 || chunk.TotalBytes > Array.MaxLength || chunk.Count <= 0)
                throw new CorruptTransferException(
                    $"chunk {chunk.Index} of transfer {chunk.TransferId} announces {chunk.TotalBytes} bytes in {chunk.Count} chunks");
            _open[chunk.TransferId] = open = new Open(chunk) { Serial = ++_serial };
            DropStale();
        }
        if (chunk.Index < 0 || chunk.Index >= open.Seen.Length || chunk.Count != open.Seen.Length)
            throw new CorruptTransferException(
                $"chunk {chunk.Index}/{chunk.Count} does not belong to transfer {chunk.TransferId} of {open.Seen.Length} chunks");
        if (open.Seen[chunk.Index]) return null;
        var offset = chunk.Offset;
        if (offset < 0 || offset + chunk.Data.Length > open.Buffer.LongLength)
            throw new CorruptTransferException($"chunk {chunk.Index} of transfer {chunk.TransferId} overruns its {open.Buffer.Length} bytes");
        chunk.Data.CopyTo(open.Buffer, offset);
        open.Seen[chunk.Index] = true;
        open.Received++;
        if (open.Received < open.Seen.Length) return null;
        _open.Remove(chunk.TransferId);
        if (!SHA256.HashData(open.Buffer).AsSpan().SequenceEqual(chunk.Sha256))
            throw new CorruptTransferException($"transfer {chunk.TransferId} ({chunk.Kind}, {open.Buffer.Length} bytes) fails its SHA-256 check");
        return ClusterWireFormat.Decode(chunk.Kind, open.Buffer);
    }

    public int OpenTransfers => _open.Count;

    private void DropStale()
    {
        if (_open.Count <= maxOpen) return;
        var oldest = _open.MinBy(kv => kv.Value.Serial).Key;
        _open.Remove(oldest);
    }
}
