using Veil.Actors.Tests.Cli;
using Veil.Actors.Tests.Training;
using Xunit;

namespace Veil.Actors.Tests.Transfer;

/// <summary>The small public/private splits of the transfer tests on <see cref="SyntheticFashionMnist"/>, and a 3-epoch pre-training through the CLI.</summary>
internal static class TinyPretraining
{
    public static readonly string[] Subset = ["veil.public.split=subset", "veil.public.size=400", "veil.public.seed=2"];
    public static readonly string[] Classes = ["veil.public.split=classes", "veil.public.classes=[0,1,2,3,4]"];

    /// <summary>Pre-trains on the public part of <paramref name="split"/>; returns the backbone folder.</summary>
    public static string Pretrain(SyntheticFashionMnist data, params string[] split)
    {
        var run = CliRun.Of(["pretrain", .. data.Settings([.. split, "veil.pretrain.epochs=3", "veil.pretrain.batch-size=50"]), "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        return run.Json.GetProperty("backbone").GetString()!;
    }
}
