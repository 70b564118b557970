using System.Text.Json;
using Xunit;

namespace Veil.Actors.Tests.Cli;

public class PrivacyCommandsTests
{
    [Fact]
    public void Epsilon_json_gives_the_contract_fields()
    {
        var run = CliRun.Of("privacy", "epsilon", "--sampling-rate", "0.04", "--noise-multiplier", "1.5", "--steps", "2250", "--delta", "1e-5", "--json");
        Assert.Equal(0, run.ExitCode);
        var json = run.Json;
        Assert.Equal(7.32911, json.GetProperty("epsilon").GetDouble(), 5);
        Assert.Equal(1e-5, json.GetProperty("delta").GetDouble());
        Assert.Equal("rdp", json.GetProperty("accountant").GetString());
        Assert.Equal(3.9, json.GetProperty("order").GetDouble());
    }

    [Fact]
    public void Pld_accountant_is_selectable_and_reports_no_order()
    {
        var run = CliRun.Of("privacy", "epsilon", "--sampling-rate", "0.04", "--noise-multiplier", "1.5", "--steps", "2250", "--delta", "1e-5", "--accountant", "pld", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("pld", run.Json.GetProperty("accountant").GetString());
        Assert.Equal(JsonValueKind.Null, run.Json.GetProperty("order").ValueKind);
        // dp_accounting's PLD gives 6.768787376865218 here; RDP gives 7.32911.
        Assert.Equal(6.7688, run.Json.GetProperty("epsilon").GetDouble(), 3);
    }

    [Fact]
    public void Epsilon_from_dataset_size_batch_and_epochs()
    {
        var run = CliRun.Of("privacy", "epsilon", "--dataset-size", "60000", "--batch-size", "256", "--epochs", "60",
            "--noise-multiplier", "1.1", "--delta", "1e-5", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(14063, run.Json.GetProperty("steps").GetInt64());
        Assert.Equal(2.5967, run.Json.GetProperty("epsilon").GetDouble(), 4);
    }

    [Fact]
    public void Calibrate_round_trips_through_epsilon()
    {
        var cal = CliRun.Of("privacy", "calibrate", "--target-epsilon", "3", "--sampling-rate", "0.0341", "--steps", "1172", "--delta", "1e-5", "--json");
        Assert.Equal(0, cal.ExitCode);
        var sigma = cal.Json.GetProperty("noise_multiplier").GetDouble();
        Assert.True(cal.Json.GetProperty("epsilon").GetDouble() <= 3);
        var eps = CliRun.Of("privacy", "epsilon", "--sampling-rate", "0.0341", "--noise-multiplier", sigma.ToString("R"), "--steps", "1172", "--delta", "1e-5", "--json");
        Assert.Equal(cal.Json.GetProperty("epsilon").GetDouble(), eps.Json.GetProperty("epsilon").GetDouble(), 12);
    }

    [Theory]
    [InlineData("--sampling-rate", "0", "--sampling-rate")]
    [InlineData("--sampling-rate", "1.5", "--sampling-rate")]
    [InlineData("--noise-multiplier", "0", "--noise-multiplier")]
    [InlineData("--noise-multiplier", "-2", "--noise-multiplier")]
    [InlineData("--delta", "1", "--delta")]
    [InlineData("--delta", "0", "--delta")]
    [InlineData("--steps", "-5", "--steps")]
    [InlineData("--delta", "abc", "--delta")]
    [InlineData("--unknown-option", "3", "--unknown-option")]
    [InlineData("--accountant", "moments", "moments")]
    public void Bad_input_exits_2_with_one_line_naming_the_option(string option, string value, string named)
    {
        var args = new Dictionary<string, string>
        {
            ["--sampling-rate"] = "0.01", ["--noise-multiplier"] = "1.0", ["--steps"] = "100", ["--delta"] = "1e-5",
        };
        args[option] = value;
        var run = CliRun.Of(["privacy", "epsilon", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);
        Assert.Equal(2, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(named, lines[0]);
        Assert.DoesNotContain("   at ", run.Stderr); // never a stack trace
    }

    [Fact]
    public void Mixing_the_two_schedule_forms_is_refused()
    {
        var run = CliRun.Of("privacy", "epsilon", "--sampling-rate", "0.01", "--steps", "10", "--epochs", "3", "--noise-multiplier", "1", "--delta", "1e-5");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("either", run.Stderr);
    }

    [Fact]
    public void A_missing_schedule_option_is_named()
    {
        var run = CliRun.Of("privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1", "--delta", "1e-5");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--steps", run.Stderr);
    }

    [Fact]
    public void Bench_accountant_prints_json_and_asserts_nothing()
    {
        var run = CliRun.Of("bench", "accountant", "--steps", "1000", "--repeats", "1", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(1000, run.Json.GetProperty("steps").GetInt64());
        Assert.True(run.Json.GetProperty("history_ms").GetDouble() >= 0);
    }
}
