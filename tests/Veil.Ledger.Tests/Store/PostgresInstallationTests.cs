using Veil.TestSupport.Postgres;
using Xunit;

namespace Veil.Ledger.Tests.Store;

public class PostgresInstallationTests
{
    [Fact]
    public void Without_postgresql_the_tests_fail_saying_how_to_install_it()
    {
        var empty = Path.Combine(Path.GetTempPath(), "veil-no-pg-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<InvalidOperationException>(() => PostgresInstallation.BinDirectoryAmong([empty, "/nonexistent/postgresql/bin"]));
        Assert.Contains("./run.sh test", e.Message);
        Assert.Contains("postgresql", e.Message);
    }

    [Fact]
    public void The_installed_server_programs_are_found() =>
        Assert.True(File.Exists(Path.Combine(PostgresInstallation.BinDirectory(), "initdb")));
}
