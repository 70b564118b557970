using System.Diagnostics;
using Xunit;

namespace Veil.Ledger.Tests.Store;

public class ConcurrentAppendTests
{
    [Fact]
    public void Two_processes_appending_to_one_ledger_never_fork_the_chain()
    {
        using var ledger = new TemporaryLedger();
        using (ledger.Open()) { } // create it first, so neither process races to create the schema
        const int each = 300;
        var go = Path.Combine(ledger.Folder, "go");
        var appender = AppenderDll();
        var processes = new[] { "run-a", "run-b" }.Select(run => Process.Start(new ProcessStartInfo("dotnet", [appender, ledger.Path, run, each.ToString(), go])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        })!).ToArray();
        File.WriteAllText(go, ""); // both are up and waiting: start together
        foreach (var p in processes)
        {
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "appender did not finish");
            Assert.True(p.ExitCode == 0, $"appender failed: {p.StandardError.ReadToEnd()}");
        }
        using var store = ledger.Open();
        var records = store.ReadAll();
        Assert.Equal(Enumerable.Range(1, 2 * each).Select(i => (long)i), records.Select(r => r.Sequence));
        Assert.Equal(each, records.Count(r => r.RunId == "run-a"));
        Assert.Equal(each, records.Count(r => r.RunId == "run-b"));
        Assert.True(store.Verify().Valid, store.Verify().Reason);
        // Both really ran at once: their records interleave.
        Assert.True(records.Zip(records.Skip(1)).Count(p => p.First.RunId != p.Second.RunId) > 1, "the two processes never interleaved");
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
