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
}
