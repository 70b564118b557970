using TorchSharp;
using Veil.Compute.Models;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Transfer;

/// <summary>Penultimate-layer features of a dataset through a frozen backbone: [count × FeatureDimension], row-major.</summary>
public static class FeatureExtractor
{
    public static float[] Extract(VeilModel model, float[] inputs, int count, int batchSize = 1000)
    {
        if (model is not IBackbone backbone) throw new BackboneException($"model {model.CatalogName} has no feature layer");
        TorchRuntime.EnsureLoaded();
        long size = model.ExampleSize, dim = backbone.FeatureDimension;
        var features = new float[count * dim];
        bool wasTraining = model.training;
        model.eval();
        try
        {
            for (int from = 0; from < count; from += batchSize)
            {
                int n = Math.Min(batchSize, count - from);
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var x = HostArrays.Inputs(model, inputs.AsSpan((int)(from * size), (int)(n * size)).ToArray(), n);
                backbone.Features(x).cpu().contiguous().data<float>().CopyTo(features.AsSpan((int)(from * dim), (int)(n * dim)));
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return features;
    }
}
