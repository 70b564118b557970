using System.Text.Json;
using Veil.Actors.Configuration;
using Veil.Compute.Clipping;
using Veil.Compute.PerExample;
using Veil.DataLoading.Sources;
using Xunit;

namespace Veil.Actors.Tests.Configuration;

/// <summary>Modes and options are read from HOCON words into types once; nothing downstream compares strings.</summary>
public class TypedChoicesTests
{
    [Fact]
    public void Configuration_words_become_typed_values()
    {
        var t = TrainingSettings.Create(VeilConfiguration.Load(overrides:
            ["veil.dp.per-example-method=materialised", "veil.dp.unsupported=naive", "veil.optimizer.schedule=cosine"]));
        Assert.Equal(ClippingMethod.Materialised, t.PerExampleMethod);
        Assert.Equal(UnsupportedModulePolicy.Naive, t.Unsupported);
        Assert.Equal(LearningRateScheduleKind.Cosine, t.Schedule);
        Assert.Equal(CorruptExamplePolicy.Fail, t.OnCorrupt);
        Assert.Equal(RunMode.LastLayer, LastLayerSettings.Mode(VeilConfiguration.Load(overrides: ["veil.mode=last-layer"])));
        Assert.Equal(RunMode.DpSgd, LastLayerSettings.Mode(VeilConfiguration.Load()));
    }

    [Fact]
    public void A_word_not_in_the_table_is_refused_naming_the_key_and_the_words()
    {
        var e = Assert.Throws<ConfigurationException>(() => LastLayerSettings.Mode(VeilConfiguration.Load(overrides: ["veil.mode=dpsgd"])));
        Assert.Contains("veil.mode", e.Message);
        Assert.Contains("dp-sgd, last-layer", e.Message);
    }

    [Fact]
    public void Settings_written_with_words_by_earlier_runs_still_read_and_new_ones_round_trip()
    {
        var t = TrainingSettings.Create(VeilConfiguration.Load(overrides: ["veil.optimizer.schedule=cosine"]));
        var json = JsonSerializer.Serialize(t);
        Assert.Equal(t.Schedule, JsonSerializer.Deserialize<TrainingSettings>(json)!.Schedule);
        // A run folder's settings.json from before the options were typed holds the HOCON words.
        var old = json.Replace("\"Cosine\"", "\"cosine\"").Replace("\"Fast\"", "\"fast\"").Replace("\"Refuse\"", "\"refuse\"").Replace("\"Fail\"", "\"fail\"");
        Assert.Contains("\"cosine\"", old);
        var read = JsonSerializer.Deserialize<TrainingSettings>(old)!;
        Assert.Equal((LearningRateScheduleKind.Cosine, ClippingMethod.Fast, UnsupportedModulePolicy.Refuse, CorruptExamplePolicy.Fail),
            (read.Schedule, read.PerExampleMethod, read.Unsupported, read.OnCorrupt));
    }
}
