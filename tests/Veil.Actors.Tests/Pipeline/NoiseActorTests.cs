using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Veil.Actors.Pipeline;
using Xunit;

namespace Veil.Actors.Tests.Pipeline;

/// <summary>The noise actor's protocol: record, then noise once, then release; never the other way round.</summary>
public class NoiseActorTests : TestKit
{
    private readonly PipelineLog _log = new();
    private readonly TestProbe _accountant;
    private readonly TestProbe _optimizer;
    private readonly TestProbe _supervisor;
    private readonly IActorRef _noise;

    public NoiseActorTests()
    {
        _accountant = CreateTestProbe();
        _optimizer = CreateTestProbe();
        _supervisor = CreateTestProbe();
        _noise = Sys.ActorOf(NoiseActor.Props(_accountant, _optimizer, _supervisor, new MarkerNoise(_log)));
    }

    private static AccumulatorActor.ClippedSum Sum(long step, params float[] values) => new(step, values, Examples: 5, LossSum: 2.5, ClippedExamples: 1, DuplicatesIgnored: 0);

    [Fact]
    public void Noise_is_added_once_after_the_release_is_recorded()
    {
        _noise.Tell(Sum(3, 1f, 2f));
        Assert.Equal(3, _accountant.ExpectMsg<AccountantActor.RecordRelease>().Step);
        _optimizer.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Empty(_log.Entries); // nothing is noised before the ledger holds the step

        _noise.Tell(new AccountantActor.ReleaseRecorded(3, Sequence: 1, EpsilonSpent: 0.4), _accountant);
        var released = _optimizer.ExpectMsg<NoiseActor.NoisyGradient>();
        Assert.Equal((3L, 5, 0.4), (released.Step, released.Examples, released.EpsilonSpent));
        Assert.Equal(new[] { 1001f, 1002f }, released.NoisySum);

        _noise.Tell(new AccountantActor.ReleaseRecorded(3, Sequence: 1, EpsilonSpent: 0.4), _accountant); // a repeated acknowledgement
        _optimizer.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(["noise:3"], _log.Entries);
    }

    [Fact]
    public void A_step_summed_twice_while_its_release_is_being_recorded_is_recorded_and_noised_once()
    {
        _noise.Tell(Sum(1, 1f));
        _noise.Tell(Sum(1, 1f));
        _accountant.ExpectMsg<AccountantActor.RecordRelease>();
        _accountant.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        _noise.Tell(new AccountantActor.ReleaseRecorded(1, 1, 0.1), _accountant);
        _optimizer.ExpectMsg<NoiseActor.NoisyGradient>();
        _optimizer.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(["noise:1"], _log.Entries);
    }

    [Fact]
    public void A_denied_release_is_neither_noised_nor_released_and_the_supervisor_hears_why()
    {
        _noise.Tell(Sum(2, 1f));
        _accountant.ExpectMsg<AccountantActor.RecordRelease>();
        _noise.Tell(new AccountantActor.ReleaseDenied(2, "budget ε=1 exhausted"), _accountant);
        var refused = _supervisor.ExpectMsg<NoiseActor.ReleaseRefused>();
        Assert.Equal((2L, "budget ε=1 exhausted"), (refused.Step, refused.Reason));
        _noise.Tell(new AccountantActor.ReleaseRecorded(2, 1, 0.1), _accountant); // too late: the step was given up
        _optimizer.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public void A_non_finite_sum_is_never_recorded_and_the_supervisor_hears_why()
    {
        _noise.Tell(Sum(4, 1f, float.PositiveInfinity));
        Assert.Contains("not finite", _supervisor.ExpectMsg<NoiseActor.ReleaseRefused>().Reason);
        _accountant.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Empty(_log.Entries);
    }
}
