using System.Diagnostics;
using Veil.Actors.Checkpoints;
using Veil.Actors.Chaos;
using Veil.Actors.Configuration;
using Veil.Actors.Pipeline;
using Veil.Compute.Optimizers;
using Veil.Ledger.Store;

namespace Veil.Actors.Training;

/// <summary>Writes a run's checkpoints every k steps and/or t minutes, and at the end; the optimizer's whole state (velocity, average) goes in each.</summary>
public sealed class RunCheckpointer(
    CheckpointStore store, CheckpointSettings policy, SgdMomentum optimizer, ExponentialMovingAverage? average, ILedgerStore ledger, string runId,
    Func<long, ParameterSnapshot, OptimizerState, long, long, Checkpoint> build, long corruptAtStep, TextWriter log) : ICheckpointSink
{
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();

    public void AfterStep(long stepsApplied, ParameterSnapshot parameters, bool lastStep)
    {
        var due = lastStep
            || (policy.EverySteps > 0 && stepsApplied % policy.EverySteps == 0)
            || (policy.EveryMinutes > 0 && _sinceLast.Elapsed.TotalMinutes >= policy.EveryMinutes);
        if (!due) return;
        var records = ledger.ReadAll();
        var runEvents = records.LongCount(r => r.RunId == runId);
        var state = new OptimizerState(optimizer.ExportVelocity(), average?.Export());
        var path = store.Save(build(stepsApplied, parameters, state, records.Count == 0 ? 0 : records[^1].Sequence, runEvents));
        _sinceLast.Restart();
        if (stepsApplied - 1 == corruptAtStep)
        {
            ChaosLog.Injected($"corruption of checkpoint {path}");
            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 0xFF;
            File.WriteAllBytes(path, bytes);
        }
        log.WriteLine($"checkpoint: {stepsApplied} steps applied → {path}");
    }
}
