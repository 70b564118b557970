using System.Text.Json.Nodes;
using Veil.Ledger.Plan;
using Xunit;

namespace Veil.Ledger.Tests.Plan;

/// <summary>A user-level plan in the one serialisation: its unit and k travel with it, and a plan missing k is no plan.</summary>
public class UserPlanJsonTests
{
    private static readonly DpPlan UserPlan = new(1000.0 / 6000, 2.9463, 0.1, 120, 1e-5, new string('b', 64), 6000, PrivacyUnit.User, 10);

    [Fact]
    public void A_user_level_plan_reads_back_with_its_unit_and_examples_per_user()
    {
        var json = PlanJson.Write(UserPlan);
        var node = JsonNode.Parse(json)!;
        Assert.Equal("user", (string?)node["privacy_unit"]);
        Assert.Equal(10, (int)node["examples_per_user"]!);
        Assert.Equal(6000, (long)node["dataset_size"]!);
        var read = PlanJson.Read(json);
        Assert.Equal(UserPlan, read);
        Assert.Equal((PrivacyUnit.User, 10), (read.Unit, read.ExamplesPerUser));
        Assert.Equal(1000, read.ExpectedBatchSize, 9);
    }

    [Fact]
    public void An_example_level_plan_carries_no_examples_per_user()
    {
        var node = JsonNode.Parse(PlanJson.Write(new DpPlan(0.1, 1.0, 1.0, 10, 1e-5, "fingerprint", 100)))!;
        Assert.Equal("example", (string?)node["privacy_unit"]);
        Assert.Null(node["examples_per_user"]);
    }

    [Fact]
    public void A_user_level_plan_without_examples_per_user_is_refused()
    {
        var node = JsonNode.Parse(PlanJson.Write(UserPlan))!.AsObject();
        node.Remove("examples_per_user");
        Assert.Contains("examples_per_user", Assert.Throws<FormatException>(() => PlanJson.Read(node.ToJsonString())).Message);
    }

    [Fact]
    public void A_plan_refuses_k_zero_at_user_level_and_k_at_example_level()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DpPlan(0.1, 1.0, 1.0, 10, 1e-5, "f", 100, PrivacyUnit.User, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DpPlan(0.1, 1.0, 1.0, 10, 1e-5, "f", 100, PrivacyUnit.Example, 3));
    }
}
