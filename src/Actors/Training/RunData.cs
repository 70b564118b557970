using System.Security.Cryptography;
using System.Text;
using Veil.Actors.Configuration;
using Veil.Actors.Scattering;
using Veil.Compute.Models;
using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Identity;
using Veil.DataLoading.Ownership;
using Veil.DataLoading.PublicPrivate;
using Veil.DataLoading.Sampling;
using Veil.DataLoading.Sources;
using Veil.Ledger.Scopes;

namespace Veil.Actors.Training;

/// <summary>
/// A run's training and test data, always an <see cref="IImageSource"/> pair: the Fashion-MNIST IDX files (veil.data.path,
/// held in memory) are one more source beside image folders and tar shards (veil.data.source and test-source, with
/// augmentation, multiplicity and the corrupt-example policy), decoded by the same decoder. The job sees only N, the
/// fingerprint, the examples' identities (the ledger's data scope), a training decoder and the test batch. A scatternet model's decoders
/// give the scattering features of the images (<see cref="ScatterNetRunFeatures"/>); everything else is the images'.
/// </summary>
public sealed class RunData : IDisposable
{
    private readonly IImageSource _train;
    private readonly IImageSource _test;
    private readonly TrainingSettings _settings;
    private SourceMicroBatchDecoder? _sourceDecoder;
    private ScatterNetRunFeatures? _scatterNet;
    private readonly Lazy<ExampleOwners?> _owners;

    private RunData(TrainingSettings settings, ImageDataset train, ImageDataset test)
        : this(settings, new InMemoryImageSource(train), new InMemoryImageSource(test))
    {
    }

    private RunData(TrainingSettings settings, IImageSource train, IImageSource test)
    {
        _owners = new Lazy<ExampleOwners?>(() => LoadOwners(settings.Ownership, train));
        _settings = settings;
        _train = train;
        _test = test;
        Description = train.Description;
        Count = train.Count;
        Fingerprint = train.Fingerprint;
        TestFingerprint = test.Fingerprint;
    }

    /// <summary>Where the training data lives (plan.json's "dataset").</summary>
    public string Description { get; }

    /// <summary>N, the sampler's population.</summary>
    public int Count { get; }

    /// <summary>
    /// The training data's content fingerprint (decoded pixels for in-memory data, encoded examples for folders and shards): it
    /// tells a resumed run or a cluster node that the data did not change. The ledger charges <see cref="Identities"/>, not this.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>The test split's content fingerprint (keys cached test features; the test split spends no budget).</summary>
    public string TestFingerprint { get; }

    /// <summary>Each training example's identity under the ledger's key (the run's data scope), in index order.</summary>
    public ulong[] Identities(ExampleIdentityKey key) =>
        ExampleIdentities.Of(key, _train);

    /// <summary>
    /// Who owns each training example (veil.data.owners), read on first use and refused, naming the example, if one has no owner
    /// or two; null when the recipe declares none.
    /// </summary>
    public ExampleOwners? Owners => _owners.Value;

    /// <summary>Each training example's owner's identity under the ledger's key, in index order (declared owners only).</summary>
    public ulong[] OwnerIdentities(ExampleIdentityKey key)
    {
        var owners = Owners ?? throw new InvalidOperationException("the data declares no owners (veil.data.owners.from = none)");
        var users = Enumerable.Range(0, owners.UserCount).Select(u => key.IdentifyUser(owners.UserId(u))).ToArray();
        return Enumerable.Range(0, owners.ExampleCount).Select(i => users[owners.UserOf(i)]).ToArray();
    }

    /// <summary>The training and test images when both are held in memory (the IDX files, synthetic data); null for folders and shards.</summary>
    internal (ImageDataset Train, ImageDataset Test)? InMemory =>
        _train is InMemoryImageSource train && _test is InMemoryImageSource test ? (train.Dataset, test.Dataset) : null;

    /// <summary>Training examples dropped by veil.data.on-corrupt = skip so far (0 for IDX).</summary>
    public long SkippedExamples => _sourceDecoder?.SkippedExamples ?? 0;

    /// <summary>
    /// The Fashion-MNIST IDX images a run trains and tests on: under veil.public only the private part (only it is ever trained
    /// on with DP: N, the fingerprint and the budget are its own), else veil.data.train-examples / test-examples of each split.
    /// </summary>
    internal static (ImageDataset Train, ImageDataset Test) IdxSplits(TrainingSettings t)
    {
        if (t.PublicSplit.Enabled)
        {
            var parts = LoadSplit(t);
            return (parts.PrivateTrain, parts.PrivateTest);
        }
        var splits = FashionMnist.Load(string.IsNullOrWhiteSpace(t.DataPath) ? null : t.DataPath);
        return (t.TrainExamples > 0 ? DatasetSubset.First(splits.Train, t.TrainExamples) : splits.Train,
            t.TestExamples > 0 ? DatasetSubset.First(splits.Test, t.TestExamples) : splits.Test);
    }

