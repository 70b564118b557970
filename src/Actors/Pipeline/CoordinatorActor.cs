using Veil.Actors.Telemetry;
using Veil.DataLoading.Batching;
using System.Diagnostics;
using Akka.Actor;
using Akka.Event;

namespace Veil.Actors.Pipeline;

/// <summary>
/// Runs synchronous DP-SGD as a pipeline of supervised children:
/// loader → workers → accumulator → noise → accountant (ledger) → optimizer → back here.
/// States: Running(step) → Finished | Failed(reason). Step s+1 opens only when step s's update is applied.
/// </summary>
public sealed class CoordinatorActor : ReceiveActor
{
    public const string WorkerNamePrefix = "worker-";

    /// <summary>Start the run; the sender gets <see cref="Finished"/> or <see cref="Failed"/>.</summary>
    public sealed class Start
    {
        public static readonly Start Instance = new();
        private Start() { }
    }

    public sealed record Finished(ParameterSnapshot Parameters, long StepsDone, StepReport? LastStep);

    public sealed record Failed(string Reason, long StepsDone);

    private sealed record AbortRun(string Reason);

    private readonly PipelineParts _parts;
    private readonly Action<StepReport>? _onStep;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Stopwatch _clock = new();
    private IActorRef _loader = ActorRefs.Nobody;
    private IActorRef _accumulator = ActorRefs.Nobody;
    private IActorRef? _requester;
    private int _workerRestarts;
    private long _stepsDone;
    private StepReport? _last;
    private Activity? _stepSpan;
    private TimeSpan _stepStarted;

    public CoordinatorActor(PipelineParts parts, Action<StepReport>? onStep)
    {
        _parts = parts;
        _onStep = onStep;
        Become(Idle);
    }

    public static Props Props(PipelineParts parts, Action<StepReport>? onStep = null) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(parts, onStep));

    // Akka's own failure logging is off: every failure is logged here once, with the decision taken.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(-1, -1, error =>
    {
        var child = Sender.Path.Name;
        var decision = FailurePolicy.Decide(child, error, _workerRestarts, _parts.MaxWorkerRestarts);
        _log.Warning("failure in {0}: {1} → {2}", child, error.Message, decision);
        switch (decision)
        {
            case FailureDecision.Restart:
                _workerRestarts++;
                return Directive.Restart;
            case FailureDecision.Abort abort:
                Self.Tell(new AbortRun(abort.Reason));
                return Directive.Stop;
            default:
                throw new InvalidOperationException($"unknown failure decision {decision}");
        }
    }, loggingEnabled: false);

    private void Idle()
    {
        Receive<Start>(_ =>
        {
            _requester = Sender;
            var parameterCount = _parts.Initial.Values.Length;
            var optimizer = Context.ActorOf(OptimizerActor.Props(_parts.Updater, _parts.Initial, Self), "optimizer");
            var accountant = Context.ActorOf(AccountantActor.Props(_parts.Recorder), "accountant");
            var noise = Context.ActorOf(NoiseActor.Props(accountant, optimizer, Self, _parts.Noise), "noise");
            _accumulator = Context.ActorOf(AccumulatorActor.Props(noise), "accumulator");
            if (_parts.WorkSource is not null)
                _loader = Context.ActorOf(_parts.WorkSource(_accumulator), "work-source");
            else
                _loader = Context.ActorOf(DataLoaderActor.Props(_parts.Feed, _parts.MaxBufferedMicroBatches), "loader");
            for (var w = 0; _parts.WorkSource is null && w < _parts.Workers; w++)
            {
                var index = w;
                var props = GradientWorkerActor.Props(_loader, _accumulator, () => _parts.CreateComputer(index));
                if (_parts.WorkerDispatcher is not null) props = props.WithDispatcher(_parts.WorkerDispatcher);
                Context.ActorOf(props, WorkerNamePrefix + w);
            }
            _clock.Start();
            if (_parts.FirstStep >= _parts.TotalSteps)
            {
                Finish(_parts.Initial);
                return;
            }
            Become(Running);
            OpenStep(_parts.FirstStep, _parts.Initial, parameterCount);
        });
    }

    private void Running()
    {
        Receive<OptimizerActor.StepDone>(m =>
        {
            _stepsDone++;
            var meanLoss = m.Examples > 0 ? m.LossSum / m.Examples : double.NaN;
            var clipFraction = m.Examples > 0 ? (double)m.ClippedExamples / m.Examples : 0;
            _last = new StepReport(m.Step, _parts.TotalSteps, m.Examples, meanLoss, clipFraction, m.EpsilonSpent, _clock.Elapsed, m.Parameters);
            _stepSpan?.SetTag("veil.examples", m.Examples);
            _stepSpan?.Dispose();
            _stepSpan = null;
            VeilTelemetry.Steps.Add(1);
            VeilTelemetry.StepDuration.Record((_clock.Elapsed - _stepStarted).TotalSeconds);
            VeilTelemetry.Examples.Record(m.Examples);
            VeilTelemetry.RealisedBatch.Record(m.Examples, VeilTelemetry.NonPrivate);
            if (m.Examples > 0)
            {
                VeilTelemetry.Loss.Record(meanLoss, VeilTelemetry.NonPrivate);
                VeilTelemetry.ClipFraction.Record(clipFraction, VeilTelemetry.NonPrivate);
            }
            _onStep?.Invoke(_last);
            var last = m.Step + 1 >= _parts.TotalSteps;
            try
            {
                _parts.Checkpoints?.AfterStep(m.Step + 1, m.Parameters, last);
            }
            catch (Exception e)
            {
                Fail($"checkpoint after step {m.Step} failed: {e.Message}");
                return;
            }
            if (last) Finish(m.Parameters);
            else OpenStep(m.Step + 1, m.Parameters, m.Parameters.Values.Length);
        });
        Receive<NoiseActor.ReleaseRefused>(m => Fail($"step {m.Step} was not released: {m.Reason}"));
        Receive<AbortRun>(m => Fail(m.Reason));
    }

    private void OpenStep(long step, ParameterSnapshot parameters, int parameterCount)
    {
        // One trace per step; its context travels inside every message of the step, across actors.
        _stepStarted = _clock.Elapsed;
        _stepSpan = VeilTelemetry.Traces.StartActivity("veil.step", ActivityKind.Internal, parentContext: default);
        _stepSpan?.SetTag("veil.step", step);
        var trace = _stepSpan?.Context ?? default;
        StepPlan plan;
        using (var sample = VeilTelemetry.Traces.StartActivity("veil.sample", ActivityKind.Internal, trace))
        {
            // Deterministic per (seed, step): the feed drew the same plan when it decoded this step ahead.
            plan = _parts.PlanStep(step);
            sample?.SetTag("veil.step", step).SetTag("veil.micro_batches", plan.MicroBatchCount);
        }
        _accumulator.Tell(new AccumulatorActor.Expect(step, plan.MicroBatchCount, parameterCount, trace));
        _loader.Tell(new DataLoaderActor.OpenStep(step, parameters, trace));
    }

    private void Finish(ParameterSnapshot parameters)
    {
        _requester?.Tell(new Finished(parameters, _stepsDone, _last));
        Become(Done);
        Context.Stop(Self);
    }

    private void Fail(string reason)
    {
        _requester?.Tell(new Failed(reason, _stepsDone));
        Become(Done);
        Context.Stop(Self);
    }

    private void Done() => ReceiveAny(_ => { });
}
