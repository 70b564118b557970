using System.Text.Json.Serialization;
using Akka.Configuration;
using Veil.Compute.Clipping;
using Veil.Compute.PerExample;
using Veil.DataLoading.Sources;

namespace Veil.Actors.Configuration;

/// <summary>`veil.run/data/model/dp/optimizer/runtime/eval.*`, read and validated once. The privacy-deciding values are a
/// record of their own (<see cref="Dp"/>, veil.dp.*), the only one the frozen DpPlan is built from; so are the runtime
/// knobs (<see cref="Runtime"/>), which the plan never sees.</summary>
public sealed record TrainingSettings(
    string RunDirectory, ulong Seed,
    string DataName, string DataPath, int TrainExamples, int TestExamples,
    string Model, int InitSeed,
    DpSettings Dp,
    double LearningRate, double Momentum,
    [property: JsonConverter(typeof(JsonStringEnumConverter))] LearningRateScheduleKind Schedule,
    RuntimeSettings Runtime,
    [property: JsonConverter(typeof(JsonStringEnumConverter))] UnsupportedModulePolicy Unsupported = UnsupportedModulePolicy.Refuse,
    [property: JsonConverter(typeof(JsonStringEnumConverter))] ClippingMethod PerExampleMethod = ClippingMethod.Fast,
    string Source = "", string TestSource = "",
    [property: JsonConverter(typeof(JsonStringEnumConverter))] CorruptExamplePolicy OnCorrupt = CorruptExamplePolicy.Fail, int Multiplicity = 1,
    bool AugmentFlip = false, int AugmentCropPadding = 0, int EvalEverySteps = 0,
    PublicSplitSettings? Public = null, InitSettings? Init = null, bool WeightStandardisation = false,
    ulong InsecurePrivateSeed = 0, bool DataPublic = false, OwnershipSettings? Owners = null, double Ema = 0)
{
    /// <summary>veil.data.owners (none when absent, e.g. in runs saved before it existed).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public OwnershipSettings Ownership => Owners ?? OwnershipSettings.None;

    /// <summary>
    /// What a replica must be to compute this run's gradients: the catalog name, plus the weight standardisation that changes the
    /// forward pass but not the parameters (so a cluster node built without it would pass every layout check and compute the wrong gradients).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ModelIdentity => WeightStandardisation ? Model + " (weight-standardised)" : Model;

    /// <summary>True when the run trains from <see cref="Source"/> (an image folder or tar shards) rather than the Fashion-MNIST IDX files.</summary>
    /// <summary>veil.public (none when absent, e.g. in runs saved before it existed).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public PublicSplitSettings PublicSplit => Public ?? PublicSplitSettings.None;

    /// <summary>veil.init (random when absent).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public InitSettings Initialisation => Init ?? InitSettings.Random;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool UsesImageSource => !string.IsNullOrWhiteSpace(Source);

    /// <summary>Every catalog model; whether its input shape fits the data is checked when the data is opened (RunData).</summary>
    public static IReadOnlyList<string> Models => Veil.Compute.Models.ModelCatalog.Names;
    public static readonly IReadOnlyList<(string Word, LearningRateScheduleKind Value)> Schedules =
        [("constant", LearningRateScheduleKind.Constant), ("cosine", LearningRateScheduleKind.Cosine)];

    public static TrainingSettings Create(Config c)
    {
        // 0 = one worker per core when every device is the CPU (one torch thread each: small models scale better over
        // workers than over intra-op threads), else one per device.
        static int WorkersPerDevice(int configured, IList<string> devices) =>
            configured > 0 ? configured
            : devices.All(d => d.Trim().Equals("cpu", StringComparison.OrdinalIgnoreCase)) ? Math.Max(1, Environment.ProcessorCount / devices.Count) : 1;

        int Int(string key, int min, int max) =>
            (int)ConfigReading.Double(c, key, v => v >= min && v <= max && v == Math.Floor(v), $"integers [{min}, {max}]");

        var seed = ConfigReading.UnsignedSeed(c, "veil.run.seed", "expected 0 (draw one) or a fixed seed of the public randomness (augmentation)");
        var devices = c.GetStringList("veil.runtime.devices");
        if (devices.Count == 0) throw new ConfigurationException("veil.runtime.devices is empty; expected e.g. [\"cpu\"] or [\"cuda:0\"]");
        var source = c.GetString("veil.data.source") ?? "";
        var testSource = c.GetString("veil.data.test-source") ?? "";
        var trainExamples = Int("veil.data.train-examples", 0, int.MaxValue);
        if (!string.IsNullOrWhiteSpace(source))
        {
            // ImageSources reads "fashion-mnist" as the IDX training split only: as test-source it would evaluate on training data.
            foreach (var (key, value) in new[] { ("veil.data.source", source), ("veil.data.test-source", testSource) })
                if (value.Trim().Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase))
                    throw new ConfigurationException(
                        $"{key} = \"{value}\": Fashion-MNIST is the default; leave veil.data.source " +
                        $"and veil.data.test-source empty (and set veil.data.path) to train on it");
            // Evaluating on the training images would report a meaningless accuracy; make the split explicit.
            if (string.IsNullOrWhiteSpace(testSource))
                throw new ConfigurationException(
                    $"veil.data.source = \"{source}\" needs veil.data.test-source: set it to the test split (an image folder or tar shards)");
            // A subset of a folder or shards would need its own fingerprint; export the subset instead.
            if (trainExamples > 0)
                throw new ConfigurationException(
                    $"veil.data.train-examples = {trainExamples} applies to the Fashion-MNIST IDX files only; " +
                    $"with veil.data.source set it to 0 and point the source at the examples to train on");
        }
        var onCorrupt = ConfigChoice.Read(c, "veil.data.on-corrupt", [("fail", CorruptExamplePolicy.Fail), ("skip", CorruptExamplePolicy.Skip)]);
        var multiplicity = Int("veil.data.multiplicity", 1, 1024);
        var flip = ConfigReading.Boolean(c, "veil.data.augment.flip");
        var cropPadding = Int("veil.data.augment.crop-padding", 0, 1024);
        if (string.IsNullOrWhiteSpace(source))
        {
            // The IDX path decodes without augmentation or skipping; a key that would be silently ignored is an error.
            var ignored = new (string Key, bool Set)[]
            {
                ("veil.data.test-source", !string.IsNullOrWhiteSpace(testSource)), ("veil.data.on-corrupt", onCorrupt != CorruptExamplePolicy.Fail),
                ("veil.data.multiplicity", multiplicity != 1), ("veil.data.augment.flip", flip), ("veil.data.augment.crop-padding", cropPadding != 0),
            }.FirstOrDefault(k => k.Set).Key;
            if (ignored is not null)
                throw new ConfigurationException(
                    $"{ignored} applies only to images from veil.data.source, which is empty; " +
                    $"set veil.data.source (and veil.data.test-source) or leave {ignored} at its default");
        }
        var publicSplit = PublicSplitSettings.Create(c);
        if (publicSplit.Enabled && !string.IsNullOrWhiteSpace(source))
            throw new ConfigurationException(
                $"veil.public.split = {publicSplit.Split} divides the Fashion-MNIST IDX data only; with veil.data.source set, " +
                $"export the public and private parts as separate sources, or set veil.public.split = none");
        if (publicSplit.Enabled && trainExamples > 0)
            throw new ConfigurationException(
                $"veil.data.train-examples = {trainExamples} and veil.public.split = {publicSplit.Split} both choose training examples; use one of them");
        var model = ConfigReading.OneOf(c, "veil.model.name", Models);
        var weightStandardisation = ConfigReading.Boolean(c, "veil.model.weight-standardisation");
        if (weightStandardisation && !Veil.Compute.Models.ModelCatalog.WeightStandardisable.Contains(model))
            throw new ConfigurationException(
                $"veil.model.weight-standardisation = on applies to {string.Join(", ", Veil.Compute.Models.ModelCatalog.WeightStandardisable)}, " +
                $"not veil.model.name = {model}; set it to off or pick one of those models");
        return new TrainingSettings(
            ConfigReading.NonEmpty(c, "veil.run.dir"), seed,
            ConfigReading.OneOf(c, "veil.data.name", ["fashion-mnist"]), c.GetString("veil.data.path") ?? "",
            trainExamples, Int("veil.data.test-examples", 0, int.MaxValue),
            model, Int("veil.model.init-seed", 0, int.MaxValue),
            DpSettings.Create(c),
            ConfigReading.Double(c, "veil.optimizer.learning-rate", v => v > 0 && double.IsFinite(v), "(0, ∞)"),
            ConfigReading.Double(c, "veil.optimizer.momentum", v => v is >= 0 and < 1, "[0, 1)"),
            ConfigChoice.Read(c, "veil.optimizer.schedule", Schedules),
            new RuntimeSettings(
                devices.ToArray(), WorkersPerDevice(Int("veil.runtime.workers-per-device", 0, 64), devices), Int("veil.runtime.threads-per-worker", 0, 1024),
                Int("veil.runtime.micro-batch-size", 1, 1 << 20), Int("veil.runtime.decode-threads", 1, 64),
                Int("veil.runtime.prefetch-micro-batches", 1, 1 << 16),
                Int("veil.eval.batch-size", 1, 1 << 20)),
            ConfigChoice.Read(c, "veil.dp.unsupported", [("refuse", UnsupportedModulePolicy.Refuse), ("naive", UnsupportedModulePolicy.Naive)]),
            ConfigChoice.Read(c, "veil.dp.per-example-method",
                [("fast", ClippingMethod.Fast), ("materialised", ClippingMethod.Materialised), ("naive", ClippingMethod.Naive)]),
            source, testSource, onCorrupt, multiplicity, flip, cropPadding,
            Int("veil.eval.every-steps", 0, int.MaxValue),
            publicSplit, InitSettings.Create(c), weightStandardisation,
            ConfigReading.UnsignedSeed(
                c, "veil.run.insecure-private-seed",
                "expected 0 (private keys from the CSPRNG: always, for real runs) or a fixed value (INSECURE: ε is reported as ∞)"),
            ConfigReading.Boolean(c, "veil.data.public"),
            ReadOwnership(c, source),
            ConfigReading.Double(c, "veil.optimizer.ema", v => v is >= 0 and < 1, "[0, 1)"));
    }

    private static OwnershipSettings ReadOwnership(Config c, string source)
    {
        var owners = OwnershipSettings.Create(c);
        if (owners.From == "folder" && (string.IsNullOrWhiteSpace(source) || !Directory.Exists(source) || ImageSources.IsShards(source)))
            throw new ConfigurationException(
                $"veil.data.owners.from = folder reads users from an image folder's tree, but veil.data.source = \"{source}\" is not an image folder; " +
                "use a manifest (veil.data.owners.from = manifest) for other sources");
        return owners;
    }
}
