using Akka.Actor;
using Veil.Actors.Cluster.Hosting;
using Veil.Actors.Cluster.Nodes;
using Veil.Actors.Cluster.Transport;
using Veil.Actors.Configuration;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;
using Veil.Integration.Tests.Support;
using Xunit;

namespace Veil.Integration.Tests.Cluster;

/// <summary>Two actor systems on 127.0.0.1 (free ports), joined in one cluster: what crosses between them and what may not.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TensorTransportTests : IDisposable
{
    private readonly ActorSystem _a;
    private readonly ActorSystem _b;
    private readonly TaskCompletionSource<object> _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IActorRef _inboxOnB;

    private sealed class Inbox : ReceiveActor
    {
        public Inbox(TaskCompletionSource<object> arrived)
        {
            var reassembler = new ChunkReassembler();
            Receive<TensorChunk>(c =>
            {
                if (reassembler.Accept(c) is { } whole) arrived.TrySetResult(whole);
            });
            ReceiveAny(m => arrived.TrySetResult(m));
        }
    }

    public TensorTransportTests()
    {
        var portA = LoopbackPort.Free();
        var seed = $"akka.tcp://veil@127.0.0.1:{portA}";
        _a = ActorSystem.Create("veil", ClusterActorSystem.Config(Settings(portA, seed, 1 << 20)));
        _b = ActorSystem.Create("veil", ClusterActorSystem.Config(Settings(LoopbackPort.Free(), seed, 1 << 20)));
        var joined = new CountdownEvent(2);
        Akka.Cluster.Cluster.Get(_a).RegisterOnMemberUp(() => joined.Signal());
        Akka.Cluster.Cluster.Get(_b).RegisterOnMemberUp(() => joined.Signal());
        Assert.True(joined.Wait(TimeSpan.FromSeconds(30)), "the two systems did not form a cluster within 30 s");
        _b.ActorOf(Props.Create(() => new Inbox(_arrived)), "inbox");
        var address = Akka.Cluster.Cluster.Get(_b).SelfAddress;
        _inboxOnB = _a.ActorSelection(new RootActorPath(address) / "user" / "inbox").ResolveOne(TimeSpan.FromSeconds(10)).Result;
    }

    private static ClusterSettings Settings(int port, string seed, int chunk) =>
        new(true, [ClusterSettings.WorkerRole], "127.0.0.1", port, [seed], 1, chunk, 4 << 20, 2, 3);

    [Fact]
    public void A_40_MB_parameter_broadcast_crosses_between_two_systems_in_chunks_intact()
    {
        var values = new float[10_000_000]; // 40 MB
        var random = new Random(7);
        for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        var sent = TensorTransfer.Send(_inboxOnB, new NodeAgentActor.Parameters(42, values), 1 << 20, ActorRefs.NoSender);
        Assert.True(sent > 40_000_000);
        Assert.True(_arrived.Task.Wait(TimeSpan.FromSeconds(60)), "the 40 MB broadcast did not arrive within 60 s");
        var received = Assert.IsType<NodeAgentActor.Parameters>(_arrived.Task.Result);
        Assert.Equal(42, received.Version);
        Assert.Equal(values, received.Values); // bit for bit
    }

    [Fact]
    public void Decoded_examples_refuse_to_be_serialized_for_another_node()
    {
        var batch = new MicroBatchData(0, 0, 1, new float[784], [3]);
        foreach (var message in new object[] { batch, new GradientWorkerActor.Work(batch, new ParameterSnapshot(0, new float[4])) })
        {
            var serializer = _a.Serialization.FindSerializerFor(message);
            var error = Assert.Throws<RawExamplesMustStayLocalException>(() => serializer.ToBinary(message));
            Assert.Contains("may not leave this node", error.Message);
        }
        // Sent anyway, it never arrives; the chunked sum sent after it does.
        _inboxOnB.Tell(batch);
        TensorTransfer.Send(_inboxOnB, new NodeAgentActor.Parameters(1, [1f, 2f]), 1 << 20, ActorRefs.NoSender);
        Assert.True(_arrived.Task.Wait(TimeSpan.FromSeconds(30)));
        Assert.IsType<NodeAgentActor.Parameters>(_arrived.Task.Result);
    }

    [Fact]
    public void A_damaged_chunk_fails_the_checksum_instead_of_being_summed()
    {
        var chunks = TensorTransfer.Split(ClusterWireFormat.Parameters, ClusterWireFormat.Encode(new NodeAgentActor.Parameters(3, new float[1000])).Bytes, 1000).ToList();
        chunks[2].Data[5] ^= 0x40;
        var reassembler = new ChunkReassembler();
        for (var i = 0; i < chunks.Count - 1; i++) Assert.Null(reassembler.Accept(chunks[i]));
        Assert.Throws<CorruptTransferException>(() => reassembler.Accept(chunks[^1]));
    }

    public void Dispose()
    {
        Task.WaitAll([_b.Terminate(), _a.Terminate()], TimeSpan.FromSeconds(10));
    }
}