    /// <summary>Opens the data <paramref name="t"/> names; a source whose images do not fit the model is refused here, before any privacy is spent.</summary>
    public static RunData Load(TrainingSettings t)
    {
        Library.PrivateTraining.RefuseRebuilding(t);
        if (ScatterNetInput.IsTakenBy(t.Model)) return LoadScatterNet(t);
        if (!t.UsesImageSource)
        {
            var (train, test) = IdxSplits(t);
            if (t.PublicSplit.Enabled) return new RunData(t, train, test) { ModelClasses = train.Classes };
            using (var probe = ModelCatalog.Create(t.Model, t.InitSeed))
                CheckFits(
                    "veil.data.path", $"the Fashion-MNIST IDX files ({train.Source})", new ImageShape(train.Channels, train.Height, train.Width), train.Classes,
                    probe);
            return new RunData(t, train, test);
        }
        var policy = Policy(t);
        IImageSource? trainSource = null, testSource = null;
        try
        {
            trainSource = ImageSources.Open(t.Source, policy, layout: t.Ownership.SourceLayout);
            testSource = ImageSources.Open(t.TestSource, policy);
            using (var probe = ModelCatalog.Create(t.Model, t.InitSeed))
            {
                CheckFits("veil.data.source", trainSource, Augmentation(t), probe);
                CheckFits("veil.data.test-source", testSource, AugmentationSettings.None(ChannelNormalization.FashionMnist), probe);
            }
            return new RunData(t, trainSource, testSource);
        }
        catch
        {
            trainSource?.Dispose();
            testSource?.Dispose();
            throw;
        }
    }

