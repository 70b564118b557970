using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Veil.Ledger.Store;
using Xunit;
using static Veil.Actors.Tests.Transfer.TinyPretraining;

namespace Veil.Actors.Tests.PrivateRuns;

/// <summary>
/// The ways a user could get a smaller ε than the truth, each tried as a user would, through the CLI: every one
/// is refused or reported as ∞, with a message that names the cause and the fix.
/// </summary>
[Collection(TrainingCollection.Name)]
public class PrivateRunHoleTests : IDisposable
{
    private readonly SyntheticFashionMnist _data = new();

    public void Dispose() => _data.Dispose();

    private CliRun Train(params string[] more) => CliRun.Of(["train", "--quiet", "--json", .. _data.Settings(more)]);

    private static float[] Parameters(CliRun run) => Veil.Actors.Training.RunFolder.ReadFloats(Path.Combine(run.Json.GetProperty("run_dir").GetString()!, "parameters.f32"));

    [Fact]
    public void A_fixed_public_seed_does_not_fix_the_noise_or_the_batches()
    {
        // Before: veil.run.seed = 11 keyed sampling and noise, so anyone could redraw and subtract the noise.
        var a = Train("veil.dp.epochs=1", "veil.run.seed=11");
        var b = Train("veil.dp.epochs=1", "veil.run.seed=11");
        Assert.True(a.ExitCode == 0 && b.ExitCode == 0, a.Stderr + b.Stderr);
        var largest = Parameters(a).Zip(Parameters(b), (x, y) => Math.Abs(x - y)).Max();
        Assert.True(largest > 1e-4, $"two runs with one public seed ended {largest} apart: their private randomness was not secret");
        Assert.False(a.Json.GetProperty("insecure").GetBoolean());
        Assert.True(double.IsFinite(a.Json.GetProperty("epsilon").GetDouble()));
    }

