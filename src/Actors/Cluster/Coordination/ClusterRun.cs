using Akka.Actor;
using Veil.Actors.Configuration;
using Veil.Actors.Training;

namespace Veil.Actors.Cluster.Coordination;

/// <summary>
/// The one run a cluster trains, as every coordinator-capable node knows it: its settings, and a marker
/// file (&lt;veil.run.dir&gt;/cluster-run) naming the run folder once it exists. Whichever node hosts the
/// singleton starts the run if there is no marker, resumes it (checkpoint + ledger) if there is one, and
/// does nothing if it has already finished. The run folder and ledger must be on storage every
/// coordinator node sees (one machine, or a shared file system; a server ledger for real clusters).
/// </summary>
public sealed class ClusterRun(
    TrainingSettings training, PrivacySettings privacy, CheckpointSettings checkpoint, ChaosSettings chaos, TelemetrySettings telemetry,
    ClusterSettings cluster, TextWriter log, string? ledgerPathOverride = null)
{
    public const string MarkerName = "cluster-run";

    public TextWriter Log { get; } = log;

    public string MarkerPath => Path.GetFullPath(Path.Combine(training.RunDirectory, MarkerName));

    /// <summary>The run folder if the marked run already finished (it has result.json), else null.</summary>
    public string? FinishedRun()
    {
        var path = MarkedRun();
        return path is not null && File.Exists(Path.Combine(path, "result.json")) ? path : null;
    }

    public PreparedRun Prepare(ActorSystem system)
    {
        Func<WorkSourceContext, Props> workSource = ctx => WorkDispatcherActor.Props(new WorkDispatcherSettings(
            ctx.Plan, ctx.RunId, ctx.Model, cluster.MinWorkers, cluster.ChunkBytes, ctx.PlanStep, ctx.Accumulator, Log,
            ctx.AugmentationSeed, cluster.ReductionFanIn));
        if (MarkedRun() is { } running)
        {
            Log.WriteLine($"cluster: coordinator on {Akka.Cluster.Cluster.Get(system).SelfAddress} resumes run {running}");
            return TrainingJob.PrepareResume(running, chaos, telemetry, Log, new ProgressLine(Log), workSource);
        }
        var prepared = TrainingJob.PrepareStart(training, privacy, checkpoint, chaos, telemetry, Log, ledgerPathOverride, new ProgressLine(Log), workSource);
        var temporary = MarkerPath + ".partial";
        File.WriteAllText(temporary, prepared.RunPath);
        File.Move(temporary, MarkerPath, overwrite: true);
        Log.WriteLine($"cluster: coordinator on {Akka.Cluster.Cluster.Get(system).SelfAddress} started run {prepared.RunPath}");
        return prepared;
    }

    private string? MarkedRun()
    {
        if (!File.Exists(MarkerPath)) return null;
        var path = File.ReadAllText(MarkerPath).Trim();
        return Directory.Exists(path) ? path : null;
    }
}
