using System.Text.Json.Nodes;
using Veil.Ledger.Events;
using Veil.Ledger.Plan;
using Xunit;

namespace Veil.Ledger.Tests.Plan;

/// <summary>The last-layer mechanisms' frozen plan: its releases as DP events, in the plans' one serialisation.</summary>
public class ReleasePlanTests
{
    private static readonly ReleasePlan Plan = new(
        [new PlannedRelease("covariance", 1, 1.0, 4.2, 1.0, 1.0), new PlannedRelease("sgd", 300, 0.05, 1.3, 0.5, 2.0)],
        1e-5, new string('b', 64), 60000);

    [Fact]
    public void A_release_plan_reads_back_equal_to_the_plan_written()
    {
        var json = PlanJson.Write(Plan);
        Assert.Equal(Plan, PlanJson.ReadReleasePlan(json));
        Assert.Equal(json, PlanJson.Write(PlanJson.ReadReleasePlan(json)));
    }

    [Fact]
    public void The_plans_event_is_every_release_composed_and_is_written_for_a_reader()
    {
        var expected = new Composed([new GaussianEvent(4.2), new SelfComposed(new PoissonSampled(0.05, new GaussianEvent(1.3)), 300)]);
        Assert.Equal(DpEventJson.Serialize(expected), DpEventJson.Serialize(Plan.Event));
        var node = JsonNode.Parse(PlanJson.Write(Plan))!;
        Assert.Equal(DpEventJson.Serialize(expected), node["event"]!.ToJsonString());
        Assert.Equal(1.3 * 0.5, (double)node["releases"]![1]!["noise_std"]!, 12);
    }

    [Fact]
    public void A_release_without_noise_does_not_read_and_is_named()
    {
        var node = JsonNode.Parse(PlanJson.Write(Plan))!;
        node["releases"]![1]!["noise_multiplier"] = 0.0;
        var error = Assert.Throws<FormatException>(() => PlanJson.ReadReleasePlan(node.ToJsonString()));
        Assert.Contains("\"sgd\"", error.Message);
    }

    [Fact]
    public void A_release_named_twice_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new ReleasePlan(
            [new PlannedRelease("covariance", 1, 1.0, 4.2, 1.0, 1.0), new PlannedRelease("covariance", 1, 1.0, 9.0, 1.0, 1.0)], 1e-5, "f", 10));
    }
}
