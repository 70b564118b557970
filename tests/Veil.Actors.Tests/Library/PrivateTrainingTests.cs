using System.Text.Json;
using Veil.Actors.Configuration;
using Veil.Actors.Library;
using Veil.Actors.Tests.Training;
using Veil.Actors.Training;
using Veil.Compute.PerExample;
using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Identity;
using Veil.Ledger.Accountants;
using Veil.Ledger.Scopes;
using Veil.Ledger.Store;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Actors.Tests.Library;

/// <summary>PrivateTraining.Run: a caller's own network and sources through the same lifecycle, pipeline and ledger as `train`.</summary>
[Collection(TrainingCollection.Name)]
public class PrivateTrainingTests(TrainedLibraryRun trained) : IClassFixture<TrainedLibraryRun>, IDisposable
{
    private readonly LibraryRunFolder _fresh = new();

    public void Dispose() => _fresh.Dispose();

    [Fact]
    public void A_network_outside_the_catalog_trains_privately_and_every_release_is_in_the_ledger_under_its_data_scope()
    {
        var r = trained.Result;
        Assert.Equal(12, r.Steps); // ⌈2 epochs · 600 / 100⌉
        Assert.True(r.TestAccuracy > 0.5, $"accuracy {r.TestAccuracy} (chance is 0.1)");

        using var store = SqliteLedgerStore.Open(trained.Data.Ledger, createIfMissing: false);
        Assert.True(store.Verify().Valid);
        var records = store.ReadAll();
        Assert.Equal(r.Steps, records.Count);
        Assert.All(records, record => Assert.Equal(r.RunId, record.RunId));
        Assert.All(records, record => Assert.Equal(r.DataScope, record.DatasetFingerprint));
        Assert.Equal(new RdpAccountant().Epsilon(records.Select(record => record.Event), r.Delta).Epsilon, r.Epsilon, 12);
        Assert.True(r.Epsilon <= 3.0 + 1e-3, $"ε = {r.Epsilon} over the target 3");

        // The scope is the caller's training examples as decoded, under the ledger's identity key: nothing else, nothing less.
        var key = ExampleIdentityKey.LoadOrCreate(trained.Data.Ledger + ".identity-key");
        var expected = DataScope.Of(ExampleIdentities.Of(key, trained.Data.Train));
        Assert.Equal(expected.Id, r.DataScope);
        Assert.Equal(expected.Count, store.ReadScope(r.DataScope)!.Count);

        using var plan = JsonDocument.Parse(File.ReadAllText(Path.Combine(r.RunDirectory, "plan.json")));
        Assert.Equal("custom:TinyGnNet", plan.RootElement.GetProperty("model").GetString());
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(r.RunDirectory, "checkpoints")));
    }

    [Fact]
    public void Released_parameters_loaded_into_the_callers_network_give_the_reported_test_accuracy()
    {
        var r = trained.Result;
        using var network = new TinyGnNet(classes: 10, seed: 99);
        PrivateTraining.LoadReleased(r, network);

        // Inputs as docs/library.md states Veil feeds them: x/255, then Fashion-MNIST's mean and standard deviation.
        var test = trained.Data.Test;
        var batch = new SourceMicroBatchDecoder(test, AugmentationSettings.None(ChannelNormalization.FashionMnist))
            .Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), Enumerable.Range(0, test.Count).ToArray()));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var predicted = network.call(tensor(batch.Inputs).reshape(test.Count, 1, 28, 28)).argmax(1).data<long>().ToArray();
        var accuracy = predicted.Zip(batch.Labels).Count(p => p.First == p.Second) / (double)test.Count;
        Assert.Equal(r.TestAccuracy, accuracy, 6);
    }

    [Fact]
    public void A_library_run_is_not_resumed_by_the_command_line_and_the_refusal_says_what_to_do()
    {
        var config = trained.Data.Config();
        var e = Assert.Throws<TrainingFailedException>(() =>
            TrainingJob.Resume(trained.Result.RunDirectory, ChaosSettings.Create(config), TelemetrySettings.Create(config), TextWriter.Null));
        Assert.Contains("custom:TinyGnNet", e.Message);
        Assert.Contains("PrivateTraining.Run", e.Message);
        Assert.Contains("PrivateTraining.LoadReleased", e.Message);
    }

    [Fact]
    public void A_network_with_BatchNorm2d_is_refused_naming_the_layer_path_and_the_fix_before_the_ledger_is_opened()
    {
        var e = Assert.Throws<UnsupportedModuleException>(() =>
            PrivateTraining.Run(_fresh.Config(), _ => new BatchNormNet(), _fresh.Train, _fresh.Test, TextWriter.Null));
        Assert.Equal("model.block.bn", e.ModulePath);
        Assert.Contains("BatchNorm2d", e.Message);
        Assert.Contains("use GroupNorm", e.Message);
        Assert.False(File.Exists(_fresh.Ledger), "the ledger must not even be created for a refused model");
        Assert.False(Directory.Exists(_fresh.Runs), "no run folder for a refused model");
    }

    [Fact]
    public void A_factory_that_hands_every_replica_the_same_network_is_refused_before_the_ledger_is_opened()
    {
        using var shared = new TinyGnNet(classes: 10, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => PrivateTraining.Run(_fresh.Config(), _ => shared, _fresh.Train, _fresh.Test, TextWriter.Null));
        Assert.Contains("same network twice", e.Message);
        Assert.False(File.Exists(_fresh.Ledger));
    }

    [Fact]
    public void A_network_that_predicts_fewer_classes_than_the_data_has_is_refused_naming_both()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            PrivateTraining.Run(_fresh.Config(), seed => new TinyGnNet(classes: 4, seed), _fresh.Train, _fresh.Test, TextWriter.Null));
        Assert.Contains("[1, 4]", e.Message);
        Assert.Contains("10 classes", e.Message);
        Assert.False(File.Exists(_fresh.Ledger));
    }

    [Theory]
    [InlineData("veil.model.name=mlp", "veil.model.name")]
    [InlineData("veil.public.split=subset", "veil.public.split")]
    public void A_key_that_would_choose_the_model_or_the_data_is_refused_naming_it(string assignment, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() =>
            PrivateTraining.Run(_fresh.Config(assignment), seed => new TinyGnNet(classes: 10, seed), _fresh.Train, _fresh.Test, TextWriter.Null));
        Assert.StartsWith(key + " is set", e.Message);
        Assert.False(File.Exists(_fresh.Ledger));
    }
}
