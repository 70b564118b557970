using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Veil.DataLoading.Batching;

namespace Veil.DataLoading.Prefetch;

/// <summary>
/// Decodes the micro-batches of a sequence of steps ahead of their consumers, into a bounded
/// channel (<see cref="BoundedChannelFullMode.Wait"/>): decoding of step s+1 overlaps the gradients
/// of step s, and a slow consumer makes the decoders wait instead of filling memory.
///
/// Shape: one feeder walks the step plans (lazily, so an endless plan sequence is fine) into a
/// bounded work channel; <see cref="PrefetchSettings.DecodeTasks"/> tasks take specs from it, decode,
/// and write to the output channel. Consumers pull with <see cref="ReadAsync"/> (or <see cref="Reader"/>).
/// Order: micro-batches leave in plan order up to the few that decode tasks reorder; their
/// <see cref="MicroBatchId"/> makes order irrelevant downstream.
///
/// Endings: after the last micro-batch the channel completes and ReadAsync returns null. If a
/// decode fails, everything already decoded is still delivered, then ReadAsync throws a
/// <see cref="MicroBatchDecodeException"/> naming the micro-batch and the file, and decoding stops.
/// Cancelling the token (or disposing) stops the tasks and makes readers see an
/// <see cref="OperationCanceledException"/>. Empty steps produce no micro-batches here; the step's
/// <see cref="StepPlan.MicroBatchCount"/> of 0 tells the accumulator not to wait for any.
/// </summary>
public sealed class MicroBatchPrefetcher : IAsyncDisposable
{
    private readonly IMicroBatchDecoder _decoder;
    private readonly IEnumerable<StepPlan> _steps;
    private readonly PrefetchSettings _settings;
    private readonly Channel<MicroBatchData> _output;
    private readonly CancellationTokenSource _stop;
    private readonly Task _run;
    private Exception? _failure;
    private long _decoded;
    private int _disposed;

    /// <summary>Starts decoding at once.</summary>
    public MicroBatchPrefetcher(IMicroBatchDecoder decoder, IEnumerable<StepPlan> steps, PrefetchSettings settings,
                                CancellationToken cancellationToken = default)
    {
        _decoder = decoder;
        _steps = steps;
        _settings = settings;
        _output = Channel.CreateBounded<MicroBatchData>(new BoundedChannelOptions(settings.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = settings.DecodeTasks == 1,
        });
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _run = Task.Run(RunAsync);
    }

    /// <summary>The output channel, for consumers that want the raw Channels API.</summary>
    public ChannelReader<MicroBatchData> Reader => _output.Reader;

    /// <summary>Decoded micro-batches waiting in the channel now (never above the capacity).</summary>
    public int Buffered => _output.Reader.Count;

    /// <summary>Micro-batches decoded so far (telemetry and benchmarks).</summary>
    public long Decoded => Interlocked.Read(ref _decoded);

    /// <summary>
    /// The next micro-batch, or null when every step has been delivered. Throws the
    /// <see cref="MicroBatchDecodeException"/> itself (not wrapped in ChannelClosedException).
    /// </summary>
    public async ValueTask<MicroBatchData?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (await _output.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_output.Reader.TryRead(out MicroBatchData? item)) return item;
        }
        return null;
    }

    /// <summary>Every micro-batch until the end; same error behaviour as <see cref="ReadAsync"/>.</summary>
    public async IAsyncEnumerable<MicroBatchData> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } item) yield return item;
    }

    private async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        Channel<MicroBatchSpec> work = Channel.CreateBounded<MicroBatchSpec>(new BoundedChannelOptions(_settings.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });
        var tasks = new List<Task> { Task.Run(() => FeedAsync(work.Writer, stop)) };
        for (int t = 0; t < _settings.DecodeTasks; t++) tasks.Add(Task.Run(() => DecodeAsync(work.Reader, stop)));
        await Task.WhenAll(tasks).ConfigureAwait(false);   // the loops catch their own exceptions

        if (Volatile.Read(ref _failure) is { } failure) _output.Writer.TryComplete(failure);
        else if (stop.IsCancellationRequested) _output.Writer.TryComplete(new OperationCanceledException("prefetching was cancelled", stop));
        else _output.Writer.TryComplete();
    }

    private async Task FeedAsync(ChannelWriter<MicroBatchSpec> work, CancellationToken stop)
    {
        try
        {
            foreach (StepPlan plan in _steps)
            foreach (MicroBatchSpec spec in plan.MicroBatches)
                await work.WriteAsync(spec, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        catch (Exception e) { Fail(e); }           // a failing plan sequence (e.g. the sampler) reaches readers too
        finally { work.TryComplete(); }
    }

    private async Task DecodeAsync(ChannelReader<MicroBatchSpec> work, CancellationToken stop)
    {
        try
        {
            await foreach (MicroBatchSpec spec in work.ReadAllAsync(stop).ConfigureAwait(false))
            {
                MicroBatchData data;
                try
                {
                    data = _decoder.Decode(spec);
                }
                catch (Exception e)
                {
                    Fail(new MicroBatchDecodeException(spec.Id, _decoder.Source, e));
                    return;
                }
                Interlocked.Increment(ref _decoded);
                await _output.Writer.WriteAsync(data, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        catch (Exception e) { Fail(e); }
    }

    // The first failure wins and stops everyone; the output channel is completed with it once the
    // tasks have stopped, after the micro-batches already decoded.
    private void Fail(Exception failure)
    {
        if (Interlocked.CompareExchange(ref _failure, failure, null) is null) _stop.Cancel();
    }

    /// <summary>Stops decoding and waits for the decode tasks to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        await _run.ConfigureAwait(false);
        _stop.Dispose();
    }
}
