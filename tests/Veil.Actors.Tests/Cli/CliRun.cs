using System.Text.Json;
using Veil.Actors.Cli;

namespace Veil.Actors.Tests.Cli;

/// <summary>Runs the `veil` command line in-process and captures what a script would see.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static CliRun Of(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = VeilCommandLine.Run(args, stdout, stderr);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The last stdout line, parsed: the `--json` contract.</summary>
    public JsonElement Json
    {
        get
        {
            var last = Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
            return JsonDocument.Parse(last).RootElement;
        }
    }
}
