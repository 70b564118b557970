using System.CommandLine;
using System.Globalization;
using Veil.Actors.Auditing;
using Veil.Actors.Configuration;
using Veil.Actors.Training;

namespace Veil.Actors.Cli;

/// <summary>
/// `veil privacy audit`: one DP-SGD run with canaries on a fresh ledger, then an empirical lower bound on ε
/// (Steinke, Nasr, Jagielski 2023) compared with the ε the ledger claims. Without --config it audits the
/// demo recipe.
/// </summary>
public static class PrivacyAuditCommand
{
    public static Command Create(TextWriter stdout)
    {
        var config = new Option<string?>(
            "--config") { Description = "HOCON recipe to audit (default: the demo's embedded recipe); veil.audit.* sets the canaries and guesses." };
        var set = new Option<string[]>(
            "--set") { Description = "Override one key: --set veil.audit.canaries=2000 (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var json = CliOptions.Json();
        var quiet = new Option<bool>("--quiet") { Description = "No per-step progress (the summary and --json line still print)." };
        var command = new Command("audit",
            "One-run privacy audit: train once with mislabelled canaries (each included with probability 1/2), " +
            "charged to the configured ledger (a fresh one for data declared public), " +
            "guess membership from their losses, and lower-bound ε; checks the bound does not exceed the ledger's ε.") { config, set, json, quiet };
        command.SetAction(p =>
        {
            var file = p.GetValue(config);
            var loaded = file is null
                ? VeilConfiguration.Load(overrides: p.GetValue(set), embeddedRecipe: "demo")
                : VeilConfiguration.Load(file, p.GetValue(set));
            var r = AuditJob.Run(loaded, stdout, new ProgressLine(stdout, p.GetValue(quiet) ? ProgressMode.Quiet : ProgressMode.Lines));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"audit: {r.Correct} of {r.Guesses} guesses right ({r.RightIn}/{r.GuessedIn} in, {r.RightOut}/{r.GuessedOut} out) " +
                $"on {r.Canaries} canar{(r.PrivacyUnit == "user" ? "y users" : "ies")} ({r.Included} included); " +
                $"mean canary loss {r.MeanLossIncluded:F3} included vs {r.MeanLossExcluded:F3} excluded"));
            var verdict = r.Holds ? "holds" : "VIOLATED: the run leaked more than its ledger claims (a bug, or a false alarm at rate β)";
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"audit: empirical {r.PrivacyUnit}-level ε ≥ {r.LowerBound:F4} (confidence {1 - r.Beta:P0}) vs claimed ε = {r.ClaimedEpsilon:F4}, " +
                $"δ = {r.Delta:G3} ({r.Accountant}, this run's releases in the ledger): {verdict}; " +
                $"test accuracy {r.TestAccuracy:P2}; {r.WallSeconds:F0} s; {r.AuditDirectory}"));
            stdout.WriteLine(r.DataPublic
                ? $"audit: the data is declared public (veil.data.public = true): the audit ran on a fresh ledger of its own, {r.LedgerPath}"
                : FormattableString.Invariant(
                    $"audit: charged to the ledger {r.LedgerPath}: the worst example of the audited data has now spent ε = {r.DataEpsilon:F4} in total"));
            if (p.GetValue(json))
                stdout.WriteLine(JsonLine.Of(
                    ("canaries", r.Canaries), ("included", r.Included), ("guesses", r.Guesses), ("correct", r.Correct),
                    ("guessed_in", r.GuessedIn), ("right_in", r.RightIn), ("guessed_out", r.GuessedOut), ("right_out", r.RightOut),
                    ("beta", r.Beta), ("claimed_epsilon", r.ClaimedEpsilon), ("delta", r.Delta), ("accountant", r.Accountant),
                    ("lower_bound", r.LowerBound), ("p_value", r.PValue), ("holds", r.Holds),
                    ("mean_loss_included", r.MeanLossIncluded), ("mean_loss_excluded", r.MeanLossExcluded),
                    ("test_accuracy", r.TestAccuracy), ("steps", r.Steps), ("noise_multiplier", r.NoiseMultiplier), ("sampling_rate", r.SamplingRate),
                    ("training_examples", r.TrainingExamples), ("seed", r.Seed.ToString(CultureInfo.InvariantCulture)),
                    ("audit_dir", r.AuditDirectory), ("run_dir", r.RunDirectory), ("ledger", r.LedgerPath), ("wall_seconds", r.WallSeconds),
                    ("data_epsilon", r.DataEpsilon), ("data_public", r.DataPublic), ("privacy_unit", r.PrivacyUnit)));
            return r.Holds ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
