using System.CommandLine;
using Veil.Actors.Reporting;

namespace Veil.Actors.Cli;

/// <summary>`veil report runs/&lt;id&gt;` regenerates a run's plots and report.md; `--compare A B` plots two runs together.</summary>
public static class ReportCommand
{
    public static Command Create(TextWriter stdout)
    {
        var run = new Argument<string?>("run") { Description = "A runs/<id> folder.", Arity = ArgumentArity.ZeroOrOne };
        var compare = new Option<string[]>(
            "--compare") { Description = "Two runs/<id> folders to plot together.", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "Where --compare writes its plots (default: the current folder)." };
        var json = CliOptions.Json();
        var command = new Command("report", "Regenerate a run's report (report.md + PNG plots), or compare two runs.") { run, compare, output, json };
        command.SetAction(p =>
        {
            IReadOnlyList<string> files;
            if (p.GetValue(compare) is { Length: 2 } pair)
                files = RunReportWriter.Compare(Path.GetFullPath(p.GetValue(output) ?? "."), RunReportWriter.Read(pair[0]), RunReportWriter.Read(pair[1]));
            else if (p.GetValue(run) is { } dir)
                files = RunReportWriter.Render(dir, RunReportWriter.Read(dir));
            else
                throw new CliUsageException("give a runs/<id> folder, or --compare A B");
            foreach (var f in files) if (!p.GetValue(json)) stdout.WriteLine(f);
            stdout.WriteLine(JsonLine.Of(("plots", files.Count), ("files", string.Join(";", files))));
            return ExitCodes.Ok;
        });
        return command;
    }
}
