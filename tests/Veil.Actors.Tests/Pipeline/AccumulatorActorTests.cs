using Akka.Actor;
using Akka.TestKit.Xunit2;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;
using Xunit;

namespace Veil.Actors.Tests.Pipeline;

public class AccumulatorActorTests : TestKit
{
    private static AccumulatorActor.PartialSum Partial(long step, int index, int examples, int parameters = 3) =>
        new(new MicroBatchId(step, index), new PartialGradient(Enumerable.Repeat((float)examples, parameters).ToArray(), examples, examples, 0));

    [Fact]
    public void A_duplicate_micro_batch_is_ignored()
    {
        var noise = CreateTestProbe();
        var accumulator = Sys.ActorOf(AccumulatorActor.Props(noise));
        accumulator.Tell(new AccumulatorActor.Expect(0, 2, 3));
        accumulator.Tell(Partial(0, 0, 5));
        accumulator.Tell(Partial(0, 0, 5));
        accumulator.Tell(Partial(0, 1, 2));
        var sum = noise.ExpectMsg<AccumulatorActor.ClippedSum>();
        Assert.Equal(7, sum.Examples);
        Assert.Equal(new float[] { 7, 7, 7 }, sum.Sum);
        Assert.Equal(1, sum.DuplicatesIgnored);
        accumulator.Tell(Partial(0, 1, 2)); // after completion: still never counted
        noise.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void The_sum_is_released_only_when_every_expected_micro_batch_arrived()
    {
        var noise = CreateTestProbe();
        var accumulator = Sys.ActorOf(AccumulatorActor.Props(noise));
        accumulator.Tell(Partial(4, 2, 1)); // before Expect: held, not lost
        accumulator.Tell(new AccumulatorActor.Expect(4, 3, 3));
        accumulator.Tell(Partial(4, 0, 1));
        noise.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        accumulator.Tell(Partial(4, 1, 1));
        Assert.Equal(3, noise.ExpectMsg<AccumulatorActor.ClippedSum>().Examples);
    }

    [Fact]
    public void An_empty_poisson_batch_still_produces_a_zero_sum_to_be_noised()
    {
        var noise = CreateTestProbe();
        var accumulator = Sys.ActorOf(AccumulatorActor.Props(noise));
        accumulator.Tell(new AccumulatorActor.Expect(9, 0, 4));
        var sum = noise.ExpectMsg<AccumulatorActor.ClippedSum>();
        Assert.Equal(9, sum.Step);
        Assert.Equal(new float[4], sum.Sum);
    }

    private static AccumulatorActor.PartialSum Covering(long step, int examples, params int[] indices) =>
        new(new MicroBatchId(step, indices[0]), new PartialGradient([examples], examples, 0, 0), default, indices);

    [Fact]
    public void A_node_sum_covering_micro_batches_already_counted_is_ignored_whole()
    {
        var noise = CreateTestProbe();
        var accumulator = Sys.ActorOf(AccumulatorActor.Props(noise));
        accumulator.Tell(new AccumulatorActor.Expect(0, 4, 1));
        accumulator.Tell(Covering(0, 3, 0, 1));      // a node's sum over micro-batches 0 and 1
        accumulator.Tell(Covering(0, 9, 1, 2, 3));   // a late sum overlapping it: cannot be taken apart, ignored
        noise.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        accumulator.Tell(Covering(0, 4, 2));         // the reassigned shards, split over two nodes
        accumulator.Tell(Covering(0, 5, 3));
        var sum = noise.ExpectMsg<AccumulatorActor.ClippedSum>();
        Assert.Equal(new float[] { 3 + 4 + 5 }, sum.Sum);
        Assert.Equal(1, sum.DuplicatesIgnored);
    }
}
