using Veil.Ledger.Events;
using Xunit;

namespace Veil.Ledger.Tests.Events;

public class DpEventJsonTests
{
    private static readonly DpEvent Nested = new Composed([
        new SelfComposed(new PoissonSampled(256.0 / 60000, new GaussianEvent(1.1)), 14062),
        new GaussianEvent(0.1 + 0.2),
    ]);

    [Fact]
    public void The_stored_form_is_byte_stable() =>
        Assert.Equal(
            "{\"type\":\"composed\",\"events\":[{\"type\":\"self_composed\",\"count\":14062,\"event\":{\"type\":\"poisson_sampled\",\"sampling_rate\":0.004266666666666667,\"event\":{\"type\":\"gaussian\",\"noise_multiplier\":1.1}}},{\"type\":\"gaussian\",\"noise_multiplier\":0.30000000000000004}]}",
            DpEventJson.Serialize(Nested));

    [Fact]
    public void Round_trip_preserves_every_bit()
    {
        var back = DpEventJson.Deserialize(DpEventJson.Serialize(Nested));
        Assert.Equal(Nested, back);
        Assert.Equal(DpEventJson.Serialize(Nested), DpEventJson.Serialize(back));
    }

    [Fact]
    public void Insecure_randomness_has_a_stable_form_and_round_trips()
    {
        var insecure = new SelfComposed(new InsecureRandomness(new PoissonSampled(0.5, new GaussianEvent(2))), 3);
        var json = DpEventJson.Serialize(insecure);
        Assert.Equal(
            "{\"type\":\"self_composed\",\"count\":3,\"event\":{\"type\":\"insecure-randomness\",\"inner\":{\"type\":\"poisson_sampled\",\"sampling_rate\":0.5,\"event\":{\"type\":\"gaussian\",\"noise_multiplier\":2}}}}",
            json);
        Assert.Equal(insecure, DpEventJson.Deserialize(json));
    }

    [Theory]
    [InlineData("{\"type\":\"insecure-randomness\"}", "inner")]
    [InlineData("{\"type\":\"gaussian\"}", "noise_multiplier")]
    [InlineData("{\"type\":\"laplace\",\"scale\":1}", "laplace")]
    [InlineData("{\"type\":\"poisson_sampled\",\"sampling_rate\":1.5,\"event\":{\"type\":\"gaussian\",\"noise_multiplier\":1}}", "sampling rate")]
    [InlineData("{\"type\":\"gaussian\",\"noise_multiplier\":1", "invalid JSON")]
    [InlineData("[]", "type")]
    public void Invalid_json_is_refused_with_the_reason(string json, string reason)
    {
        var e = Assert.Throws<FormatException>(() => DpEventJson.Deserialize(json));
        Assert.Contains(reason, e.Message);
    }
}
