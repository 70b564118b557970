using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Cluster.Nodes;

/// <summary>What a worker node brings: its own view of the dataset (fingerprint + decoder) and its devices.</summary>
/// <param name="Fingerprint">The dataset fingerprint this node computed from the data it opened.</param>
/// <param name="Model">The model this node's gradient computers were built for.</param>
/// <param name="ClipNorm">The clip norm they clip to; a coordinator asking for another is refused.</param>
/// <param name="Decoders">Given the run's augmentation seed (from the coordinator's Hello), the decoder that turns its micro-batch
/// specs (indices) into examples on this node: the same seed makes every node draw the same augmentations for an example.</param>
/// <param name="CreateComputer">One gradient computer per local worker (index → device).</param>
/// <param name="Workers">Local gradient workers (veil.runtime.devices × workers-per-device).</param>
/// <param name="ChunkBytes">veil.cluster.chunk-bytes: the size of the chunks partial sums travel in.</param>
/// <param name="DecodeParallelism">Micro-batches decoded at once (veil.runtime.decode-threads).</param>
/// <param name="WorkerDispatcher">Dispatcher of the gradient workers (they block on TorchSharp), or null for the default.</param>
/// <param name="MaxWorkerRestarts">Worker crashes restarted (each micro-batch redone) before the agent gives up and the node leaves.</param>
public sealed record NodeAgentSettings(
    string Fingerprint, string Model, double ClipNorm, Func<ulong, IMicroBatchDecoder> Decoders, Func<int, IGradientComputer> CreateComputer, int Workers, int ChunkBytes,
    int DecodeParallelism = 1, string? WorkerDispatcher = null, int MaxWorkerRestarts = 1000);
