using TorchSharp;
using Veil.Compute.Models;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Transfer;

/// <summary>
/// Ordinary minibatch SGD with momentum (no clipping, no noise): public pre-training, and the non-private
/// ceiling of a fine-tuning recipe. Trains only parameters with requires_grad; shuffles with a seeded
/// permutation each epoch. Never touches a ledger: it must only ever see public data, or serve as a
/// reference whose result is not released. Inputs are copied from <c>inputs</c> as they are, or written by
/// a <see cref="BatchInputWriter"/> (e.g. augmented views of the same examples).
/// </summary>
public static class NonPrivateTrainer
{
    public sealed record Options(int Epochs, int BatchSize, double LearningRate, double Momentum, double WeightDecay, ulong Seed);

    public static void Train(VeilModel model, float[] inputs, long[] labels, int count, Options o, Action<int, double>? onEpoch = null,
                             BatchInputWriter? writeInputs = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (o.Epochs < 1 || o.BatchSize < 1) throw new ArgumentException($"epochs ({o.Epochs}) and batch size ({o.BatchSize}) must be at least 1");
        if (inputs.LongLength < (long)count * model.ExampleSize || labels.Length < count)
            throw new ArgumentException(
                $"{count} examples need {count * model.ExampleSize} inputs and {count} labels; got {inputs.LongLength} and {labels.Length}");
        TorchRuntime.EnsureLoaded();
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = optim.SGD(trainable, o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay);
        long size = model.ExampleSize;
        var order = Enumerable.Range(0, count).ToArray();
        var random = new Random(unchecked((int)o.Seed ^ (int)(o.Seed >> 32)));
        int totalSteps = o.Epochs * ((count + o.BatchSize - 1) / o.BatchSize), step = 0;
        model.train();
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            random.Shuffle(order);
            double lossSum = 0;
            for (int from = 0; from < count; from += o.BatchSize)
            {
                int n = Math.Min(o.BatchSize, count - from);
                var x = new float[n * size];
                var y = new long[n];
                for (int k = 0; k < n; k++)
                {
                    int i = order[from + k];
                    if (writeInputs is null) Array.Copy(inputs, i * size, x, k * size, size);
                    y[k] = labels[i];
                }
                writeInputs?.Invoke(step, order.AsSpan(from, n), x);
                using var scope = NewDisposeScope();
                // Cosine decay to zero: few epochs, so the last ones should settle rather than bounce.
                foreach (var g in optimizer.ParamGroups) g.LearningRate = o.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / totalSteps));
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(HostArrays.Inputs(model, x, n)), HostArrays.Labels(model, y, n));
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>() * n;
                step++;
            }
            onEpoch?.Invoke(epoch + 1, lossSum / count);
        }
        model.eval();
    }
}
