using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// A catalog model that can serve as a pre-trained backbone: forward = head(features(x)), where the head is
/// one Linear layer. Transfer learning re-creates the head for the private task and may freeze the rest.
/// </summary>
public interface IBackbone
{
    /// <summary>The penultimate layer's output, [B, <see cref="FeatureDimension"/>].</summary>
    Tensor Features(Tensor input);

    long FeatureDimension { get; }

    /// <summary>Module path of the final Linear layer (e.g. "fc2").</summary>
    string HeadName { get; }

    /// <summary>Module paths trained with veil.init.trainable = last-block (the head included).</summary>
    IReadOnlyList<string> LastBlock { get; }
}
