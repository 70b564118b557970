using Veil.DataLoading.Batching;
namespace Veil.Actors.Pipeline;

/// <summary>Everything the coordinator wires into a training pipeline; real (TorchSharp, SQLite) or fakes in tests.</summary>
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
    ICheckpointSink? Checkpoints = null);
