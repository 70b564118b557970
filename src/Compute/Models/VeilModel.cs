using TorchSharp;
using static TorchSharp.torch;

namespace Veil.Compute.Models;

/// <summary>
/// A classifier Veil can train privately. Children must be invoked with <c>call</c> (not <c>forward</c>)
/// so the per-example engine's forward hooks see every layer's input and output.
/// </summary>
public abstract class VeilModel : nn.Module<Tensor, Tensor>
{
    protected VeilModel(string name) : base(name) { }

    /// <summary>Catalog name, e.g. "tanh-cnn".</summary>
    public abstract string CatalogName { get; }

    /// <summary>Shape of one example, without the batch dimension (e.g. 1×28×28).</summary>
    public abstract long[] ExampleShape { get; }

    public abstract int Classes { get; }

    public long ExampleSize => ExampleShape.Aggregate(1L, (a, b) => a * b);

    public Device Device => parameters().First().device;
}
