using Akka.Actor;
using Akka.TestKit.Xunit2;
using Veil.Actors.Pipeline;
using Veil.DataLoading.Batching;
using Xunit;

namespace Veil.Actors.Tests.Pipeline;

public class CoordinatorActorTests : TestKit
{
    private const int Parameters = 4;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private (PipelineParts Parts, PipelineLog Log, LoggingUpdater Updater) Build(
        FixedSteps steps, int workers, Func<MicroBatchId, bool>? crashOn = null, Func<long, ReleaseDecision?>? decide = null, int totalSteps = -1)
    {
        var log = new PipelineLog();
        var updater = new LoggingUpdater(log, expectedBatchSize: 10);
        var parts = new PipelineParts(
            steps.Plan, steps.Feed(), _ => new OnesComputer(Parameters, log, crashOn), workers,
            new MarkerNoise(log), new LoggingRecorder(log, decide), updater,
            new ParameterSnapshot(0, new float[Parameters]), FirstStep: 0,
            TotalSteps: totalSteps >= 0 ? totalSteps : 5);
        return (parts, log, updater);
    }

    private object Run(PipelineParts parts)
    {
        var coordinator = Sys.ActorOf(CoordinatorActor.Props(parts));
        coordinator.Tell(CoordinatorActor.Start.Instance, TestActor);
        return ExpectMsg<object>(Timeout);
    }

    [Fact]
    public void Noise_is_added_once_per_logical_batch_never_per_micro_batch_or_worker()
    {
        var (parts, log, updater) = Build(FixedSteps.OfSizes(3, 10, 7, 0, 12, 5), workers: 3);
        var finished = Assert.IsType<CoordinatorActor.Finished>(Run(parts));
        Assert.Equal(5, finished.StepsDone);
        var noise = log.Entries.Where(e => e.StartsWith("noise:")).ToList();
        Assert.Equal(["noise:0", "noise:1", "noise:2", "noise:3", "noise:4"], noise);
        // The released sum is the exact clipped sum (the example count here) plus one draw of the marker.
        Assert.Equal(10 + 1000f, updater.Sums[0][0]);
        Assert.Equal(0 + 1000f, updater.Sums[2][0]);
        Assert.Equal(12 + 1000f, updater.Sums[3][0]);
    }

    [Fact]
    public void Ledger_append_happens_before_the_parameter_update_of_every_step()
    {
        var (parts, log, _) = Build(FixedSteps.OfSizes(2, 4, 4, 4, 4, 4), workers: 2);
        Assert.IsType<CoordinatorActor.Finished>(Run(parts));
        var entries = log.Entries;
        for (var step = 0; step < 5; step++)
        {
            var ledger = entries.ToList().IndexOf($"ledger:{step}");
            var noise = entries.ToList().IndexOf($"noise:{step}");
            var update = entries.ToList().IndexOf($"update:{step}");
            Assert.True(ledger >= 0 && ledger < noise && noise < update, $"step {step}: ledger@{ledger}, noise@{noise}, update@{update}");
            // No work of the next step is computed before this step's update: synchronous DP-SGD semantics.
            var nextCompute = entries.ToList().FindIndex(e => e.StartsWith($"compute:{step + 1}:"));
            Assert.True(nextCompute < 0 || nextCompute > update, $"step {step + 1} computed before update {step}");
        }
    }

    [Fact]
    public void A_crashed_worker_is_restarted_and_its_batch_counted_exactly_once()
    {
        var crashed = 0;
        var (parts, log, updater) = Build(FixedSteps.OfSizes(2, 6, 6, 6, 6, 6), workers: 2,
            crashOn: id => id == new MicroBatchId(1, 2) && Interlocked.Exchange(ref crashed, 1) == 0);
        Assert.IsType<CoordinatorActor.Finished>(Run(parts));
        Assert.Equal(1, crashed);
        Assert.Equal(2, log.Entries.Count(e => e == "compute:1:2")); // first attempt crashed, redone once
        Assert.Equal(6 + 1000f, updater.Sums[1][0]); // and counted once in the sum
    }

    [Fact]
    public void A_budget_refusal_stops_the_run_before_the_refused_step_is_released()
    {
        var (parts, log, _) = Build(FixedSteps.OfSizes(2, 4, 4, 4, 4, 4), workers: 2,
            decide: step => step == 3 ? new ReleaseDecision.Refused("budget ε=1 exhausted") : null);
        var failed = Assert.IsType<CoordinatorActor.Failed>(Run(parts));
        Assert.Contains("budget", failed.Reason);
        Assert.Equal(3, failed.StepsDone);
        Assert.DoesNotContain("noise:3", log.Entries);
        Assert.DoesNotContain("update:3", log.Entries);
    }

    [Fact]
    public void An_unwritable_ledger_stops_the_run_with_nothing_released()
    {
        var (parts, log, _) = Build(FixedSteps.OfSizes(2, 4, 4, 4, 4, 4), workers: 1,
            decide: step => step == 2 ? throw new IOException("ledger /tmp/x.sqlite: disk full") : null);
        var failed = Assert.IsType<CoordinatorActor.Failed>(Run(parts));
        Assert.Contains("disk full", failed.Reason);
        Assert.DoesNotContain("update:2", log.Entries);
        Assert.DoesNotContain("noise:2", log.Entries);
    }

    [Fact]
    public void A_failure_that_restarting_cannot_fix_aborts_the_run()
    {
        var (parts, _, _) = Build(FixedSteps.OfSizes(2, 4, 4, 4, 4, 4), workers: 2,
            crashOn: id => id.Step == 1 ? throw new RunMustStopException("non-finite loss at step 1") : false);
        var failed = Assert.IsType<CoordinatorActor.Failed>(Run(parts));
        Assert.Contains("non-finite", failed.Reason);
    }

    [Fact]
    public void A_worker_that_keeps_crashing_aborts_the_run_after_the_restart_limit()
    {
        var (parts, _, _) = Build(FixedSteps.OfSizes(2, 4, 4, 4, 4, 4), workers: 1, crashOn: id => id.Step == 0);
        var failed = Assert.IsType<CoordinatorActor.Failed>(Run(parts with { MaxWorkerRestarts = 3 }));
        Assert.Contains("failed 4 times", failed.Reason);
    }

    [Fact]
    public void A_non_finite_partial_sum_is_never_recorded_nor_released()
    {
        var log = new PipelineLog();
        var steps = FixedSteps.OfSizes(2, 4, 4, 4, 4, 4);
        var parts = new PipelineParts(
            steps.Plan, steps.Feed(), _ => new NaNOnStep(new OnesComputer(Parameters, log), 2), 2,
            new MarkerNoise(log), new LoggingRecorder(log), new LoggingUpdater(log, 10),
            new ParameterSnapshot(0, new float[Parameters]), FirstStep: 0, TotalSteps: 5);
        var failed = Assert.IsType<CoordinatorActor.Failed>(Run(parts));
        Assert.Contains("not finite", failed.Reason);
        Assert.DoesNotContain("ledger:2", log.Entries);
        Assert.DoesNotContain("noise:2", log.Entries);
        Assert.DoesNotContain("update:2", log.Entries);
    }

    private sealed class NaNOnStep(IGradientComputer inner, long step) : IGradientComputer
    {
        public int ParameterCount => inner.ParameterCount;

        public PartialGradient Compute(MicroBatchData work, ParameterSnapshot parameters)
        {
            var partial = inner.Compute(work, parameters);
            if (work.Step == step) partial.ClippedSum[0] = float.NaN;
            return partial;
        }

        public void Dispose() => inner.Dispose();
    }
}
