using Veil.Actors.Cluster.Hosting;
using Veil.Actors.Configuration;
using Veil.Actors.Pipeline;
using Veil.Actors.Training;
using Veil.Ledger.Store;

namespace Veil.Integration.Tests.Support;

/// <summary>Nodes of one test cluster in this process (each its own actor system on a free port), and the single-node reference run.</summary>
public sealed class ClusterHarness : IDisposable
{
    private readonly List<ClusterNode> _nodes = new();
    private readonly int _seedPort = LoopbackPort.Free();

    public ClusterHarness(ClusterTestData data, string name)
    {
        Data = data;
        Runs = data.Path_(name + "-runs");
        Ledger = data.Path_(name + "-ledger.sqlite");
    }

    public ClusterTestData Data { get; }

    public string Runs { get; }

    public string Ledger { get; }

    /// <summary>Extra settings of every node's ledger (e.g. a PostgreSQL backend the coordinators share).</summary>
    public string[] LedgerSettings { get; init; } = [];

    /// <summary>Extra settings of every node (e.g. a fine-tuning run's split and backbone).</summary>
    public string[] Extra { get; init; } = [];

    public StringWriter Log { get; } = new();

    public string Seed => $"akka.tcp://veil@127.0.0.1:{_seedPort}";

    /// <summary>The first node started listens on the seed port; every node joins it. <paramref name="computers"/> replaces the node's
    /// gradient computers (worker index, the plan's clip norm); <paramref name="settings"/> are this node's own extra settings.</summary>
    public ClusterNode Start(string roles, int minWorkers = 1, Func<int, double, IGradientComputer>? computers = null, params string[] settings)
    {
        var port = _nodes.Count == 0 ? _seedPort : LoopbackPort.Free();
        var config = Data.Config(Runs, Ledger, [$"veil.cluster.roles={roles}", $"veil.cluster.port={port}",
            $"veil.cluster.seed-nodes=[\"{Seed}\"]", $"veil.cluster.min-workers={minWorkers}", "veil.cluster.enabled=true", .. LedgerSettings, .. Extra, .. settings]);
        var node = ClusterNode.Start(config, TextWriter.Synchronized(Log), computers: computers);
        _nodes.Add(node);
        return node;
    }

    /// <summary>The same run on one node (TrainingJob as `train` runs it), in its own folder and ledger.</summary>
    public static TrainingResult SingleNode(ClusterTestData data, string name, params string[] extra)
    {
        var config = data.Config(data.Path_(name + "-runs"), data.Path_(name + "-ledger.sqlite"), extra);
        return TrainingJob.Start(TrainingSettings.Create(config), PrivacySettings.Create(config), CheckpointSettings.Create(config),
            ChaosSettings.Off, TelemetrySettings.Create(config), TextWriter.Null, progress: new ProgressLine(TextWriter.Null, ProgressMode.Quiet));
    }

    public static float[] Parameters(string runDirectory) => RunFolder.ReadFloats(Path.Combine(runDirectory, "parameters.f32"));

    public static IReadOnlyList<LedgerRecord> Events(string ledger)
    {
        using var store = SqliteLedgerStore.Open(ledger, createIfMissing: false);
        return store.ReadAll();
    }

    public static (IReadOnlyList<LedgerRecord> Records, bool Valid) PostgresEvents(string connectionString)
    {
        using var store = PostgresLedgerStore.Open(connectionString, createIfMissing: false);
        return (store.ReadAll(), store.Verify().Valid);
    }

    public void Dispose()
    {
        foreach (var node in Enumerable.Reverse(_nodes)) node.Dispose();
    }
}
