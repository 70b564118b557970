using System.Diagnostics;
using System.Globalization;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Ownership;
using Veil.DataLoading.Sampling;
using Xunit;
using Xunit.Abstractions;

namespace Veil.DataLoading.Tests.Benchmarks;

/// <summary>
/// What planning a step costs at user level against example level, at the two Fashion-MNIST recipes' sizes (6 000 synthetic
/// users × 10 images, q = 1000/6000, k = 10; 60 000 examples, q = 2048/60000; micro-batches of 256), printed as one JSON line
/// (<c>dotnet test --logger "console;verbosity=detailed" --filter "Category=Benchmark&amp;FullyQualifiedName~UserSampling"</c>).
/// Reports, asserts nothing.
/// </summary>
public sealed class UserSamplingBenchmark(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Benchmark")]
    public void Planning_a_user_level_step_against_an_example_level_step()
    {
        var seed = SamplerSeed.FromUInt64(1);
        var user = new StepPlanner(new UserPoissonSampler(SyntheticOwners.Assign(60_000, 6_000, 1), 1000.0 / 6000, 10, seed), new MicroBatchPlanner(256));
        var example = new StepPlanner(new PoissonSampler(60_000, 2048.0 / 60_000, seed), new MicroBatchPlanner(256));
        static (double Ms, long Examples) Time(StepPlanner planner)
        {
            for (var s = 0; s < 20; s++) planner.Plan(s);
            var clock = Stopwatch.StartNew();
            long examples = 0;
            for (var s = 0; s < 300; s++) examples += planner.Plan(s).ExampleCount;
            return (clock.Elapsed.TotalMilliseconds / 300, examples / 300);
        }
        var (userMs, userExamples) = Time(user);
        var (exampleMs, exampleExamples) = Time(example);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"benchmark\":\"step-planning\",\"user_ms_per_step\":{userMs:F3},\"user_examples_per_step\":{userExamples}," +
            $"\"example_ms_per_step\":{exampleMs:F3},\"example_examples_per_step\":{exampleExamples}}}"));
    }
}
