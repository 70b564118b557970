using System.Runtime.InteropServices;
using Akka.Actor;
using Veil.Actors.Cluster.Nodes;
using Veil.Actors.Cluster.Coordination;
using Veil.DataLoading.Batching;
using Veil.Ledger.Plan;

namespace Veil.Actors.Cluster.Transport;

/// <summary>
/// The binary encoding of every cluster message (little-endian, floats as raw IEEE-754 bytes: no JSON,
/// no text). A manifest names the type; an unknown manifest or a truncated body is refused, never guessed.
/// </summary>
public static class ClusterWireFormat
{
    public const string Chunk = "chunk";
    public const string Hello = "hello";
    public const string Ready = "ready";
    public const string Refused = "refused";
    public const string Assign = "assign";
    public const string Parameters = "params";
    public const string ShardSum = "shard-sum";
    public const string RunEnded = "run-ended";
    public const string Tree = "tree";
    public const string Prefetch = "prefetch";
    public const string SumChunkKind = "sum-chunk";

    public static string ManifestOf(object message) => message switch
    {
        TensorChunk => Chunk,
        NodeAgentActor.Hello => Hello,
        WorkDispatcherActor.NodeReady => Ready,
        WorkDispatcherActor.NodeRefused => Refused,
        NodeAgentActor.Assign => Assign,
        NodeAgentActor.Parameters => Parameters,
        WorkDispatcherActor.ShardSum => ShardSum,
        RunWatcherActor.RunEnded => RunEnded,
        NodeAgentActor.Tree => Tree,
        NodeAgentActor.Prefetch => Prefetch,
        SumChunk => SumChunkKind,
        _ => throw new ArgumentException(
            $"{message.GetType().FullName} is not a cluster message; only the types in {nameof(ClusterWireFormat)} travel between nodes"),
    };

