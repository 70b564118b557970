using Veil.Compute.Optimizers;
using Xunit;

namespace Veil.Compute.Tests.Optimizers;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void Constant_is_constant() => Assert.Equal(4.0, new ConstantLearningRate(4).At(1234));

    [Fact]
    public void Cosine_starts_at_initial_halves_midway_and_ends_at_final()
    {
        var s = new CosineLearningRate(Initial: 2, TotalSteps: 100, Final: 0.2);
        Assert.Equal(2.0, s.At(0), 12);
        Assert.Equal(1.1, s.At(50), 12);
        Assert.Equal(0.2, s.At(100), 12);
        Assert.Equal(0.2, s.At(500), 12);
    }

    [Fact]
    public void Step_decay_multiplies_by_the_factor_every_period()
    {
        var s = new StepDecayLearningRate(Initial: 1, Factor: 0.1, Every: 10);
        Assert.Equal(1.0, s.At(9), 12);
        Assert.Equal(0.1, s.At(10), 12);
        Assert.Equal(0.01, s.At(25), 12);
    }

    [Fact]
    public void Schedules_are_values() => Assert.Equal(new CosineLearningRate(1, 10), new CosineLearningRate(1, 10));
}
