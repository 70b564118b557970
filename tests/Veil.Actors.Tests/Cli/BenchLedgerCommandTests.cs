using Xunit;

namespace Veil.Actors.Tests.Cli;

public class BenchLedgerCommandTests
{
    [Fact]
    public void Bench_ledger_reports_start_and_end_append_times_and_the_epsilon_spent_as_json()
    {
        var run = CliRun.Of("bench", "ledger", "--appends", "30", "--window", "5", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("sqlite", run.Json.GetProperty("backend").GetString());
        Assert.Equal(30, run.Json.GetProperty("appends").GetInt32());
        Assert.True(run.Json.GetProperty("first_ms_per_append").GetDouble() > 0);
        Assert.True(run.Json.GetProperty("last_ms_per_append").GetDouble() > 0);
        Assert.Equal(10, run.Json.GetProperty("median_ms_by_tenth").EnumerateObject().Count());
        Assert.True(run.Json.GetProperty("epsilon").GetDouble() > 0);
    }

    [Fact]
    public void Bench_ledger_on_postgres_without_a_connection_string_names_the_option()
    {
        var run = CliRun.Of("bench", "ledger", "--backend", "postgres", "--appends", "10");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--connection-string", run.Stderr);
    }
}
