using TorchSharp;
using Veil.Compute.Clipping;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using Veil.Compute.Tests.Support;
using Veil.Compute.Transfer;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.Transfer;

public sealed class BackboneTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "veil-backbone-" + Guid.NewGuid().ToString("N"));

    public BackboneTests() => TorchRuntime.EnsureLoaded();

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private LoadedBackbone Saved(string architecture = "gn-cnn", int seed = 7)
    {
        using var model = ModelCatalog.Create(architecture, seed);
        BackboneStore.Save(_dir, model, "public-fp", "test data", new BackbonePreprocessing(0.286, 0.353));
        return BackboneStore.Load(_dir);
    }

    private static Dictionary<string, float[]> Weights(nn.Module model)
    {
        using var _ = no_grad();
        return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().reshape(-1).data<float>().ToArray());
    }

    [Fact]
    public void A_backbone_round_trips_bit_exactly_except_its_new_head()
    {
        using var original = ModelCatalog.Create("gn-cnn", 7);
        var loaded = Saved();
        Assert.Equal(128, loaded.Manifest.FeatureDimension);
        Assert.Equal("public-fp", loaded.Manifest.PublicDataFingerprint);
        using var copy = TransferModel.Create(loaded, "gn-cnn", classes: 10, Trainable.All);
        var before = Weights(original);
        foreach (var (name, values) in Weights(copy))
            if (!name.StartsWith("fc2.", StringComparison.Ordinal)) Assert.Equal(before[name], values);
        var (x, _) = TestData.Batch(1, 16);
        Assert.Equal(FeatureExtractor.Extract(original, x, 16), FeatureExtractor.Extract(copy, x, 16));
    }

    [Fact]
    public void The_fine_tuned_head_is_zero_initialised_with_the_private_class_count()
    {
        using var model = TransferModel.Create(Saved(), "gn-cnn", classes: 5, Trainable.LastBlock);
        Assert.Equal(5, model.Classes);
        var w = Weights(model);
        Assert.Equal(5 * 128, w["fc2.weight"].Length);
        Assert.All(w["fc2.weight"].Concat(w["fc2.bias"]), v => Assert.Equal(0f, v));
        Assert.Contains(w["fc1.weight"], v => v != 0f);
    }

    [Fact]
    public void A_backbone_of_another_architecture_is_refused_naming_the_key()
    {
        var loaded = Saved("tanh-cnn");
        var e = Assert.Throws<BackboneException>(() => TransferModel.Create(loaded, "gn-cnn", 10, Trainable.All));
        Assert.Contains("veil.model.name", e.Message);
        Assert.Contains("tanh-cnn", e.Message);
    }

    [Fact]
    public void A_damaged_backbone_is_refused()
    {
        Saved();
        var path = Path.Combine(_dir, BackboneStore.WeightsFile);
        var bytes = File.ReadAllBytes(path);
        bytes[100] ^= 1;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<BackboneException>(() => BackboneStore.Load(_dir));
        Assert.Contains(BackboneStore.WeightsFile, e.Message);
        Assert.Throws<BackboneException>(() => BackboneStore.Load(Path.Combine(_dir, "nope")));
    }

    [Theory]
    [InlineData(Trainable.LastLayer, new[] { "fc2.weight", "fc2.bias" })]
    [InlineData(Trainable.LastBlock, new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" })]
    public void Only_trainable_parameters_are_in_the_vector_that_is_clipped_noised_and_updated(Trainable trainable, string[] expected)
    {
        using var model = TransferModel.Create(Saved(), "gn-cnn", classes: 10, trainable);
        Assert.Equal(expected, ParameterLayout.Of(model).Entries.Select(e => e.Name));
        // Put something non-zero in the head so every trainable parameter has a gradient.
        ParameterVector.Load(model, ParameterVector.Flatten(model).Select((_, i) => 0.01f * ((i % 7) - 3)).ToArray());
        var (x, y) = TestData.Batch(2, 12);
        var fast = ClippedGradientSum.Compute(model, x, y, 12, clipNorm: 0.5);
        Assert.Equal(ParameterLayout.Of(model).TotalCount, fast.Sum.Length);
        // The reference: the naive per-example loop over trainable parameters only, clipped in double precision.
        using var scope = NewDisposeScope();
        var rows = NaivePerExampleGradients.Compute(model, HostArrays.Inputs(model, x, 12), HostArrays.Labels(model, y, 12)).to_type(ScalarType.Float64);
        var sum = new double[rows.shape[1]];
        for (int i = 0; i < 12; i++)
        {
            var g = rows[i].data<double>().ToArray();
            double factor = Math.Min(1.0, 0.5 / Math.Sqrt(g.Sum(v => v * v)));
            for (int j = 0; j < g.Length; j++) sum[j] += factor * g[j];
        }
        Assert.Equal(sum.Length, fast.Sum.Length);
        double scale = Math.Max(1e-6, sum.Max(Math.Abs));
        Assert.True(sum.Zip(fast.Sum).Max(p => Math.Abs(p.First - p.Second)) <= 1e-4 * scale);
    }
}
