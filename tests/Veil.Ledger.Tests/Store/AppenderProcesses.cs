using System.Diagnostics;
using Xunit;

namespace Veil.Ledger.Tests.Store;

/// <summary>Runs tests/Veil.Ledger.Appender as separate processes that start appending together.</summary>
internal static class AppenderProcesses
{
    /// <summary>Starts one appender per argument list, releases them at once, and returns each one's stdout.</summary>
    public static IReadOnlyList<string> RunTogether(string folder, IReadOnlyList<IReadOnlyList<string>> argumentLists)
    {
        var go = Path.Combine(folder, "go-" + Guid.NewGuid().ToString("N"));
        var appender = AppenderDll();
        var processes = argumentLists.Select(a => Process.Start(new ProcessStartInfo("dotnet", [appender, .. a, go])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!).ToArray();
        var outputs = processes.Select(p => p.StandardOutput.ReadToEndAsync()).ToArray();
        var errors = processes.Select(p => p.StandardError.ReadToEndAsync()).ToArray();
        File.WriteAllText(go, ""); // all are up and waiting: start together
        for (var i = 0; i < processes.Length; i++)
        {
            using var p = processes[i];
            if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail("an appender did not finish within 2 minutes");
            }
            Assert.True(p.ExitCode == 0, $"appender failed (exit {p.ExitCode}): {errors[i].Result}");
        }
        return outputs.Select(o => o.Result).ToList();
    }

    private static string AppenderDll()
    {
        // tests/Veil.Ledger.Tests/bin/<Configuration>/net10.0 → tests/Veil.Ledger.Appender/bin/<Configuration>/net10.0
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var tfm = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here)!);
        var tests = Path.GetFullPath(Path.Combine(here, "..", "..", "..", ".."));
        var dll = Path.Combine(tests, "Veil.Ledger.Appender", "bin", configuration, tfm, "Veil.Ledger.Appender.dll");
        Assert.True(File.Exists(dll), $"the appender was not built at {dll}");
        return dll;
    }
}
