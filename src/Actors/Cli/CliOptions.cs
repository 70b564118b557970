using System.CommandLine;
using System.Globalization;
using Veil.Ledger.Accountants;

namespace Veil.Actors.Cli;

/// <summary>Options shared by several verbs, each validated at parse time with a message naming the option and its range.</summary>
public static class CliOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object as the last stdout line (for scripts)." };

    public static Option<double?> SamplingRate() =>
        Ranged<double?>("--sampling-rate", "Poisson sampling rate q = expected batch / dataset size, in (0, 1].",
            v => v is > 0 and <= 1, "(0, 1]");

    public static Option<double?> NoiseMultiplier(bool required = true) =>
        Ranged<double?>("--noise-multiplier", "Noise multiplier σ (noise std / clip norm), > 0.",
            v => v > 0 && double.IsFinite(v.Value), "(0, ∞)", required);

    public static Option<long?> Steps() =>
        Ranged<long?>("--steps", "Number of noisy steps T, ≥ 0.", v => v >= 0, "[0, ∞)");

    public static Option<double> Delta() =>
        Ranged<double>("--delta", "Target δ, in (0, 1); conventionally below 1/N.", v => v is > 0 and < 1, "(0, 1)", required: true);

    public static Option<string> Accountant()
    {
        var o = new Option<string>("--accountant")
        {
            Description = "Privacy accountant: " + string.Join(" | ", AccountantCatalog.Names) + " (default rdp).",
            DefaultValueFactory = _ => "rdp",
        };
        o.AcceptOnlyFromAmong(AccountantCatalog.Names.ToArray());
        return o;
    }

    /// <summary>For readers of a ledger: its own accountant unless another is named (a second opinion, labelled as such).</summary>
    public static Option<string> LedgerAccountant()
    {
        var o = new Option<string>("--accountant")
        {
            Description = "Privacy accountant: " + string.Join(" | ", PrivateRuns.LedgerAccountant.Choices) +
                          " (default ledger: the one the ledger is bound to, rdp for a ledger no run has bound).",
            DefaultValueFactory = _ => PrivateRuns.LedgerAccountant.FromLedger,
        };
        o.AcceptOnlyFromAmong(PrivateRuns.LedgerAccountant.Choices.ToArray());
        return o;
    }

    public static Option<T> Ranged<T>(string name, string description, Func<T, bool> valid, string range, bool required = false)
    {
        var o = new Option<T>(name) { Description = description, Required = required };
        o.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return; // not a number at all: the parser reports that itself, naming the option
            }
            if (value is not null && !valid(value))
                result.AddError($"{name} must be in {range}, got {Format(value)}");
        });
        return o;
    }

    private static string Format(object value) => value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString() ?? "";
}
