using System.CommandLine;

namespace Veil.Actors.Cli;

/// <summary>
/// The `veil` command line. Bad input never ends in a stack trace: parse and validation errors give
/// exit code 2 and one line naming the option; unexpected failures give exit code 1 and one line
/// (VEIL_DEBUG=1 adds the stack trace).
/// </summary>
public static class VeilCommandLine
{
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var parsed = Build(stdout).Parse(args);
            if (parsed.Errors.Count > 0)
            {
                stderr.WriteLine($"veil: {OneLine(parsed.Errors[0].Message)} (see: veil {string.Join(' ', CommandPath(parsed))} --help)");
                return ExitCodes.Usage;
            }
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is CliUsageException or Configuration.ConfigurationException or Veil.Ledger.Store.LedgerException
                                   or Veil.DataLoading.Datasets.DatasetNotFoundException or Veil.DataLoading.Datasets.DatasetFormatException
                                   or Veil.DataLoading.Ownership.OwnershipException
                                   or Veil.Compute.Transfer.BackboneException or PrivateRuns.PrivateRunRefusedException
                                   or ArgumentException or FileNotFoundException or DirectoryNotFoundException)
        {
            stderr.WriteLine($"veil: {OneLine(e.Message)}");
            return ExitCodes.Usage;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"veil: error: {OneLine(e.Message)}");
            if (Environment.GetEnvironmentVariable("VEIL_DEBUG") == "1") stderr.WriteLine(e);
            return ExitCodes.Failed;
        }
    }

    private static RootCommand Build(TextWriter stdout)
    {
        var privacy = new Command("privacy", "Privacy accounting: ε of a schedule, σ for a target, the ledger, a one-run audit.")
        {
            PrivacyEpsilonCommand.Create(stdout),
            PrivacyCalibrateCommand.Create(stdout),
            PrivacyLedgerCommands.Create(stdout),
            PrivacyAuditCommand.Create(stdout),
        };
        var bench = new Command("bench", "Benchmarks: print JSON, assert nothing.")
        {
            BenchAccountantCommand.Create(stdout),
            BenchStepCommand.Create(stdout),
            BenchOverlapCommand.Create(stdout),
            BenchDataCommand.Create(stdout),
            BenchLedgerCommand.Create(stdout),
            BenchBudgetCommand.Create(stdout),
            BenchClusterCommand.Create(stdout),
            BenchAccuracyCommand.Create(stdout),
        };
        return new RootCommand("Veil: differentially private training at scale.")
        {
            TrainCommands.Demo(stdout), TrainCommands.Train(stdout), NodeCommand.Create(stdout), PretrainCommand.Create(stdout), privacy, bench,
            ChaosCommand.Create(stdout),
            DataExportCommand.DataGroup(stdout), ReportCommand.Create(stdout),
            ExportCommand.Create(stdout), PredictCommand.Create(stdout), EvaluateCommand.Create(stdout),
        };
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static IEnumerable<string> CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var r = parsed.CommandResult; r is not null && r.Command is not RootCommand; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        return names;
    }
}
