using Veil.Actors.Tests.Cli;
using Xunit;

namespace Veil.Actors.Tests.Chaos;

/// <summary>The CI-sized chaos run: real processes, SIGKILLed at random and between ledger append and update.</summary>
[Collection(Training.TrainingCollection.Name)]
public class ChaosHarnessTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void Killed_and_resumed_runs_never_lose_or_double_a_privacy_event_or_an_update()
    {
        var run = CliRun.Of("chaos", "--runs", "2", "--seed", "7", "--steps", "18", "--json");
        var json = run.Json;
        Assert.True(json.GetProperty("kills").GetInt32() >= 1, "no process was killed: the test proved nothing");
        Assert.Equal(0, json.GetProperty("lost_events").GetInt64());
        Assert.Equal(0, json.GetProperty("duplicate_updates").GetInt64());
        Assert.Equal(0, json.GetProperty("invalid_ledgers").GetInt32());
        Assert.Equal(0, json.GetProperty("epsilon_mismatches").GetInt32());
        Assert.Equal(0, json.GetProperty("unfinished_runs").GetInt32());
        Assert.Equal(0, run.ExitCode);
    }
}
