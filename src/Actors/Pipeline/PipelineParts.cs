using Akka.Actor;
using Veil.DataLoading.Batching;
namespace Veil.Actors.Pipeline;

/// <summary>
/// Everything the coordinator wires into a training pipeline; real (TorchSharp, SQLite) or fakes in tests.
/// <see cref="WorkSource"/>, when set, replaces the local loader and workers (cluster mode): given the
/// accumulator, it makes the actor that receives each <see cref="DataLoaderActor.OpenStep"/> and delivers
/// the step's partial sums there; Feed, CreateComputer and Workers are then unused.
/// </summary>
public sealed record PipelineParts(
    Func<long, StepPlan> PlanStep,
    IWorkFeed Feed,
    Func<int, IGradientComputer> CreateComputer,
    int Workers,
    INoiseSource Noise,
    IReleaseRecorder Recorder,
    IParameterUpdater Updater,
    ParameterSnapshot Initial,
    long FirstStep,
    long TotalSteps,
    int MaxBufferedMicroBatches = 16,
    int MaxWorkerRestarts = 10,
    string? WorkerDispatcher = null,
    ICheckpointSink? Checkpoints = null,
    Func<IActorRef, Props>? WorkSource = null);
