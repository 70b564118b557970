using System.Diagnostics;

namespace Veil.TestSupport.Postgres;

/// <summary>
/// Finds PostgreSQL's server programs (initdb, pg_ctl): $VEIL_PG_BIN, then `pg_config --bindir`, then the
/// newest /usr/lib/postgresql/*/bin (Debian's layout). Missing is an error, never a silent skip.
/// </summary>
public static class PostgresInstallation
{
    public static string BinDirectory()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("VEIL_PG_BIN") is { Length: > 0 } fromEnv) candidates.Add(fromEnv);
        if (PgConfigBinDir() is { } fromPgConfig) candidates.Add(fromPgConfig);
        if (Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        return BinDirectoryAmong(candidates);
    }

    /// <summary>The first candidate folder holding initdb and pg_ctl; none is an error saying how to install them.</summary>
    public static string BinDirectoryAmong(IEnumerable<string> candidates) =>
        candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException(
                "PostgreSQL's server programs (initdb, pg_ctl) were not found ($VEIL_PG_BIN, `pg_config --bindir`, /usr/lib/postgresql/*/bin). " +
                "The PostgreSQL ledger tests need a real server: `./run.sh test` installs Debian's `postgresql` package " +
                "(or run `apt-get install postgresql`, or set VEIL_PG_BIN to the folder holding initdb).");

    private static string? PgConfigBinDir()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEnd().Trim();
            return p.WaitForExit(10_000) && p.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no pg_config on PATH (it comes with libpq-dev, not always installed)
        }
    }
}