    // A scatternet model trains on features of the images: the images stay the run's data (N, fingerprint, identities).
    private static RunData LoadScatterNet(TrainingSettings t)
    {
        ScatterNetRunFeatures.RefuseAugmentation(t);
        if (!t.UsesImageSource)
        {
            var (train, test) = IdxSplits(t);
            var idx = new RunData(t, train, test) { ModelClasses = t.PublicSplit.Enabled ? train.Classes : 10 };
            idx._scatterNet = ScatterNetRunFeatures.Of(t, ("veil.data.path", "veil.data.path"), idx._train, idx._test);
            return idx;
        }
        IImageSource? trainSource = null, testSource = null;
        try
        {
            trainSource = ImageSources.Open(t.Source, Policy(t), layout: t.Ownership.SourceLayout);
            testSource = ImageSources.Open(t.TestSource, Policy(t));
            foreach (var (key, source) in new[] { ("veil.data.source", trainSource), ("veil.data.test-source", testSource) })
                if (source.Classes > 10)
                    throw new ConfigurationException(
                        $"{key} = {source.Description} has {source.Classes} classes, but model {t.Model} predicts 10; point {key} at data with at most 10");
            var features = ScatterNetRunFeatures.Of(t, ("veil.data.source", "veil.data.test-source"), trainSource, testSource);
            return new RunData(t, trainSource, testSource) { _scatterNet = features };
        }
        catch
        {
            trainSource?.Dispose();
            testSource?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The caller's own sources (the library): whether they fit the caller's model is checked by the caller of this,
    /// which knows the model; <paramref name="modelClasses"/> is its output count.
    /// </summary>
    internal static RunData FromSources(TrainingSettings t, IImageSource train, IImageSource test, int modelClasses) =>
        new(t, train, test) { ModelClasses = modelClasses };

    /// <summary>Outputs of the run's model: the catalog's 10, or the private task's classes under veil.public.split = classes.</summary>
    public int ModelClasses { get; private init; } = 10;

    /// <summary>The Fashion-MNIST IDX data divided by veil.public (which must be set).</summary>
    public static PublicPrivateData LoadSplit(TrainingSettings t)
    {
        var split = t.PublicSplit.ToSplit() ?? throw new ConfigurationException("veil.public.split = none: set it to subset or classes to have public data");
        var splits = FashionMnist.Load(string.IsNullOrWhiteSpace(t.DataPath) ? null : t.DataPath);
        try
        {
            return PublicPrivateSplitter.Split(splits.Train, splits.Test, split);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message);
        }
    }

    /// <summary>
    /// The training decoder. Augmentation draws are seeded from the sampler seed (hashed, so the secret
    /// itself never reaches the augmenter): a resumed run, which reloads that seed, redraws the same images.
    /// </summary>
    public IMicroBatchDecoder TrainDecoder(SamplerSeed samplerSeed) => TrainDecoder(AugmentationSeed(samplerSeed));

    /// <summary>The train decoder with augmentation draws seeded by
    /// <paramref name="augmentationSeed"/> (a cluster worker gets it from the coordinator).</summary>
    public IMicroBatchDecoder TrainDecoder(ulong augmentationSeed)
    {
        if (_scatterNet is not null) return _scatterNet.TrainDecoder();
        _sourceDecoder = new SourceMicroBatchDecoder(_train, Augmentation(_settings), _settings.Multiplicity, augmentationSeed, Policy(_settings));
        return _sourceDecoder;
    }

    /// <summary>The whole test split (or its first veil.data.test-examples), unaugmented, as one batch.</summary>
    public MicroBatchData TestBatch()
    {
        int count = _settings.TestExamples > 0 ? Math.Min(_settings.TestExamples, _test.Count) : _test.Count;
        if (_scatterNet is not null) return _scatterNet.TestBatch(count);
        return new SourceMicroBatchDecoder(_test, AugmentationSettings.None(ChannelNormalization.FashionMnist), onCorrupt: Policy(_settings))
            .Decode(AllOf(count));
    }

    public void Dispose()
    {
        _train.Dispose();
        _test.Dispose();
    }

    private static ExampleOwners? LoadOwners(OwnershipSettings o, IImageSource train) => o.From switch
    {
        "manifest" => OwnerManifest.Read(o.Manifest, train.Count, train as IExampleFiles),
        "folder" => FolderOwners.Of(train as IExampleFiles ?? throw new OwnershipException(
            $"veil.data.owners.from = folder needs an image folder; {train.Description} has no folder tree"), o.FolderLayout),
        "synthetic" => SyntheticOwners.Assign(train.Count, o.SyntheticUsers, o.SyntheticSeed),
        _ => null,
    };

    private static MicroBatchSpec AllOf(int count) => new(new MicroBatchId(-1, 0), Enumerable.Range(0, count).ToArray());

    private static CorruptExamplePolicy Policy(TrainingSettings t) => t.OnCorrupt;

    // Fashion-MNIST's statistics, as the IDX path uses: a folder exported from Fashion-MNIST as PNG then
    // trains on exactly the inputs the IDX files give, and the catalog models' tuned rates still apply.
    private static AugmentationSettings Augmentation(TrainingSettings t) =>
        new(padding: t.AugmentCropPadding, horizontalFlip: t.AugmentFlip, normalization: ChannelNormalization.FashionMnist);

    /// <summary>The augmentation draws' seed: a one-way hash of the sampler seed, so it can
    /// travel to worker nodes without revealing which examples the sampler picks.</summary>
    public static ulong AugmentationSeed(SamplerSeed samplerSeed)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes("veil.augmentation-seed.v1\n" + samplerSeed.ToHex()));
        return BitConverter.ToUInt64(hash, 0);
    }

    private static void CheckFits(string key, IImageSource source, AugmentationSettings augmentation, VeilModel model) =>
        CheckFits(key, source.Description, new ExampleAugmenter(augmentation, source.Shape, seed: 0).OutputShape, source.Classes, model);

    private static void CheckFits(string key, string description, ImageShape rows, int classes, VeilModel model)
    {
        var expected = model.ExampleShape;
        if (!Fits(expected, rows))
            throw new ConfigurationException(
                $"veil.model.name = {model.CatalogName} takes {string.Join('×', expected)} images, but {key} = {description} holds {rows} images; " +
                $"models that fit {rows}: {FittingModels(rows)} (set veil.model.name), or point {key} at {string.Join('×', expected)} images");
        if (classes > model.Classes)
            throw new ConfigurationException(
                $"{key} = {description} has {classes} classes, but model {model.CatalogName} predicts {model.Classes}; " +
                $"point {key} at data with at most {model.Classes} classes");
    }

    private static bool Fits(long[] expected, ImageShape rows) =>
        expected.Length == 3 && rows.Channels == expected[0] && rows.Height == expected[1] && rows.Width == expected[2];

    // Only on the refusal path: building every catalog model once costs a second or two, not worth a shape table beside the catalog.
    private static string FittingModels(ImageShape rows)
    {
        var fitting = ModelCatalog.Names.Where(name =>
        {
            using var model = ModelCatalog.Create(name, 0);
            return Fits(model.ExampleShape, rows);
        }).ToList();
        return fitting.Count == 0 ? "none in the catalog" : string.Join(", ", fitting);
    }
}
