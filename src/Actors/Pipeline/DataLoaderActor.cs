using Veil.Actors.Telemetry;
using System.Diagnostics;
using Veil.DataLoading.Batching;
using Akka.Actor;

namespace Veil.Actors.Pipeline;

/// <summary>
/// Hands decoded micro-batches to workers that ask for them. The feed decodes ahead (decoding overlaps
/// the current step's gradients) but a step's work is handed out only once the step is opened with the
/// parameters it must be computed at: the semantics stay those of synchronous DP-SGD. Opening a step closes
/// every earlier one: a micro-batch of a closed step (decoded late, or returned by a restarted worker) is
/// never handed out. On one node that never happens; a cluster node abandons a round when its coordinator
/// moves on without it.
/// </summary>
public sealed class DataLoaderActor : ReceiveActor
{
    /// <summary>The step whose work may now be handed out, and the parameters it is computed at.</summary>
    public sealed record OpenStep(long Step, ParameterSnapshot Parameters, ActivityContext Trace = default);

    public sealed class RequestWork
    {
        public static readonly RequestWork Instance = new();
        private RequestWork() { }
    }

    /// <summary>A micro-batch a worker could not finish; it is handed out again.</summary>
    public sealed record ReturnWork(MicroBatchData Batch);

    private sealed record Decoded(MicroBatchData Batch);

    private sealed record DecodeFailed(Exception Error);

    private sealed record EndOfFeed;

    private readonly IWorkFeed _feed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<long, Queue<MicroBatchData>> _decodedByStep = new();
    private readonly Queue<IActorRef> _idleWorkers = new();
    private readonly HashSet<IActorRef> _idleSet = new();
    private readonly int _maxBuffered;
    private int _buffered;
    private bool _reading;
    private long _openStep = -1;
    private ParameterSnapshot? _parameters;
    private ActivityContext _trace;

    public DataLoaderActor(IWorkFeed feed, int maxBuffered)
    {
        _feed = feed;
        _maxBuffered = Math.Max(1, maxBuffered);
        Receive<OpenStep>(m =>
        {
            _openStep = m.Step;
            _parameters = m.Parameters;
            _trace = m.Trace;
            foreach (var closed in _decodedByStep.Keys.Where(step => step < m.Step).ToList())
                if (_decodedByStep.Remove(closed, out var stale)) _buffered -= stale.Count;
            Dispatch();
        });
        Receive<RequestWork>(_ =>
        {
            if (_idleSet.Add(Sender)) _idleWorkers.Enqueue(Sender);
            Dispatch();
        });
        Receive<ReturnWork>(m =>
        {
            Keep(m.Batch);
            Dispatch();
        });
        Receive<EndOfFeed>(_ => _reading = true); // nothing more will come: never read again
        Receive<Decoded>(m =>
        {
            _reading = false;
            Keep(m.Batch);
            Dispatch();
            ReadNext();
        });
        Receive<DecodeFailed>(m => throw new DataLoadingFailedException(m.Error));
    }

    public static Props Props(IWorkFeed feed, int maxBuffered) => Akka.Actor.Props.Create(() => new DataLoaderActor(feed, maxBuffered));

    protected override void PreStart() => ReadNext();

    protected override void PostStop()
    {
        _stop.Cancel();
        _feed.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
    }

    private void Keep(MicroBatchData batch)
    {
        if (batch.Step < _openStep) return;
        if (!_decodedByStep.TryGetValue(batch.Step, out var queue)) _decodedByStep[batch.Step] = queue = new Queue<MicroBatchData>();
        queue.Enqueue(batch);
        _buffered++;
    }

    // One outstanding read at a time, and none while maxBuffered decoded batches wait here: together with
    // the feed's bounded channel this is the back-pressure that keeps decoded data in memory bounded.
    private void ReadNext()
    {
        if (_reading || _buffered >= _maxBuffered) return;
        _reading = true;
        var token = _stop.Token;
        _feed.ReadAsync(token).AsTask().PipeTo(Self,
            success: batch => batch is null ? new EndOfFeed() : new Decoded(batch),
            failure: e => e is OperationCanceledException ? Status.Success.Instance : new DecodeFailed(e));
    }

    private void Dispatch()
    {
        if (_parameters is null || !_decodedByStep.TryGetValue(_openStep, out var ready)) return;
        while (ready.Count > 0 && _idleWorkers.Count > 0)
        {
            var worker = _idleWorkers.Dequeue();
            _idleSet.Remove(worker);
            var batch = ready.Dequeue();
            using (var span = VeilTelemetry.Traces.StartActivity("veil.load", ActivityKind.Internal, _trace))
                span?.SetTag("veil.step", batch.Step).SetTag("veil.micro_batch", batch.Index);
            worker.Tell(new GradientWorkerActor.Work(batch, _parameters, _trace));
            VeilTelemetry.StageWorked("loader", TimeSpan.Zero);
            _buffered--;
        }
        VeilTelemetry.QueueDepth(_buffered);
        ReadNext();
    }
}
