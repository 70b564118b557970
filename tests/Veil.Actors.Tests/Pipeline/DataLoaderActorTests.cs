using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;
using Xunit;

namespace Veil.Actors.Tests.Pipeline;

/// <summary>The loader's protocol: pull, only the open step, each micro-batch handed out once unless it comes back.</summary>
public class DataLoaderActorTests : TestKit
{
    private static readonly ParameterSnapshot Version0 = new(0, [0f]);

    private IActorRef Loader(FixedSteps steps, int maxBuffered = 16) => Sys.ActorOf(DataLoaderActor.Props(steps.Feed(), maxBuffered));

    private static GradientWorkerActor.Work Ask(IActorRef loader, TestProbe worker)
    {
        loader.Tell(DataLoaderActor.RequestWork.Instance, worker);
        return worker.ExpectMsg<GradientWorkerActor.Work>();
    }

    [Fact]
    public void A_worker_that_asks_for_work_gets_the_next_micro_batch_and_nothing_twice()
    {
        var loader = Loader(FixedSteps.OfSizes(2, 6));
        var worker = CreateTestProbe();
        // Both requests reach the loader before its step opens, so the worker is surely idle when it asks again:
        // asking again while idle is still one request.
        loader.Tell(DataLoaderActor.RequestWork.Instance, worker);
        loader.Tell(DataLoaderActor.RequestWork.Instance, worker);
        loader.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var first = worker.ExpectMsg<GradientWorkerActor.Work>();
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var handed = new[] { first, Ask(loader, worker), Ask(loader, worker) }.Select(w => w.Batch.Id).ToList();
        Assert.Equal([new MicroBatchId(0, 0), new MicroBatchId(0, 1), new MicroBatchId(0, 2)], handed);
        loader.Tell(DataLoaderActor.RequestWork.Instance, worker);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the step has no more
    }

    [Fact]
    public void No_micro_batch_is_handed_out_before_its_step_is_opened_and_each_comes_with_that_steps_parameters()
    {
        var loader = Loader(FixedSteps.OfSizes(2, 2, 2));
        var worker = CreateTestProbe();
        loader.Tell(DataLoaderActor.RequestWork.Instance, worker);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // decoded ahead, but step 0 is not open
        loader.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var work = worker.ExpectMsg<GradientWorkerActor.Work>();
        Assert.Equal(new MicroBatchId(0, 0), work.Batch.Id);
        Assert.Same(Version0, work.Parameters);

        loader.Tell(DataLoaderActor.RequestWork.Instance, worker);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // step 1's micro-batch waits for step 1
        var version1 = new ParameterSnapshot(1, [1f]);
        loader.Tell(new DataLoaderActor.OpenStep(1, version1));
        work = worker.ExpectMsg<GradientWorkerActor.Work>();
        Assert.Equal(new MicroBatchId(1, 0), work.Batch.Id);
        Assert.Same(version1, work.Parameters);
    }

    [Fact]
    public void Returned_work_is_handed_out_again()
    {
        var loader = Loader(FixedSteps.OfSizes(2, 2));
        loader.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var crashed = CreateTestProbe();
        var work = Ask(loader, crashed);
        loader.Tell(new DataLoaderActor.ReturnWork(work.Batch), crashed);
        Assert.Equal(work.Batch.Id, Ask(loader, CreateTestProbe()).Batch.Id);
    }

    [Fact]
    public void Opening_a_step_closes_the_earlier_ones_and_their_work_is_never_handed_out_again()
    {
        var loader = Loader(FixedSteps.OfSizes(2, 4, 2));
        loader.Tell(new DataLoaderActor.OpenStep(0, Version0));
        var worker = CreateTestProbe();
        var taken = Ask(loader, worker); // (0, 1) is left behind, as a node's abandoned round leaves its work
        loader.Tell(new DataLoaderActor.OpenStep(1, new ParameterSnapshot(1, [1f])));
        Assert.Equal(new MicroBatchId(1, 0), Ask(loader, worker).Batch.Id);
        loader.Tell(new DataLoaderActor.ReturnWork(taken.Batch), worker); // returned after its step closed
        loader.Tell(DataLoaderActor.RequestWork.Instance, worker);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
