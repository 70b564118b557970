using Veil.Compute.Optimizers;
using Xunit;

namespace Veil.Compute.Tests.Optimizers;

public sealed class ExponentialMovingAverageTests
{
    [Fact]
    public void The_average_equals_a_direct_computation_over_a_known_sequence_of_iterates()
    {
        // θ̄_T = β^T θ₀ + Σ_{t=1..T} (1 − β) β^{T−t} θ_t, the closed form of the recursion started at θ₀.
        const double beta = 0.8;
        var iterates = new[] { new float[] { 1, -2 }, [3, 0.5f], [-1, 4], [2, 2], [0.25f, -3] };
        var average = new ExponentialMovingAverage(iterates[0], beta);
        foreach (var theta in iterates.Skip(1)) average.Update(theta);

        int last = iterates.Length - 1;
        for (int i = 0; i < 2; i++)
        {
            double direct = Math.Pow(beta, last) * iterates[0][i];
            for (int t = 1; t <= last; t++) direct += (1 - beta) * Math.Pow(beta, last - t) * iterates[t][i];
            Assert.Equal(direct, average.Export()[i], 1e-5);
        }
    }

    [Fact]
    public void The_average_starts_at_the_initial_parameters_so_a_constant_sequence_stays_put()
    {
        // No 1 − βᵗ correction is needed: started at θ₀, not at zero, the average is never pulled toward zero.
        var theta = new float[] { 0.5f, -7 };
        var average = new ExponentialMovingAverage(theta, 0.999);
        for (int t = 0; t < 10; t++) average.Update(theta);
        Assert.Equal(theta, average.Export());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_decay_outside_the_open_unit_interval_is_refused(double beta) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage([1f], beta));

    [Fact]
    public void Parameters_of_another_length_are_refused()
    {
        var average = new ExponentialMovingAverage([1f, 2f], 0.9);
        Assert.Throws<ArgumentException>(() => average.Update([1f]));
    }
}
