using System.Runtime.InteropServices;
using Config = Akka.Configuration.Config;
using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.PerExample;
using Veil.DataLoading.Sources;
using static TorchSharp.torch;

namespace Veil.Actors.Library;

/// <summary>
/// DP-SGD for a caller's own TorchSharp network and data, as a library: the same private-run lifecycle as `train`
/// (ledger, data scope, budget per example, secrets, run folder), the same actor pipeline, checkpoints, telemetry and
/// report; only the model and the data come from the caller instead of veil.model.name and veil.data.*. Everything
/// that decides privacy still comes from the configuration (veil.dp.*, veil.privacy.*). See docs/library.md.
/// </summary>
public static class PrivateTraining
{
    /// <summary>
    /// Trains a fresh network from <paramref name="model"/> privately on <paramref name="train"/>, evaluates it on
    /// <paramref name="test"/> and returns ε read back from the ledger. <paramref name="model"/> is called once per
    /// replica (workers, evaluation), possibly on another thread, with veil.model.init-seed or 0, and must return a new
    /// network each time; only the starting replica's weights matter, the others are overwritten. It must take
    /// [batch, C, H, W] (the sources' shape) and return [batch, classes] logits. Refused before any privacy is spent:
    /// a layer that mixes examples (BatchNorm) or has no per-example rule, a network that does not fit the data,
    /// and configuration keys that choose a model or data (they would be ignored).
    /// </summary>
    /// <param name="name">The model's name in plan.json and the report; the network's type name when null.</param>
    /// <param name="log">Progress and the run's messages; nothing when null.</param>
    public static TrainingResult Run(
        Config config, Func<long, nn.Module<Tensor, Tensor>> model, IImageSource train, IImageSource test, TextWriter? log = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        log ??= TextWriter.Null;
        var t = TrainingSettings.Create(config);
        RefuseIgnoredKeys(config, t);
        TrainingJob.PrepareTorch(t);
        var (modelName, classes) = Probe(model, t, train, test, name);
        var shape = new long[] { train.Shape.Channels, train.Shape.Height, train.Shape.Width };
        t = t with { Model = CustomModel.NamePrefix + modelName };
        var data = RunData.FromSources(t, new BorrowedImageSource(train), new BorrowedImageSource(test), classes);
        var prepared = TrainingJob.PrepareStart(t, PrivacySettings.Create(config), CheckpointSettings.Create(config), ChaosSettings.Create(config),
            TelemetrySettings.Create(config), log, data,
            _ => new RunModels(t, classes, seed => new CustomModel(modelName, shape, classes, Built(model, seed, modelName))));
        return TrainingJob.RunLocally(prepared);
    }

    /// <summary>Loads the parameters a finished run released (runs/&lt;id&gt;/parameters.f32) into a network built as the run's was.</summary>
    public static void LoadReleased(TrainingResult result, nn.Module network)
    {
        var file = Path.Combine(result.RunDirectory, "parameters.f32");
        if (!File.Exists(file))
            throw new FileNotFoundException($"{file} does not exist: run {result.RunId} did not finish, so it released no parameters", file);
        try
        {
            ParameterVector.Load(network, RunFolder.ReadFloats(file));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(
                $"the parameters of run {result.RunId} ({file}) do not fit {network.GetType().Name}: {e.Message}; build the network as the run's factory did",
                nameof(network), e);
        }
    }

    /// <summary>
    /// The command line's entry points (train --resume, export, predict, evaluate) rebuild a run's model from its saved
    /// settings; a caller's network exists only in the caller's code, so they refuse it, saying what to do instead.
    /// </summary>
    internal static void RefuseRebuilding(TrainingSettings t)
    {
        if (!CustomModel.IsCustom(t.Model)) return;
        throw new TrainingFailedException(
            $"the run's model {t.Model} is a caller's own network (a run of PrivateTraining.Run): the command line cannot build it again, so it " +
            "cannot resume, export, predict with or evaluate this run. Its released parameters are in runs/<id>/parameters.f32 " +
            "(PrivateTraining.LoadReleased loads them into the caller's network); an unfinished run cannot be resumed: start a new one " +
            "with PrivateTraining.Run (the ledger keeps counting what the unfinished run spent)");
    }

