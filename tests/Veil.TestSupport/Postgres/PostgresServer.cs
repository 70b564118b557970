using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Veil.TestSupport.Postgres;

/// <summary>
/// A throw-away PostgreSQL server: initdb into a fresh temporary folder, started on a free port of
/// 127.0.0.1 with its unix socket inside that folder (so it never meets a system cluster on 5432), stopped
/// and deleted on Dispose. Password authentication over TCP, so wrong-password errors can be tested.
/// PostgreSQL refuses to run as root: as root, its programs run as the `postgres` system user (created by
/// Debian's package) after the folder is handed to it. Use as an xUnit collection fixture: one server per
/// test run, one database per test (<see cref="CreateDatabase"/>).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string SuperUser = "postgres";
    public const string Password = "veil-test-only";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _bin;
    private readonly string _data;
    private readonly bool _asPostgresUser;
    private int _databases;

    public PostgresServer()
    {
        _bin = PostgresInstallation.BinDirectory();
        Folder = Path.Combine(Path.GetTempPath(), "veil-pg-" + Guid.NewGuid().ToString("N")[..12]);
        _data = Path.Combine(Folder, "data");
        _asPostgresUser = Environment.IsPrivilegedProcess;
        Directory.CreateDirectory(Folder);
        try
        {
            var passwordFile = Path.Combine(Folder, "pw");
            File.WriteAllText(passwordFile, Password + "\n");
            if (_asPostgresUser) Run("chown", ["-R", "postgres:", Folder], asPostgres: false);
            Run(Path.Combine(_bin, "initdb"), ["-D", _data, "-U", SuperUser, "--pwfile", passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                "-E", "UTF8", "--no-locale", "--no-sync"], asPostgres: _asPostgresUser);
            Port = StartOnFreePort();
        }
        catch
        {
            Delete();
            throw;
        }
    }

    public string Folder { get; }

    public int Port { get; private set; }

    /// <summary>A connection string for <paramref name="database"/> as the superuser (pooled: Dispose clears the pools before stopping).</summary>
    public string ConnectionString(string database, string? password = Password) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Database = database, Username = SuperUser, Password = password, Timeout = 30,
        }.ConnectionString;

    /// <summary>A fresh, empty database; returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = $"veil_test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}";
        Sql("postgres", $"CREATE DATABASE {name}");
        return ConnectionString(name);
    }

    /// <summary>Runs raw SQL against a database, e.g. to damage a ledger on purpose.</summary>
    public void Sql(string database, string sql)
    {
        using var c = new NpgsqlConnection(ConnectionString(database));
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "stop", "-m", "immediate", "-w"], asPostgres: _asPostgresUser);
        }
        catch (InvalidOperationException)
        {
            // Not running (it failed to start, or was stopped already): the folder still goes.
        }
        Delete();
    }

    private int StartOnFreePort()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            try
            {
                // -k: the unix socket lives in our folder, never in /var/run/postgresql beside a system cluster.
                Run(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "-l", Path.Combine(Folder, "server.log"), "-w", "-t", "60",
                    "-o", $"-p {port} -k {Folder} -c listen_addresses=127.0.0.1 -c max_connections=60 -c shared_buffers=16MB", "start"], asPostgres: _asPostgresUser);
                return port;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process took the port between probing and binding: try another.
            }
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void Run(string program, IReadOnlyList<string> args, bool asPostgres)
    {
        var runuser = File.Exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser";
        var start = asPostgres ? new ProcessStartInfo(runuser, ["-u", "postgres", "--", program, .. args]) : new ProcessStartInfo(program, args);
        start.WorkingDirectory = Folder; // readable by the postgres user, unlike the test's own folder perhaps
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var output = new System.Text.StringBuilder();
        using var p = new Process { StartInfo = start };
        p.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(CommandTimeout))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(program)} did not finish within {CommandTimeout.TotalSeconds} s: {output}");
        }
        if (p.ExitCode != 0)
        {
            var log = Path.Combine(Folder, "server.log");
            var serverLog = File.Exists(log) ? File.ReadAllText(log) : "";
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} failed (exit {p.ExitCode}): {output}\n{serverLog}");
        }
    }

    private void Delete()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying server: the OS temp cleaner will have it.
        }
    }
}
