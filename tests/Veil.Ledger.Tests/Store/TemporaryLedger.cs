using Microsoft.Data.Sqlite;
using Veil.Ledger.Store;

namespace Veil.Ledger.Tests.Store;

/// <summary>A ledger file in a fresh temporary folder, removed afterwards; raw SQL access for damaging it on purpose.</summary>
public sealed class TemporaryLedger : IDisposable
{
    public TemporaryLedger()
    {
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "veil-ledger-tests", Guid.NewGuid().ToString("N"));

    public string Path => System.IO.Path.Combine(Folder, "ledger.sqlite");

    public SqliteLedgerStore Open() => SqliteLedgerStore.Open(Path);

    public void Sql(string sql)
    {
        using var c = new SqliteConnection($"Data Source={Path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A process still closing the file: the OS temp cleaner will have it.
        }
    }
}
