using System.Diagnostics;
using Veil.Actors.Chaos;
using Veil.Actors.Configuration;
using Veil.Actors.Training;
using Veil.Integration.Tests.Support;
using Xunit;

namespace Veil.Integration.Tests.Resume;

/// <summary>
/// A process killed after a step's release is durably in the ledger and before its update: on resume the step is
/// released again, as a new, independent Poisson-subsampled Gaussian (fresh batch, fresh noise), and both releases
/// count. Redrawing the first release's batch and noise would put two releases in the ledger that differ by a
/// noise-free amount, which no accountant models.
/// </summary>
public sealed class ReReleaseAfterKillTests : IDisposable
{
    private readonly ClusterTestData _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void A_step_killed_between_its_ledger_append_and_its_update_is_released_again_with_fresh_randomness_and_counted_twice()
    {
        // The same fixed private seed on both sides, so any difference comes from the re-release alone.
        var reference = ClusterHarness.SingleNode(_data, "reference");
        var runs = _data.Path_("killed-runs");
        var ledger = _data.Path_("killed-ledger.sqlite");

        var killed = Veil(["train", "--quiet", .. _data.Overrides(runs, ledger, "veil.chaos.enabled=true", "veil.chaos.exit-after-ledger-append-at-step=3")
            .SelectMany(s => new[] { "--set", s })]);
        Assert.NotEqual(0, killed.ExitCode);
        var runDir = Directory.GetDirectories(runs).Single(d => !Path.GetFileName(d).StartsWith('.'));
        Assert.Equal([0L, 1, 2, 3], ClusterHarness.Events(ledger).Select(r => r.Step));

        var resumed = TrainingJob.Resume(runDir, ChaosSettings.Off, TelemetrySettings.Create(VeilConfiguration.Load()), TextWriter.Null,
            new ProgressLine(TextWriter.Null, ProgressMode.Quiet));
        var steps = ClusterHarness.Events(ledger).Select(r => r.Step).ToList();
        Assert.Equal(2, steps.Count(s => s == 3)); // released twice, counted twice
        Assert.Equal(reference.Steps, resumed.ParameterVersion); // applied once
        Assert.Equal(steps.Count, ClusterHarness.Events(reference.LedgerPath).Count + 1);

        var difference = ParameterDifference.Relative(ClusterHarness.Parameters(resumed.RunDirectory), ClusterHarness.Parameters(reference.RunDirectory));
        // The same batch and noise again would end within float rounding (≈1e-7 relative) of the uninterrupted run.
        Assert.True(difference > 1e-3, $"the re-released step ended {difference:G3} (relative) from the uninterrupted run: its batch and noise were drawn again");
    }

    private static (int ExitCode, string Output) Veil(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(TrainingJob).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