    // Keys that choose the model or the data of `train`: under the library they would be silently ignored.
    private static void RefuseIgnoredKeys(Config config, TrainingSettings t)
    {
        var reference = TrainingSettings.Create(VeilConfiguration.Reference);
        var ignored = new (string Key, bool Set)[]
        {
            ("veil.mode", LastLayerSettings.Mode(config) != RunMode.DpSgd),
            ("veil.model.name", t.Model != reference.Model),
            ("veil.model.weight-standardisation", t.WeightStandardisation),
            ("veil.data.path", !string.IsNullOrWhiteSpace(t.DataPath)),
            ("veil.data.source", t.UsesImageSource),
            ("veil.data.test-source", !string.IsNullOrWhiteSpace(t.TestSource)),
            ("veil.data.train-examples", t.TrainExamples != 0),
            ("veil.public.split", t.PublicSplit.Enabled),
            ("veil.init.from", t.Initialisation.FromBackbone),
            ("veil.cluster.enabled", ClusterSettings.Create(config).Enabled),
        }.FirstOrDefault(k => k.Set).Key;
        if (ignored is not null)
            throw new ConfigurationException(
                $"{ignored} is set, but PrivateTraining.Run trains the caller's model on the caller's sources, on this machine, " +
                $"with DP-SGD: remove {ignored} from the configuration (or use ./run.sh train for catalog models and configured data)");
    }

    /// <summary>
    /// Builds the network twice and runs one zero example through it, so that whatever would fail mid-run fails here, before the
    /// ledger is opened.
    /// </summary>
    private static (string Name, int Classes) Probe(
        Func<long, nn.Module<Tensor, Tensor>> model, TrainingSettings t, IImageSource train, IImageSource test, string? name)
    {
        var first = model(t.InitSeed) ?? throw new ArgumentException("the model factory returned null; return a new network", nameof(model));
        using var _ = first;
        var modelName = string.IsNullOrWhiteSpace(name) ? first.GetType().Name : name;
        using (var second = model(t.InitSeed))
            if (ReferenceEquals(first, second))
                throw new ArgumentException(
                    $"the factory of model {modelName} returned the same network twice; every replica trains on a thread of its own " +
                    "and must be a new one: return a new network from each call (seed => new MyNet(seed))", nameof(model));
        // The caller's network as the root ("model.conv1"), so the path names a field of the caller's own class.
        PerExampleValidator.Validate(first, TrainingJob.Unsupported(t));
        if (test.Shape != train.Shape)
            throw new ArgumentException($"test = {test.Description} holds {test.Shape} images, but train = {train.Description} holds {train.Shape}; " +
                                        "give test examples of the training shape", nameof(test));
        var dataClasses = Math.Max(train.Classes, test.Classes);
        long[] outputShape;
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            outputShape = first.call(zeros(1, train.Shape.Channels, train.Shape.Height, train.Shape.Width)).shape;
        }
        catch (Exception e) when (e is ExternalException or ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException(
                $"model {modelName} fails on one {train.Shape} example of train = {train.Description}: {e.Message}; it must take [batch, " +
                $"{train.Shape.Channels}, {train.Shape.Height}, {train.Shape.Width}] and return [batch, classes]", nameof(model), e);
        }
        if (outputShape.Length != 2 || outputShape[1] < Math.Max(2, dataClasses))
            throw new ArgumentException(
                $"model {modelName} returns [{string.Join(", ", outputShape)}] for one example, but train and test have {dataClasses} classes: " +
                $"it must return [batch, classes] logits with at least {Math.Max(2, dataClasses)} classes", nameof(model));
        return (modelName, (int)outputShape[1]);
    }

    private static nn.Module<Tensor, Tensor> Built(Func<long, nn.Module<Tensor, Tensor>> model, long seed, string name) =>
        model(seed) ?? throw new InvalidOperationException($"the factory of model {name} returned null for seed {seed}; return a new network");
}
