using Veil.Compute.Evaluation;
using Veil.Compute.Models;
using Veil.Compute.Parameters;
using Veil.Compute.Runtime;
using Veil.Compute.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.Evaluation;

public sealed class ExampleLossesTests
{
    [Fact]
    public void Each_loss_is_the_cross_entropy_of_that_example_alone_whatever_the_batch_size()
    {
        using var model = ModelCatalog.Create("mlp", seed: 5);
        var parameters = ParameterVector.Flatten(model);
        var (inputs, labels) = TestData.Batch(seed: 2, 23);
        var whole = ExampleLosses.Of(model, parameters, inputs, labels, 23);
        var pieces = ExampleLosses.Of(model, parameters, inputs, labels, 23, batchSize: 4);
        for (var i = 0; i < 23; i++)
        {
            double alone;
            using (NewDisposeScope())
            using (no_grad())
            {
                var x = HostArrays.Inputs(model, inputs.AsSpan(i * 784, 784).ToArray(), 1);
                var y = HostArrays.Labels(model, [labels[i]], 1);
                alone = nn.functional.cross_entropy(model.call(x), y).item<float>();
            }
            Assert.Equal(alone, whole[i], 1e-5);
            Assert.Equal(whole[i], pieces[i], 1e-5); // float32 matrix products block differently by batch size
        }
        Assert.Equal(Evaluator.Evaluate(model, parameters, inputs, labels, 23).MeanLoss, whole.Average(), 1e-5);
    }
}