    [Fact]
    public void The_private_keys_appear_nowhere_but_in_secrets_and_checkpoints()
    {
        var run = Train("veil.dp.epochs=1", "veil.checkpoint.every-steps=2");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var runDir = run.Json.GetProperty("run_dir").GetString()!;
        var seeds = File.ReadAllText(Path.Combine(runDir, "secrets", "seeds.json"));
        var keys = System.Text.Json.JsonDocument.Parse(seeds).RootElement;
        var sampler = keys.GetProperty("Sampler").GetString()!;
        var noise = keys.GetProperty("Noise").GetString()!;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(runDir, "secrets", "seeds.json")));
        foreach (var file in Directory.EnumerateFiles(runDir, "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains(Path.DirectorySeparatorChar + "secrets" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "checkpoints" + Path.DirectorySeparatorChar)))
        {
            var text = Convert.ToHexString(File.ReadAllBytes(file)) + File.ReadAllText(file);
            Assert.DoesNotContain(sampler, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(noise, text, StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain(sampler, run.Stdout + run.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(noise, run.Stdout + run.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_insecure_private_seed_is_recorded_as_such_and_every_epsilon_that_includes_it_is_infinite()
    {
        var insecure = Train("veil.dp.epochs=1", "veil.run.insecure-private-seed=11");
        Assert.True(insecure.ExitCode == 0, insecure.Stderr + insecure.Stdout);
        Assert.Contains("INSECURE", insecure.Stdout);
        Assert.True(insecure.Json.GetProperty("insecure").GetBoolean());
        Assert.Equal("inf", insecure.Json.GetProperty("epsilon").GetString());
        Assert.Equal("inf", insecure.Json.GetProperty("run_epsilon").GetString());
        using (var store = SqliteLedgerStore.Open(_data.Ledger, createIfMissing: false))
            Assert.All(store.ReadAll(), r => Assert.IsType<Veil.Ledger.Events.InsecureRandomness>(r.Event));

        // Those examples' noise is public now: a secure run on them can promise nothing, and is refused.
        var later = Train("veil.dp.epochs=1");
        Assert.NotEqual(0, later.ExitCode);
        Assert.Contains("insecure", later.Stderr, StringComparison.OrdinalIgnoreCase);

        var shown = CliRun.Of("privacy", "ledger", "show", "--ledger", _data.Ledger);
        Assert.Contains("∞", shown.Stdout);
    }

    [Fact]
    public void A_subset_of_spent_data_is_charged_with_the_runs_that_used_it()
    {
        // Before: train-examples = 1199 had its own fingerprint, and so a fresh budget.
        var full = Train("veil.dp.epochs=3", "veil.privacy.budget.epsilon=4");
        Assert.True(full.ExitCode == 0, full.Stderr);
        var subset = Train("veil.dp.epochs=3", "veil.privacy.budget.epsilon=4", "veil.data.train-examples=1199");
        Assert.NotEqual(0, subset.ExitCode);
        Assert.Contains("budget", subset.Stderr);
        Assert.Contains(Path.GetFileName(full.Json.GetProperty("run_dir").GetString()!), subset.Stderr); // it names the run that spent it
    }

    [Fact]
    public void The_same_images_exported_as_png_are_the_same_records()
    {
        var full = Train("veil.dp.epochs=3", "veil.privacy.budget.epsilon=4");
        Assert.True(full.ExitCode == 0, full.Stderr);
        var png = Path.Combine(_data.Folder, "png");
        var splits = FashionMnist.Load(_data.Folder);
        ImageFolderWriter.Write(splits.Train, Path.Combine(png, "train"), ImageFileFormat.Png);
        ImageFolderWriter.Write(splits.Test, Path.Combine(png, "test"), ImageFileFormat.Png);
        var exported = Train("veil.dp.epochs=3", "veil.privacy.budget.epsilon=4",
            $"veil.data.source=\"{Path.Combine(png, "train")}\"", $"veil.data.test-source=\"{Path.Combine(png, "test")}\"");
        Assert.NotEqual(0, exported.ExitCode);
        Assert.Contains("budget", exported.Stderr);
    }

    [Fact]
    public void Disjoint_data_keeps_its_own_budget()
    {
        var first = Train("veil.dp.epochs=3", "veil.privacy.budget.epsilon=4", "veil.data.train-examples=600");
        Assert.True(first.ExitCode == 0, first.Stderr);
        // The other 600 examples, as a PNG folder: no example in common, so nothing of the first run is charged to them.
        var splits = FashionMnist.Load(_data.Folder);
        var t = splits.Train;
        var rest = new ImageDataset("rest", "test", t.Channels, t.Height, t.Width, t.Pixels[(600 * t.ExampleSize)..], t.Labels[600..], t.Classes);
        var png = Path.Combine(_data.Folder, "rest");
        ImageFolderWriter.Write(rest, Path.Combine(png, "train"), ImageFileFormat.Png);
        ImageFolderWriter.Write(splits.Test, Path.Combine(png, "test"), ImageFileFormat.Png);
        var second = Train("veil.dp.epochs=3", "veil.privacy.budget.epsilon=4",
            $"veil.data.source=\"{Path.Combine(png, "train")}\"", $"veil.data.test-source=\"{Path.Combine(png, "test")}\"");
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(second.Json.GetProperty("run_epsilon").GetDouble(), second.Json.GetProperty("epsilon").GetDouble(), 9);
    }

    [Fact]
    public void A_backbone_trained_on_examples_of_the_private_set_is_refused_naming_how_many()
    {
        var backbone = Pretrain(_data, Subset); // 400 public examples
        // The private set is now the whole training split: it contains the backbone's 400 public examples.
        var run = Train($"veil.init.from={backbone}", "veil.init.trainable=last-layer", "veil.public.split=none");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("400 of the 1200 examples", run.Stderr);
        Assert.Contains("veil.public.split", run.Stderr);
        Assert.False(File.Exists(_data.Ledger) && SqliteLedgerStore.Open(_data.Ledger).ReadAll().Count > 0, "a refused run released nothing");

        var features = CliRun.Of(["train", "--json", .. _data.Settings("veil.mode=last-layer", "veil.last-layer.method=dp-least-squares",
            $"veil.last-layer.features=\"{backbone}\"", "veil.public.split=none")]);
        Assert.Equal(2, features.ExitCode);
        Assert.Contains("400 of the 1200 examples", features.Stderr);
        var cache = Path.Combine(_data.Runs, "feature-cache");
        Assert.False(Directory.Exists(cache) && Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories).Any(),
            "no feature of a private example is computed before the overlap is refused");
    }

    [Fact]
    public void Another_public_split_whose_backbone_overlaps_the_private_part_is_refused()
    {
        var backbone = Pretrain(_data, ["veil.public.split=subset", "veil.public.size=400", "veil.public.seed=3"]);
        var run = Train([.. Subset, $"veil.init.from={backbone}", "veil.init.trainable=last-layer"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("was trained without DP on", run.Stderr);
    }

    [Fact]
    public void Pretraining_on_data_the_ledger_holds_as_private_is_refused_unless_declared_public()
    {
        var spent = Train("veil.dp.epochs=1");
        Assert.True(spent.ExitCode == 0, spent.Stderr);
        var refused = CliRun.Of(["pretrain", .. _data.Settings([.. Subset, "veil.pretrain.epochs=1", "veil.pretrain.batch-size=50"]), "--json"]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("holds as private", refused.Stderr);
        Assert.Contains("veil.data.public = true", refused.Stderr);
        var declared = CliRun.Of(["pretrain", .. _data.Settings([.. Subset, "veil.pretrain.epochs=1", "veil.pretrain.batch-size=50", "veil.data.public=true"]), "--json"]);
        Assert.True(declared.ExitCode == 0, declared.Stderr);
    }

    [Fact]
    public void Ledger_show_reports_the_worst_example_of_overlapping_runs_and_their_blocks()
    {
        var full = Train("veil.dp.epochs=1");
        var subset = Train("veil.dp.epochs=1", "veil.data.train-examples=1000");
        Assert.True(full.ExitCode == 0 && subset.ExitCode == 0, full.Stderr + subset.Stderr);
        var shown = CliRun.Of("privacy", "ledger", "show", "--ledger", _data.Ledger, "--json");
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        var datasets = shown.Json.GetProperty("datasets").EnumerateArray().ToArray();
        var dataset = Assert.Single(datasets); // the two scopes overlap: one dataset
        Assert.Equal(1200, dataset.GetProperty("examples").GetInt64());
        var blocks = shown.Json.GetProperty("blocks").EnumerateArray()
            .Select(b => (Examples: b.GetProperty("examples").GetInt64(), Runs: b.GetProperty("runs").GetArrayLength(), Epsilon: b.GetProperty("epsilon").GetDouble()))
            .OrderBy(b => b.Examples).ToArray();
        Assert.Equal([(200L, 1), (1000L, 2)], blocks.Select(b => (b.Examples, b.Runs)));
        // The 1 000 examples both runs used are the worst off, and the dataset reports them.
        Assert.True(blocks[1].Epsilon > blocks[0].Epsilon);
        Assert.Equal(blocks[1].Epsilon, dataset.GetProperty("epsilon").GetDouble(), 9);
        Assert.Equal(blocks[1].Epsilon, subset.Json.GetProperty("epsilon").GetDouble(), 9);
    }
}
