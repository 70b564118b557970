using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;
using Xunit;

namespace Veil.Actors.Tests.Pipeline;

/// <summary>The gradient worker's protocol: it pulls, sends each partial sum to the accumulator, and gives back what it could not finish.</summary>
public class GradientWorkerActorTests : TestKit
{
    private readonly PipelineLog _log = new();

    private static MicroBatchData Batch(long step, int index, int count) =>
        new(step, index, count, new float[count], new long[count]);

    private IActorRef Worker(TestProbe loader, TestProbe accumulator, Func<MicroBatchId, bool>? crashOn = null) =>
        Sys.ActorOf(GradientWorkerActor.Props(loader, accumulator, () => new OnesComputer(3, _log, crashOn)));

    [Fact]
    public void A_worker_asks_for_work_when_it_starts_and_again_after_each_partial_sum_it_sends()
    {
        var loader = CreateTestProbe();
        var accumulator = CreateTestProbe();
        var worker = Worker(loader, accumulator);
        loader.ExpectMsg<DataLoaderActor.RequestWork>();
        worker.Tell(new GradientWorkerActor.Work(Batch(2, 1, 4), new ParameterSnapshot(2, new float[3])), loader);
        var partial = accumulator.ExpectMsg<AccumulatorActor.PartialSum>();
        Assert.Equal(new MicroBatchId(2, 1), partial.Id);
        Assert.Equal(new[] { 4f, 4f, 4f }, partial.Partial.ClippedSum);
        Assert.Equal(4, partial.Partial.Examples);
        loader.ExpectMsg<DataLoaderActor.RequestWork>();
        loader.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // one request per finished micro-batch, no more
    }

    [Fact]
    public void A_worker_that_crashes_mid_batch_gives_it_back_to_the_loader_and_sends_no_partial_sum()
    {
        var loader = CreateTestProbe();
        var accumulator = CreateTestProbe();
        var crashes = 0;
        var worker = Worker(loader, accumulator, id => id == new MicroBatchId(0, 0) && Interlocked.Increment(ref crashes) == 1);
        loader.ExpectMsg<DataLoaderActor.RequestWork>();
        var batch = Batch(0, 0, 2);
        worker.Tell(new GradientWorkerActor.Work(batch, new ParameterSnapshot(0, new float[3])), loader);
        Assert.Same(batch, loader.ExpectMsg<DataLoaderActor.ReturnWork>().Batch); // before the restart
        loader.ExpectMsg<DataLoaderActor.RequestWork>(); // the restarted worker asks again
        accumulator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        worker.Tell(new GradientWorkerActor.Work(batch, new ParameterSnapshot(0, new float[3])), loader); // handed out again
        Assert.Equal(batch.Id, accumulator.ExpectMsg<AccumulatorActor.PartialSum>().Id);
        Assert.Equal(2, _log.Entries.Count(e => e == "compute:0:0"));
    }
}
