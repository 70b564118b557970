using Veil.DataLoading.Datasets;
using Xunit;

namespace Veil.Actors.Tests.LastLayer;

/// <summary>
/// A fact that needs the real Fashion-MNIST files: SKIPPED (with the reason and the fix) when they are not
/// installed, never passed, so a green run means the real data was used.
/// </summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!new FashionMnistLocator().TryLocate(null, out _))
            Skip = $"Fashion-MNIST is not installed in {FashionMnistLocator.DebianDirectory}; " +
                   "run `apt-get install dataset-fashion-mnist` (or `./run.sh test`) to run this test";
    }
}
