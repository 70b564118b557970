using System.CommandLine;
using System.Globalization;
using Veil.Ledger.Accountants;
using Veil.Ledger.Accountants.Calibration;

namespace Veil.Actors.Cli;

/// <summary>`veil privacy calibrate`: the smallest noise multiplier that keeps a schedule within a target ε.</summary>
public static class PrivacyCalibrateCommand
{
    public static Command Create(TextWriter stdout)
    {
        var target = CliOptions.Ranged<double>("--target-epsilon", "Target ε, > 0.", v => v > 0 && double.IsFinite(v), "(0, ∞)", required: true);
        var schedule = new ScheduleOptions();
        var delta = CliOptions.Delta();
        var accountant = CliOptions.Accountant();
        var json = CliOptions.Json();
        var command = new Command("calibrate", "Smallest σ with ε(σ) ≤ target for a schedule.");
        command.Add(target);
        schedule.AddTo(command);
        command.Add(delta);
        command.Add(accountant);
        command.Add(json);
        command.SetAction(p =>
        {
            var plan = schedule.Resolve(p);
            var name = p.GetValue(accountant)!;
            // The PLD's own discretisation error is ~1e-4 relative; searching σ finer than that buys nothing.
            var tolerance = name == "rdp" ? 1e-6 : 1e-4;
            var result = NoiseCalibration.Calibrate(AccountantCatalog.Create(name), p.GetValue(target), plan, p.GetValue(delta), tolerance);
            if (p.GetValue(json))
                stdout.WriteLine(JsonLine.Of(
                    ("noise_multiplier", result.NoiseMultiplier), ("epsilon", result.Epsilon), ("delta", result.Delta), ("accountant", result.Accountant),
                    ("sampling_rate", plan.SamplingRate), ("steps", plan.Steps)));
            else
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"σ = {result.NoiseMultiplier:G7} gives ε = {result.Epsilon:G6} ≤ {p.GetValue(target)} at δ " +
                    $"= {result.Delta:G3} ({result.Accountant}) for q = {plan.SamplingRate:G6}, T = {plan.Steps}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
