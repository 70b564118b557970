using TorchSharp;
using Veil.Compute.Models;
using static TorchSharp.torch;

namespace Veil.Compute.Transfer;

/// <summary>
/// The model a fine-tuning run starts from: the backbone's architecture with a new head for the private
/// task's classes, initialised at ZERO (Mehta et al.: a zero head is the right start under DP, and it makes
/// the first step independent of the public task's labels), every other weight copied from the backbone,
/// and the parameters outside <see cref="Trainable"/> frozen (requires_grad = false). Frozen parameters are
/// absent from the parameter vector, so clipping, noise and the update never see them.
/// </summary>
public static class TransferModel
{
    public static VeilModel Create(LoadedBackbone backbone, string architecture, int classes, Trainable trainable)
    {
        var m = backbone.Manifest;
        if (m.Architecture != architecture)
            throw new BackboneException(
                $"the backbone in {backbone.Directory} is a {m.Architecture}, but veil.model.name = {architecture}; " +
                $"set veil.model.name = {m.Architecture} or pre-train a {architecture}");
        var model = ModelCatalog.Create(architecture, seed: 0, classes);
        if (!m.InputShape.SequenceEqual(model.ExampleShape))
        {
            model.Dispose();
            throw new BackboneException(
                $"the backbone in {backbone.Directory} takes {string.Join('×', m.InputShape)} inputs, " +
                $"but {architecture} here takes {string.Join('×', model.ExampleShape)}; pre-train it again");
        }
        var head = ((IBackbone)model).HeadName + ".";
        var stored = new Dictionary<string, (long Offset, long[] Shape)>();
        long offset = 0;
        foreach (var p in m.Parameters)
        {
            stored[p.Name] = (offset, p.Shape);
            offset += p.Shape.Aggregate(1L, (a, b) => a * b);
        }
        using (NewDisposeScope())
        using (no_grad())
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (name.StartsWith(head, StringComparison.Ordinal))
                {
                    parameter.zero_();
                    continue;
                }
                if (!stored.TryGetValue(name, out var s) || !s.Shape.SequenceEqual(parameter.shape))
                {
                    model.Dispose();
                    throw new BackboneException(
                        $"the backbone in {backbone.Directory} has no parameter {name} of shape [{string.Join(",", parameter.shape)}]; " +
                        $"it was saved by another version of {architecture}; pre-train it again");
                }
                long count = s.Shape.Aggregate(1L, (a, b) => a * b);
                parameter.copy_(tensor(backbone.Weights.AsSpan((int)s.Offset, (int)count).ToArray(), s.Shape));
            }
        Freeze(model, trainable);
        return model;
    }

    /// <summary>Sets requires_grad = false on every parameter outside what <paramref name="trainable"/> trains.</summary>
    public static void Freeze(VeilModel model, Trainable trainable)
    {
        if (trainable == Trainable.All) return;
        var backbone = (IBackbone)model;
        var kept = trainable == Trainable.LastLayer ? new[] { backbone.HeadName } : backbone.LastBlock.ToArray();
        foreach (var (name, parameter) in model.named_parameters())
            if (!kept.Any(k => name.StartsWith(k + ".", StringComparison.Ordinal)))
                parameter.requires_grad = false;
    }
}
