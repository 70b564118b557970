using TorchSharp;
using Veil.Compute.Models;
using Veil.Compute.Runtime;
using Veil.Compute.Transfer;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.Transfer;

public sealed class NonPrivateTrainerTests
{
    private const int Count = 10, Size = 784;

    public NonPrivateTrainerTests() => TorchRuntime.EnsureLoaded();

    private static (float[] Inputs, long[] Labels) Data()
    {
        var random = new Random(3);
        var inputs = new float[Count * Size];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)random.NextDouble();
        return (inputs, Enumerable.Range(0, Count).Select(i => (long)(i % 10)).ToArray());
    }

    private static float[] Trained(NonPrivateTrainer.Options o, BatchInputWriter? writer)
    {
        var (inputs, labels) = Data();
        using var model = ModelCatalog.Create("mlp", seed: 4);
        NonPrivateTrainer.Train(model, inputs, labels, Count, o, writeInputs: writer);
        using var _ = no_grad();
        return model.parameters().SelectMany(p => p.detach().reshape(-1).data<float>().ToArray()).ToArray();
    }

    private static readonly NonPrivateTrainer.Options Options = new(Epochs: 2, BatchSize: 4, LearningRate: 0.1, Momentum: 0.9, WeightDecay: 0, Seed: 5);

    [Fact]
    public void A_writer_gets_every_step_once_and_every_example_once_per_epoch()
    {
        var seen = new List<(long Step, int[] Examples)>();
        var (inputs, _) = Data();
        Trained(Options, (step, examples, rows) =>
        {
            Assert.Equal(examples.Length * Size, rows.Length);
            seen.Add((step, examples.ToArray()));
            for (int k = 0; k < examples.Length; k++) inputs.AsSpan(examples[k] * Size, Size).CopyTo(rows.Slice(k * Size, Size));
        });
        Assert.Equal(Enumerable.Range(0, 6).Select(s => (long)s), seen.Select(s => s.Step));          // 2 epochs × ⌈10/4⌉ batches
        Assert.Equal(Enumerable.Range(0, Count), seen.Take(3).SelectMany(s => s.Examples).Order());
        Assert.Equal(Enumerable.Range(0, Count), seen.Skip(3).SelectMany(s => s.Examples).Order());
    }

    [Fact]
    public void The_model_trains_on_what_the_writer_writes()
    {
        var plain = Trained(Options, null);
        var (inputs, _) = Data();
        var copied = Trained(Options, (_, examples, rows) =>
        {
            for (int k = 0; k < examples.Length; k++) inputs.AsSpan(examples[k] * Size, Size).CopyTo(rows.Slice(k * Size, Size));
        });
        // Same rows, same model — up to the last bit: torch's threaded reductions may sum in another order.
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], copied[i], 1e-6f);
        var negated = Trained(Options, (_, examples, rows) =>
        {
            for (int k = 0; k < examples.Length; k++)
                for (int p = 0; p < Size; p++) rows[k * Size + p] = -inputs[examples[k] * Size + p];
        });
        Assert.True(plain.Zip(negated).Max(p => Math.Abs(p.First - p.Second)) > 1e-3f, "other rows must train another model");
    }
}
