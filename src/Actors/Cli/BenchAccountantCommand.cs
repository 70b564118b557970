using System.CommandLine;
using System.Diagnostics;
using Veil.Ledger.Accountants;
using Veil.Ledger.Events;

namespace Veil.Actors.Cli;

/// <summary>
/// `veil bench accountant`: how long ε takes for a long history. Measured the way the ledger presents
/// it: one event object per step, not a pre-folded SelfComposed. Reports; asserts nothing.
/// </summary>
public static class BenchAccountantCommand
{
    public static Command Create(TextWriter stdout)
    {
        var steps = CliOptions.Ranged<long>("--steps", "Steps in the history (default 1000000).", v => v is > 0 and <= 50_000_000, "[1, 5e7]");
        steps.DefaultValueFactory = _ => 1_000_000;
        var repeats = CliOptions.Ranged<int>("--repeats", "Timed repetitions; the median is reported (default 5).", v => v is > 0 and <= 100, "[1, 100]");
        repeats.DefaultValueFactory = _ => 5;
        var json = CliOptions.Json();
        var command = new Command("accountant", "Time the RDP accountant on a history of identical steps.") { steps, repeats, json };
        command.SetAction(p =>
        {
            var n = p.GetValue(steps);
            var step = new PoissonSampled(256.0 / 60000, new GaussianEvent(1.1));
            // Distinct objects, as read back from the ledger, so equality is by value, not by reference.
            var history = new DpEvent[n];
            for (long i = 0; i < n; i++) history[i] = new PoissonSampled(step.SamplingRate, new GaussianEvent(1.1));

            new RdpAccountant().Epsilon(history.Take(10), 1e-5); // JIT warm-up
            var historyMs = Median(p.GetValue(repeats), () => new RdpAccountant().Epsilon(history, 1e-5));
            var foldedMs = Median(p.GetValue(repeats), () => new RdpAccountant().Epsilon([new SelfComposed(step, n)], 1e-5));
            var eps = new RdpAccountant().Epsilon(history, 1e-5);
            var line = JsonLine.Of(
                ("benchmark", "accountant"), ("accountant", "rdp"), ("steps", n), ("orders", new RdpAccountant().Orders.Count),
                ("history_ms", historyMs), ("self_composed_ms", foldedMs), ("epsilon", eps.Epsilon), ("order", eps.Order),
                ("sampling_rate", step.SamplingRate), ("noise_multiplier", 1.1), ("delta", 1e-5));
            if (!p.GetValue(json))
                stdout.WriteLine($"RDP ε for {n:N0} ledger steps: {historyMs:F1} ms (pre-folded: {foldedMs:F1} ms)");
            stdout.WriteLine(line);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static double Median(int repeats, Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
