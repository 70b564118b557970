using System.CommandLine;
using System.Globalization;
using Veil.Ledger.Accountants;

namespace Veil.Actors.Cli;

/// <summary>`veil privacy epsilon`: ε spent by a planned DP-SGD schedule.</summary>
public static class PrivacyEpsilonCommand
{
    public static Command Create(TextWriter stdout)
    {
        var schedule = new ScheduleOptions();
        var sigma = CliOptions.NoiseMultiplier();
        var delta = CliOptions.Delta();
        var accountant = CliOptions.Accountant();
        var json = CliOptions.Json();
        var command = new Command("epsilon", "ε of T steps of the Poisson-subsampled Gaussian mechanism.");
        schedule.AddTo(command);
        command.Add(sigma);
        command.Add(delta);
        command.Add(accountant);
        command.Add(json);
        command.SetAction(p =>
        {
            var plan = schedule.Resolve(p);
            var s = p.GetValue(sigma)!.Value;
            var d = p.GetValue(delta);
            var spent = AccountantCatalog.Create(p.GetValue(accountant)!).Epsilon([plan.Event(s)], d);
            if (p.GetValue(json))
                stdout.WriteLine(JsonLine.Of(
                    ("epsilon", spent.Epsilon), ("delta", spent.Delta), ("accountant", spent.Accountant), ("order", spent.Order),
                    ("sampling_rate", plan.SamplingRate), ("steps", plan.Steps), ("noise_multiplier", s)));
            else
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ε = {spent.Epsilon:G6} at δ = {spent.Delta:G3} ({spent.Accountant}{(spent.Order is { } a ? $", optimal order {a}" : "")}) " +
                    $"for q = {plan.SamplingRate:G6}, σ = {s:G6}, T = {plan.Steps}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
