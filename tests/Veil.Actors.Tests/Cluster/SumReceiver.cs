using Akka.TestKit;
using Veil.Actors.Cluster.Coordination;
using Veil.Actors.Cluster.Transport;

namespace Veil.Actors.Tests.Cluster;

/// <summary>A probe standing for a parent in the reduction tree: it gathers a sum's slices and header as the coordinator does.</summary>
public static class SumReceiver
{
    public static WorkDispatcherActor.ShardSum ReceiveSum(TestProbe parent)
    {
        var inbox = new ChunkReassembler();
        IncomingSum? incoming = null;
        while (true)
        {
            switch (parent.ExpectMsg<object>(TimeSpan.FromSeconds(10)))
            {
                case SumChunk chunk:
                    (incoming ??= new IncomingSum(chunk.Step, chunk.Epoch, chunk.Tree)).Accept(chunk);
                    break;
                case TensorChunk chunk when inbox.Accept(chunk) is WorkDispatcherActor.ShardSum header:
                    if (header.SumChunks == 0) return header;
                    incoming!.Accept(header);
                    return incoming.Whole() ?? throw new InvalidOperationException("a header came before all of its sum's slices");
            }
        }
    }
}
