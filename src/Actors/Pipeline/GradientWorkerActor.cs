using Veil.Actors.Telemetry;
using System.Diagnostics;
using Veil.DataLoading.Batching;
using Akka.Actor;

namespace Veil.Actors.Pipeline;

/// <summary>
/// One per device. Pulls work from the loader, so a slow worker never drowns; computes the clipped
/// gradient sum of a micro-batch on its own model replica and sends it to the accumulator. If it
/// crashes mid-batch, the batch goes back to the loader before the restart, to be redone exactly once.
/// </summary>
public sealed class GradientWorkerActor : ReceiveActor
{
    public sealed record Work(MicroBatchData Batch, ParameterSnapshot Parameters, ActivityContext Trace = default);

    private readonly IActorRef _loader;
    private readonly IActorRef _accumulator;
    private readonly Func<IGradientComputer> _createComputer;
    private IGradientComputer? _computer;

    public GradientWorkerActor(IActorRef loader, IActorRef accumulator, Func<IGradientComputer> createComputer)
    {
        _loader = loader;
        _accumulator = accumulator;
        _createComputer = createComputer;
        Receive<Work>(OnWork);
    }

    public static Props Props(IActorRef loader, IActorRef accumulator, Func<IGradientComputer> createComputer) =>
        Akka.Actor.Props.Create(() => new GradientWorkerActor(loader, accumulator, createComputer));

    protected override void PreStart()
    {
        _computer = _createComputer();
        _loader.Tell(DataLoaderActor.RequestWork.Instance);
    }

    protected override void PreRestart(Exception reason, object message)
    {
        if (message is Work work) _loader.Tell(new DataLoaderActor.ReturnWork(work.Batch));
        _computer?.Dispose();
        _computer = null;
        // No base call: it would stop the children and call PostStop; a worker has none, and PostStop disposes twice.
    }

    protected override void PostStop()
    {
        _computer?.Dispose();
        _computer = null;
    }

    private void OnWork(Work work)
    {
        using var span = VeilTelemetry.Traces.StartActivity("veil.gradient", ActivityKind.Internal, work.Trace);
        span?.SetTag("veil.step", work.Batch.Step).SetTag("veil.micro_batch", work.Batch.Index).SetTag("veil.examples", work.Batch.Count);
        var clock = Stopwatch.StartNew();
        var partial = _computer!.Compute(work.Batch, work.Parameters);
        VeilTelemetry.StageWorked("worker", clock.Elapsed);
        if (partial.PerExampleNorms is { } norms)
            foreach (var n in norms) VeilTelemetry.GradientNorm.Record(n, VeilTelemetry.NonPrivate);
        _accumulator.Tell(new AccumulatorActor.PartialSum(work.Batch.Id, partial, span?.Context ?? work.Trace));
        _loader.Tell(DataLoaderActor.RequestWork.Instance);
    }
}