    public static (string Manifest, byte[] Bytes) Encode(object message)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            switch (message)
            {
                case TensorChunk c:
                    w.Write(c.TransferId.ToByteArray());
                    w.Write(c.Index);
                    w.Write(c.Count);
                    w.Write(c.Offset);
                    w.Write(c.TotalBytes);
                    WriteBytes(w, c.Sha256);
                    w.Write(c.Kind);
                    WriteBytes(w, c.Data);
                    break;
                case NodeAgentActor.Hello h:
                    w.Write(PlanJson.Write(h.Plan));
                    w.Write(h.RunId);
                    w.Write(h.Model);
                    w.Write(h.AugmentationSeed);
                    break;
                case WorkDispatcherActor.NodeReady r:
                    w.Write(r.Workers);
                    break;
                case WorkDispatcherActor.NodeRefused r:
                    w.Write(r.Reason);
                    break;
                case NodeAgentActor.Assign a:
                    w.Write(a.Step);
                    w.Write(a.Assignment);
                    w.Write(a.Version);
                    WriteShards(w, a.Shards);
                    break;
                case NodeAgentActor.Prefetch p:
                    w.Write(p.Step);
                    WriteShards(w, p.Shards);
                    break;
                case NodeAgentActor.Parameters p:
                    w.Write(p.Version);
                    WriteArray(w, p.Values);
                    break;
                case WorkDispatcherActor.ShardSum s:
                    w.Write(s.Step);
                    w.Write(s.Epoch);
                    w.Write(s.Tree.ToByteArray());
                    WriteArray(w, s.Shards);
                    WriteArray(w, s.Sum);
                    w.Write(s.Examples);
                    w.Write(s.LossSum);
                    w.Write(s.ClippedExamples);
                    var times = s.Times ?? NodeTimes.Zero;
                    w.Write(times.Parameters);
                    w.Write(times.Compute);
                    w.Write(times.Children);
                    w.Write(times.Gradients);
                    w.Write(s.SumChunks);
                    break;
                case SumChunk c:
                    w.Write(c.Step);
                    w.Write(c.Epoch);
                    w.Write(c.Tree.ToByteArray());
                    w.Write(c.Index);
                    w.Write(c.Count);
                    w.Write(c.Coordinates);
                    WriteArray(w, c.Values);
                    WriteBytes(w, c.Sha256);
                    break;
                case NodeAgentActor.Tree t:
                    w.Write(t.Step);
                    w.Write(t.Epoch);
                    w.Write(t.Version);
                    w.Write(t.ParametersTransfer.ToByteArray());
                    w.Write(Akka.Serialization.Serialization.SerializedActorPath(t.Parent));
                    w.Write(t.Children.Length);
                    foreach (var child in t.Children) w.Write(Akka.Serialization.Serialization.SerializedActorPath(child));
                    WriteArray(w, t.Assignments);
                    w.Write(t.SumChunks);
                    break;
                case RunWatcherActor.RunEnded e:
                    w.Write(e.RunId);
                    w.Write(e.Succeeded);
                    w.Write(e.Message);
                    break;
                default:
                    ManifestOf(message); // throws, naming the type
                    break;
            }
        }
        return (ManifestOf(message), stream.ToArray());
    }

    /// <param name="resolve">Turns an actor path on the wire into a reference (the actor system's provider); only the messages that
    /// name actors (<see cref="NodeAgentActor.Tree"/>) need it.</param>
    public static object Decode(string manifest, byte[] bytes, Func<string, IActorRef>? resolve = null)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false));
        try
        {
            object message = manifest switch
            {
                Chunk => new TensorChunk(
                    new Guid(r.ReadBytes(16)), r.ReadInt32(), r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), ReadBytes(r), r.ReadString(), ReadBytes(r)),
                Hello => new NodeAgentActor.Hello(PlanJson.Read(r.ReadString()), r.ReadString(), r.ReadString(), r.ReadUInt64()),
                Ready => new WorkDispatcherActor.NodeReady(r.ReadInt32()),
                Refused => new WorkDispatcherActor.NodeRefused(r.ReadString()),
                Assign => new NodeAgentActor.Assign(r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), ReadShards(r)),
                Prefetch => new NodeAgentActor.Prefetch(r.ReadInt64(), ReadShards(r)),
                Parameters => new NodeAgentActor.Parameters(r.ReadInt64(), ReadArray<float>(r)),
                ShardSum => new WorkDispatcherActor.ShardSum(
                    r.ReadInt64(), r.ReadInt32(), new Guid(r.ReadBytes(16)), ReadArray<int>(r), ReadArray<float>(r),
                    r.ReadInt32(), r.ReadDouble(), r.ReadInt32(),
                    new NodeTimes(r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble()), r.ReadInt32()),
                SumChunkKind => new SumChunk(
                    r.ReadInt64(), r.ReadInt32(), new Guid(r.ReadBytes(16)), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), ReadArray<float>(r),
                    ReadBytes(r)),
                Tree => ReadTree(r, resolve ?? throw new InvalidOperationException("a reduction tree names actors: decode it with a resolver")),
                RunEnded => new RunWatcherActor.RunEnded(r.ReadString(), r.ReadBoolean(), r.ReadString()),
                _ => throw new CorruptTransferException($"unknown cluster message manifest \"{manifest}\" (a node running another Veil version?)"),
            };
            if (r.BaseStream.Position != bytes.Length)
                throw new CorruptTransferException($"a {manifest} message has {bytes.Length - r.BaseStream.Position} trailing bytes");
            return message;
        }
        catch (EndOfStreamException)
        {
            throw new CorruptTransferException($"a {manifest} message is truncated ({bytes.Length} bytes)");
        }
        catch (FormatException e)
        {
            throw new CorruptTransferException($"a {manifest} message carries no valid plan: {e.Message}");
        }
    }

    private static void WriteShards(BinaryWriter w, MicroBatchSpec[] shards)
    {
        w.Write(shards.Length);
        foreach (var s in shards)
        {
            w.Write(s.Id.Step);
            w.Write(s.Id.Index);
            WriteArray(w, s.Indices);
            // A user-level shard says which user each example belongs to: the node combines them before clipping.
            w.Write(s.Owners is not null);
            if (s.Owners is not null) WriteArray(w, s.Owners);
        }
    }

    private static MicroBatchSpec[] ReadShards(BinaryReader r)
    {
        var shards = new MicroBatchSpec[CheckedCount(r, r.ReadInt32(), 8)];
        for (var i = 0; i < shards.Length; i++)
        {
            var id = new MicroBatchId(r.ReadInt64(), r.ReadInt32());
            var indices = ReadArray<int>(r);
            var owners = r.ReadBoolean() ? ReadArray<int>(r) : null;
            if (owners is not null && owners.Length != indices.Length)
                throw new CorruptTransferException($"shard {id} names {owners.Length} owners for {indices.Length} examples");
            shards[i] = new MicroBatchSpec(id, indices, owners);
        }
        return shards;
    }

    private static NodeAgentActor.Tree ReadTree(BinaryReader r, Func<string, IActorRef> resolve)
    {
        var step = r.ReadInt64();
        var epoch = r.ReadInt32();
        var version = r.ReadInt64();
        var transfer = new Guid(r.ReadBytes(16));
        var parent = resolve(r.ReadString());
        var children = new IActorRef[CheckedCount(r, r.ReadInt32(), 1)];
        for (var i = 0; i < children.Length; i++) children[i] = resolve(r.ReadString());
        return new NodeAgentActor.Tree(step, epoch, version, transfer, parent, children, ReadArray<long>(r), r.ReadInt32());
    }

    private static void WriteBytes(BinaryWriter w, byte[] data)
    {
        w.Write(data.Length);
        w.Write(data);
    }

    private static byte[] ReadBytes(BinaryReader r)
    {
        var length = CheckedCount(r, r.ReadInt32(), 1);
        return r.ReadBytes(length);
    }

    private static void WriteArray<T>(BinaryWriter w, T[] values) where T : unmanaged
    {
        w.Write(values.Length);
        w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static T[] ReadArray<T>(BinaryReader r) where T : unmanaged
    {
        var values = new T[CheckedCount(r, r.ReadInt32(), System.Runtime.CompilerServices.Unsafe.SizeOf<T>())];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    // A corrupt length must not allocate gigabytes: it can never exceed what is left of the body.
    private static int CheckedCount(BinaryReader r, int count, int bytesEach)
    {
        if (count < 0 || (long)count * bytesEach > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
        return count;
    }
}
