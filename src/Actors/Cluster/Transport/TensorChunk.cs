namespace Veil.Actors.Cluster.Transport;

/// <summary>
/// One piece of a large message (parameters, a node's partial sum) on the wire. A buffer of 10–50 MB
/// never travels as one frame: it is cut into chunks below akka.remote's maximum frame size, sent in
/// order, and rebuilt by a <see cref="ChunkReassembler"/> that checks the length and the SHA-256.
/// </summary>
/// <param name="TransferId">Names the message the chunk belongs to.</param>
/// <param name="Index">0 … Count−1.</param>
/// <param name="Count">Chunks in the transfer.</param>
/// <param name="Offset">Where <paramref name="Data"/> starts in the whole encoded message.</param>
/// <param name="TotalBytes">Length of the whole encoded message.</param>
/// <param name="Sha256">Digest of the whole encoded message (checked once it is complete).</param>
/// <param name="Kind">Wire manifest of the message inside (see <see cref="ClusterWireFormat"/>).</param>
/// <param name="Data">This chunk's bytes.</param>
public sealed record TensorChunk(Guid TransferId, int Index, int Count, long Offset, long TotalBytes, byte[] Sha256, string Kind, byte[] Data);
