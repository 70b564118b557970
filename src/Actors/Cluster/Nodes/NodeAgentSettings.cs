using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;

namespace Veil.Actors.Cluster.Nodes;

/// <summary>What a worker node brings: its own view of the dataset (fingerprint + decoder) and its devices. No privacy value:
/// those come with the coordinator's plan.</summary>
/// <param name="Fingerprint">The dataset fingerprint this node computed from the data it opened.</param>
/// <param name="Model">The model this node's gradient computers are built for.</param>
/// <param name="Decoders">Given the run's augmentation seed (from the coordinator's Hello), the decoder that turns its micro-batch
/// specs (indices) into examples on this node: the same seed makes every node draw the same augmentations for an example.</param>
/// <param name="CreateComputer">One gradient computer per local worker (index → device), clipping to the given clip norm: the plan's.</param>
/// <param name="Workers">Local gradient workers (veil.runtime.devices × workers-per-device).</param>
/// <param name="ChunkBytes">veil.cluster.chunk-bytes: the size of the chunks partial sums travel in.</param>
/// <param name="DecodeParallelism">Micro-batches decoded at once (veil.runtime.decode-threads).</param>
/// <param name="WorkerDispatcher">Dispatcher of the gradient workers (they block on TorchSharp), or null for the default.</param>
/// <param name="MaxWorkerRestarts">Worker crashes restarted (each micro-batch redone) before the agent gives up and the node leaves.</param>
/// <param name="MaxBufferedMicroBatches">Decoded micro-batches the node's loader holds at most.</param>
public sealed record NodeAgentSettings(
    string Fingerprint, string Model, Func<ulong, IMicroBatchDecoder> Decoders, Func<int, double, IGradientComputer> CreateComputer, int Workers,
    int ChunkBytes,
    int DecodeParallelism = 1, string? WorkerDispatcher = null, int MaxWorkerRestarts = 1000, int MaxBufferedMicroBatches = 16);
