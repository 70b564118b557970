using Veil.Compute.LastLayer;
using Xunit;

namespace Veil.Compute.Tests.LastLayer;

public class PrincipalSubspaceTests
{
    /// <summary>Points spread widely along (1, 1, 0)/√2, narrowly along (1, −1, 0)/√2 and barely along z, around (5, −3, 2).</summary>
    private static float[] Elongated(int seed, int count)
    {
        var random = new Random(seed);
        var values = new float[count * 3];
        for (int i = 0; i < count; i++)
        {
            double a = 10 * (random.NextDouble() - 0.5), b = random.NextDouble() - 0.5, c = 0.01 * (random.NextDouble() - 0.5);
            values[3 * i] = (float)(5 + (a + b) / Math.Sqrt(2));
            values[3 * i + 1] = (float)(-3 + (a - b) / Math.Sqrt(2));
            values[3 * i + 2] = (float)(2 + c);
        }
        return values;
    }

    [Fact]
    public void The_first_component_is_the_direction_of_largest_spread_and_the_mean_projects_to_zero()
    {
        var values = Elongated(1, 2000);
        var subspace = PrincipalSubspace.Fit(values, 2000, 3, 1);
        var mean = Enumerable.Range(0, 3).Select(j => (float)Enumerable.Range(0, 2000).Average(i => (double)values[3 * i + j])).ToArray();
        // Moving one unit along (1, 1, 0)/√2 moves the projection by ±1 (an eigenvector's sign is arbitrary); across it, by ~0.
        float[] points = [.. mean, mean[0] + (float)(1 / Math.Sqrt(2)), mean[1] + (float)(1 / Math.Sqrt(2)), mean[2],
            mean[0] + (float)(1 / Math.Sqrt(2)), mean[1] - (float)(1 / Math.Sqrt(2)), mean[2]];
        var projected = subspace.Project(points, 3);
        Assert.Equal(0.0, projected[0], 1e-4);
        Assert.Equal(1.0, Math.Abs(projected[1] - projected[0]), 1e-2);
        Assert.Equal(0.0, projected[2] - projected[0], 5e-2);
    }

    [Fact]
    public void All_components_keep_distances_between_examples()
    {
        var values = Elongated(2, 500);
        var subspace = PrincipalSubspace.Fit(values, 500, 3, 3);
        var projected = subspace.Project(values, 500);
        for (int i = 1; i < 20; i++)
        {
            double before = 0, after = 0;
            for (int j = 0; j < 3; j++)
            {
                before += Math.Pow(values[3 * i + j] - values[j], 2);
                after += Math.Pow(projected[3 * i + j] - projected[j], 2);
            }
            Assert.Equal(Math.Sqrt(before), Math.Sqrt(after), 1e-3);
        }
    }

    [Fact]
    public void More_components_than_dimensions_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PrincipalSubspace.Fit(Elongated(3, 10), 10, 3, 4));
    }
}
