using Veil.Actors.Configuration;
using Xunit;

namespace Veil.Actors.Tests.Configuration;

public class LedgerStoreFactoryTests
{
    private static readonly PrivacySettings Postgres =
        new("rdp", 8, 1e-5, "runs/ledger.sqlite", LedgerBackends.Postgres, "Host=db.example;Port=5433;Database=veil;Username=trainer;Password=s3cret");

    [Fact]
    public void A_postgres_ledger_is_described_without_its_password() =>
        Assert.Equal("postgres://trainer@db.example:5433/veil", LedgerStoreFactory.Describe(Postgres));

    [Fact]
    public void A_sqlite_ledger_is_described_by_its_full_path() =>
        Assert.Equal(Path.GetFullPath("runs/ledger.sqlite"), LedgerStoreFactory.Describe(Postgres with { LedgerBackend = LedgerBackends.Sqlite }));

    [Fact]
    public void The_password_is_split_off_for_run_files_and_put_back_unchanged()
    {
        var (shareable, password) = LedgerStoreFactory.SplitPassword(Postgres);
        Assert.Equal("s3cret", password);
        Assert.DoesNotContain("s3cret", shareable.LedgerConnectionString);
        Assert.Contains("Host=db.example", shareable.LedgerConnectionString);
        Assert.Contains("Password=s3cret", LedgerStoreFactory.WithPassword(shareable, password!).LedgerConnectionString);
    }

    [Fact]
    public void Settings_without_a_password_are_written_as_they_are()
    {
        var none = Postgres with { LedgerConnectionString = "Host=db;Database=veil;Username=trainer" };
        Assert.Equal((none, (string?)null), LedgerStoreFactory.SplitPassword(none));
    }

    [Fact]
    public void The_configured_backend_and_connection_string_are_read_once_into_the_settings()
    {
        var p = PrivacySettings.Create(VeilConfiguration.Load(overrides: ["veil.privacy.ledger.backend=postgres", "veil.privacy.ledger.connection-string=\"Host=h;Database=d\""]));
        Assert.Equal(LedgerBackends.Postgres, p.LedgerBackend);
        Assert.Equal("Host=h;Database=d", p.LedgerConnectionString);
        Assert.Equal(LedgerBackends.Sqlite, PrivacySettings.Create(VeilConfiguration.Load()).LedgerBackend);
    }

    [Fact]
    public void A_postgres_backend_without_a_connection_string_names_the_key()
    {
        var e = Assert.Throws<ConfigurationException>(() => PrivacySettings.Create(VeilConfiguration.Load(overrides: ["veil.privacy.ledger.backend=postgres"])));
        Assert.Contains("veil.privacy.ledger.connection-string", e.Message);
    }
}
