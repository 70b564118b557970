using System.Text.Json;
using Veil.Compute.Benchmarks;
using Xunit;
using Xunit.Abstractions;

namespace Veil.Compute.Tests.Benchmarks;

/// <summary>Keeps the benchmark runnable (tiny sizes); it reports JSON and judges no speed.</summary>
public sealed class StepBenchmarkTests(ITestOutputHelper output)
{
    [Fact]
    public void The_step_benchmark_runs_and_reports_json()
    {
        var result = StepBenchmark.Run("tanh-cnn", examples: 8, threads: 1, iterations: 1);
        output.WriteLine(JsonSerializer.Serialize(result));
        Assert.True(result.NonPrivateStepMs > 0 && result.ClippedSumMs > 0 && result.NaiveLoopMs > 0);
    }

    [Fact]
    public void The_profile_names_each_phase_of_both_steps_and_each_layers_norms_and_sum()
    {
        var result = StepBenchmark.Run("tanh-cnn", examples: 4, threads: 1, iterations: 1, includeNaive: false, profile: true);
        var phases = result.Phases!.Select(p => p.Phase).ToHashSet();
        foreach (var phase in new[] { "np forward", "np backward", "forward", "backward", "norms conv1", "sum conv1", "norms fc2", "sum fc2", "assemble" })
            Assert.Contains(phase, phases);
        Assert.All(result.Phases!, p => Assert.True(p.Ms >= 0, p.Phase));
    }
}
