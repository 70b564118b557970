using TorchSharp;
using Veil.Compute.Clipping;
using Veil.Compute.Evaluation;
using Veil.Compute.Models;
using Veil.Compute.Noise;
using Veil.Compute.Optimizers;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using Veil.Compute.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.Evaluation;

public sealed class EvaluatorTests
{
    [Fact]
    public void Accuracy_and_loss_match_a_direct_computation_whatever_the_batch_size()
    {
        using var model = ModelCatalog.Create("mlp", seed: 5);
        var parameters = ParameterVector.Flatten(model);
        var (inputs, labels) = TestData.Batch(seed: 1, 50);
        int correct;
        double meanLoss;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var logits = model.call(HostArrays.Inputs(model, inputs, 50));
            var y = HostArrays.Labels(model, labels, 50);
            correct = (int)logits.argmax(1).eq(y).sum().item<long>();
            meanLoss = nn.functional.cross_entropy(logits, y).item<float>();
        }
        var whole = Evaluator.Evaluate(model, parameters, inputs, labels, 50, batchSize: 1000);
        var pieces = Evaluator.Evaluate(model, parameters, inputs, labels, 50, batchSize: 7);
        Assert.Equal(correct, whole.Correct);
        Assert.Equal(correct, pieces.Correct);
        Assert.Equal(meanLoss, whole.MeanLoss, 1e-5);
        Assert.Equal(whole.MeanLoss, pieces.MeanLoss, 1e-5);
        Assert.Equal(correct / 50.0, whole.Accuracy);
    }

    [Fact]
    public void A_few_DP_SGD_steps_learn_a_separable_task()
    {
        // Ten random prototype images; each example is its class's prototype plus noise. Poisson sampling at
        // q = 0.1 of N = 640 (L = 64), C = 1, σ = 0.5, η = 1, μ = 0.9, 40 steps, fixed seeds: the pieces
        // (clipping, noise once per batch, division by L, momentum) together must learn it.
        var random = new Random(99);
        var prototypes = Enumerable.Range(0, 10).Select(_ => Enumerable.Range(0, 784).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        (float[], long[]) Make(int n)
        {
            var x = new float[n * 784];
            var y = new long[n];
            for (int i = 0; i < n; i++)
            {
                y[i] = random.Next(10);
                for (int j = 0; j < 784; j++) x[i * 784 + j] = prototypes[y[i]][j] + (float)(random.NextDouble() - 0.5);
            }
            return (x, y);
        }
        var (trainX, trainY) = Make(640);
        var (testX, testY) = Make(200);
        using var model = ModelCatalog.Create("mlp", seed: 1);
        var theta = ParameterVector.Flatten(model);
        double before = Evaluator.Evaluate(model, theta, testX, testY, 200).Accuracy;
        var sgd = new SgdMomentum(theta.Length, 0.9);
        var l = ExpectedBatchSize.Of(0.1, 640);
        var seed = NoiseSeed.FromInt64(1);
        for (int step = 0; step < 40; step++)
        {
            var picked = Enumerable.Range(0, 640).Where(_ => random.NextDouble() < 0.1).ToArray();
            var x = picked.SelectMany(i => trainX.AsSpan(i * 784, 784).ToArray()).ToArray();
            var y = picked.Select(i => trainY[i]).ToArray();
            ParameterVector.Load(model, theta);
            var sum = ClippedGradientSum.Compute(model, x, y, picked.Length, clipNorm: 1.0, step).Sum;
            GaussianNoise.AddTo(sum, noiseMultiplier: 0.5, clipNorm: 1.0, seed, step);
            sgd.ApplyNoisySum(theta, sum, l, learningRate: 1.0);
        }
        double after = Evaluator.Evaluate(model, theta, testX, testY, 200).Accuracy;
        Assert.True(after >= 0.9 && after > before + 0.5, $"accuracy {before:P0} → {after:P0}");
    }
}
