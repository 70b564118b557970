using Veil.Compute.Optimizers;
using Xunit;

namespace Veil.Compute.Tests.Optimizers;

public sealed class SgdMomentumTests
{
    [Fact]
    public void Two_momentum_steps_match_a_hand_computation()
    {
        // θ = (1, −2), μ = 0.9, η = 0.5, L = 4.
        // step 1: sum (4, 8) → g = (1, 2); v = (1, 2);       θ = (1 − 0.5, −2 − 1)       = (0.5, −3)
        // step 2: sum (−4, 0) → g = (−1, 0); v = (−0.1, 1.8); θ = (0.5 + 0.05, −3 − 0.9) = (0.55, −3.9)
        var theta = new float[] { 1, -2 };
        var sgd = new SgdMomentum(2, momentum: 0.9);
        var l = new ExpectedBatchSize(4);
        sgd.ApplyNoisySum(theta, new float[] { 4, 8 }, l, 0.5);
        Assert.Equal(0.5f, theta[0], 1e-6f);
        Assert.Equal(-3f, theta[1], 1e-6f);
        sgd.ApplyNoisySum(theta, new float[] { -4, 0 }, l, 0.5);
        Assert.Equal(0.55f, theta[0], 1e-6f);
        Assert.Equal(-3.9f, theta[1], 1e-6f);
        Assert.Equal(new[] { -0.1f, 1.8f }, sgd.ExportVelocity().Select(v => MathF.Round(v, 5)).ToArray());
    }

    [Fact]
    public void The_update_divides_by_the_expected_batch_size_not_the_realised_one()
    {
        // q = 0.01, N = 1000 → L = 10, although this step's Poisson sample happened to hold 7 examples.
        var theta = new float[] { 0 };
        var sgd = new SgdMomentum(1, momentum: 0);
        sgd.ApplyNoisySum(theta, new float[] { 7 }, ExpectedBatchSize.Of(0.01, 1000), learningRate: 1);
        Assert.Equal(-0.7f, theta[0], 1e-6f);
    }

    [Fact]
    public void Velocity_restored_from_a_checkpoint_continues_the_same_trajectory()
    {
        var a = new float[] { 1, 1 };
        var b = new float[] { 1, 1 };
        var l = new ExpectedBatchSize(2);
        var first = new SgdMomentum(2, 0.9);
        first.ApplyNoisySum(a, new float[] { 1, -1 }, l, 0.1);
        new SgdMomentum(2, 0.9).ApplyNoisySum(b, new float[] { 1, -1 }, l, 0.1); // b: same first step, other optimizer
        var resumed = new SgdMomentum(first.ExportVelocity(), 0.9);        // ...which then resumes from a checkpoint
        first.ApplyNoisySum(a, new float[] { 3, 2 }, l, 0.1);
        resumed.ApplyNoisySum(b, new float[] { 3, 2 }, l, 0.1);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Expected_batch_size_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExpectedBatchSize(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpectedBatchSize.Of(0, 100));
    }
}
