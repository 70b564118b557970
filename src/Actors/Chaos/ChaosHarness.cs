using System.Diagnostics;
using System.Text.Json;
using Veil.Actors.Configuration;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Idx;
using Veil.Ledger.Accountants;

namespace Veil.Actors.Chaos;

/// <summary>
/// Starts real training processes on small synthetic data, kills them with SIGKILL at random moments
/// (and, on some attempts, exactly between a ledger append and its update), resumes each run until it
/// finishes, then checks what must hold whatever happened: a valid ledger chain, a ledger event for
/// every applied step, no step applied twice, and a final ε equal to the accountant on the ledger.
/// </summary>
public sealed class ChaosHarness(int runs, int seed, TextWriter log, int stepsPerRun = 24, int maxAttemptsPerRun = 60)
{
    public sealed record Report(
        int Runs, int Kills, int Resumed, long LostEvents, long DuplicateUpdates, int InvalidLedgers, int EpsilonMismatches, double MaxResumeSeconds,
        int UnfinishedRuns)
    {
        public bool Passed => LostEvents == 0 && DuplicateUpdates == 0 && InvalidLedgers == 0 && EpsilonMismatches == 0 && UnfinishedRuns == 0;
    }

    private readonly Random _random = new(seed);

    public Report Run()
    {
        var work = Path.Combine(Path.GetTempPath(), "veil-chaos", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{seed}-{Guid.NewGuid():N}"[..40]);
        var data = Path.Combine(work, "data");
        WriteSyntheticData(data);
        int kills = 0, resumed = 0, invalid = 0, mismatches = 0, unfinished = 0;
        long lost = 0, duplicates = 0;
        double maxResume = 0;
        try
        {
            for (var r = 0; r < runs; r++)
            {
                var outcome = OneRun(Path.Combine(work, $"run-{r}"), data, r);
                kills += outcome.Kills;
                resumed += outcome.Resumes;
                maxResume = Math.Max(maxResume, outcome.MaxResumeSeconds);
                if (!outcome.Finished)
                {
                    unfinished++;
                    continue;
                }
                using var store = LedgerStoreFactory.OpenSqlite(outcome.Ledger, createIfMissing: false);
                if (!store.Verify().Valid) invalid++;
                var records = store.ReadAll();
                var stepsRecorded = records.Where(x => x.RunId == outcome.RunId).Select(x => x.Step).ToHashSet();
                lost += Enumerable.Range(0, stepsPerRun).Count(s => !stepsRecorded.Contains(s));
                duplicates += Math.Max(0, outcome.ParameterVersion - stepsPerRun) + Math.Max(0, stepsPerRun - outcome.ParameterVersion);
                var fromLedger = new RdpAccountant().Epsilon(records.Select(x => x.Event), 1e-5).Epsilon;
                if (Math.Abs(fromLedger - outcome.Epsilon) > 1e-9 * Math.Max(1, fromLedger)) mismatches++;
                log.WriteLine(
                    $"chaos run {r}: {outcome.Kills} kills, {outcome.Resumes} resumes, " +
                    $"{records.Count} ledger events for {stepsPerRun} steps, ε {outcome.Epsilon:F4}");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        return new Report(runs, kills, resumed, lost, duplicates, invalid, mismatches, maxResume, unfinished);
    }

    private sealed record RunOutcome(
        bool Finished, string RunId, string Ledger, int Kills, int Resumes, double MaxResumeSeconds, long ParameterVersion, double Epsilon);

    private RunOutcome OneRun(string folder, string data, int index)
    {
        var runs = Path.Combine(folder, "runs");
        var ledger = Path.Combine(folder, "ledger.sqlite");
        int kills = 0, resumes = 0;
        double maxResume = 0;
        for (var attempt = 0; attempt < maxAttemptsPerRun; attempt++)
        {
            // Hidden ".<id>.partial" folders are runs that died before they existed: nothing of theirs reached the ledger.
            var runDir = Directory.Exists(runs) ? Directory.GetDirectories(runs).SingleOrDefault(d => !Path.GetFileName(d).StartsWith('.')) : null;
            var args = new List<string> { "train" };
            if (runDir is null)
                args.AddRange(Settings(data, runs, ledger, index));
            else
            {
                args.AddRange(["--resume", runDir]);
                resumes++;
            }
            // Some attempts die exactly in the window between the durable ledger append and the update.
            var windowKill = _random.NextDouble() < 0.3;
            if (windowKill)
                args.AddRange(["--set", "veil.chaos.enabled=true", "--set", $"veil.chaos.exit-after-ledger-append-at-step={_random.Next(stepsPerRun)}"]);
            args.Add("--json");

            var (exitCode, firstStepSeconds, stdout, killed) = Launch(args, killAfter: windowKill ? null : TimeSpan.FromMilliseconds(_random.Next(300, 2500)));
            if (runDir is not null && firstStepSeconds is { } s) maxResume = Math.Max(maxResume, s);
            if (killed || exitCode == 137 || exitCode == -1) // -1/137: killed by the signal (ours or its own)
            {
                kills++;
                continue;
            }
            if (exitCode != 0)
            {
                log.WriteLine($"chaos run {index}: attempt {attempt} failed with exit code {exitCode}: {stdout.Split('\n').LastOrDefault(l => l.Length > 0)}");
                continue;
            }
            var json = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last()).RootElement;
            var runId = Path.GetFileName(json.GetProperty("run_dir").GetString()!);
            return new RunOutcome(
                true, runId, ledger, kills, resumes, maxResume, json.GetProperty("parameter_version").GetInt64(), json.GetProperty("epsilon").GetDouble());
        }
        return new RunOutcome(false, "", ledger, kills, resumes, maxResume, 0, double.NaN);
    }

    private (int ExitCode, double? FirstStepSeconds, string Stdout, bool Killed) Launch(IReadOnlyList<string> args, TimeSpan? killAfter)
    {
        var veil = typeof(ChaosHarness).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(veil);
        foreach (var a in args) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        double? firstStep = null;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (firstStep is null && e.Data.StartsWith("step ", StringComparison.Ordinal)) firstStep = clock.Elapsed.TotalSeconds;
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && !e.Data.StartsWith("chaos:", StringComparison.Ordinal)) lock (output) output.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var killed = false;
        if (killAfter is { } delay && !process.WaitForExit(delay))
        {
            process.Kill(); // SIGKILL: no clean-up, like a crashed machine
            killed = true;
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, firstStep, output.ToString(), killed);
    }

    private IEnumerable<string> Settings(string data, string runs, string ledger, int index) => new[]
    {
        $"veil.data.path={data}", $"veil.run.dir={runs}", $"veil.privacy.ledger.path={ledger}", "veil.model.name=mlp",
        $"veil.run.seed={index + 1}", "veil.dp.expected-batch-size=200", $"veil.dp.epochs={stepsPerRun * 200 / 1200}",
        "veil.dp.clip-norm=1.0", "veil.dp.noise-multiplier=1.0", "veil.optimizer.learning-rate=0.5",
        "veil.runtime.micro-batch-size=100", "veil.checkpoint.every-steps=3", "veil.privacy.budget.epsilon=1000",
    }.SelectMany(s => new[] { "--set", s });

    internal static void WriteSyntheticData(string folder)
    {
        Directory.CreateDirectory(folder);
        var splits = SyntheticImageDataset.CreateSplits(1200, 200, seed: 3);
        IdxWriter.WriteDataset(splits.Train, Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"));
        IdxWriter.WriteDataset(splits.Test, Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));
    }
}
