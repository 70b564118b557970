using System.Text.Json.Nodes;
using Veil.Ledger.Events;
using Veil.Ledger.Plan;
using Xunit;

namespace Veil.Ledger.Tests.Plan;

/// <summary>The plan's one serialisation: what is written is what reads back, and nothing else reads as a plan.</summary>
public class PlanJsonTests
{
    private static readonly DpPlan Plan = new(2048.0 / 60000, 1.8069, 0.1, 997, 1e-5, new string('a', 64), 60000);

    [Fact]
    public void A_plan_reads_back_equal_to_the_plan_written()
    {
        var json = PlanJson.Write(Plan);
        Assert.Equal(Plan, PlanJson.Read(json));
        Assert.Equal(json, PlanJson.Write(PlanJson.Read(json)));
    }

    [Fact]
    public void The_written_plan_says_its_unit_its_sampling_and_its_step_event()
    {
        var node = JsonNode.Parse(PlanJson.Write(Plan))!;
        Assert.Equal("example", (string?)node["privacy_unit"]);
        Assert.Equal("poisson", (string?)node["sampling"]);
        Assert.Equal(Plan.StepEvent, DpEventJson.Deserialize(node["step_event"]!.ToJsonString()));
        Assert.Equal(Plan.ExpectedBatchSize, (double)node["expected_batch_size"]!);
    }

    [Fact]
    public void A_plan_written_with_the_earlier_field_names_still_reads()
    {
        const string earlier = """
            {"SamplingRate":0.1,"NoiseMultiplier":1,"ClipNorm":1,"Steps":10,"Delta":1E-05,"DatasetFingerprint":"fingerprint","DatasetSize":100}
            """;
        Assert.Equal(new DpPlan(0.1, 1.0, 1.0, 10, 1e-5, "fingerprint", 100), PlanJson.Read(earlier));
    }

    [Fact]
    public void A_plan_whose_noise_was_edited_without_its_step_event_is_refused()
    {
        var node = JsonNode.Parse(PlanJson.Write(Plan))!;
        node["noise_multiplier"] = 50.0; // claims more noise than the releases will have had
        var error = Assert.Throws<FormatException>(() => PlanJson.Read(node.ToJsonString()));
        Assert.Contains("step_event", error.Message);
    }

    [Theory]
    [InlineData("clip_norm", -1.0, "clip norm")]
    [InlineData("sampling_rate", 2.0, "sampling rate")]
    [InlineData("delta", 0.0, "δ")]
    public void A_plan_that_fails_the_plans_own_checks_does_not_read(string key, double value, string named)
    {
        var node = JsonNode.Parse(PlanJson.Write(Plan))!;
        node[key] = value;
        node.AsObject().Remove("step_event");
        Assert.Contains(named, Assert.Throws<FormatException>(() => PlanJson.Read(node.ToJsonString())).Message);
    }

    [Fact]
    public void A_plan_for_a_privacy_unit_this_version_does_not_know_is_refused()
    {
        var node = JsonNode.Parse(PlanJson.Write(Plan))!;
        node["privacy_unit"] = "household";
        Assert.Contains("household", Assert.Throws<FormatException>(() => PlanJson.Read(node.ToJsonString())).Message);
    }

    [Fact]
    public void A_plan_missing_a_field_names_it()
    {
        var node = JsonNode.Parse(PlanJson.Write(Plan))!;
        node.AsObject().Remove("steps");
        Assert.Contains("steps", Assert.Throws<FormatException>(() => PlanJson.Read(node.ToJsonString())).Message);
    }
}
