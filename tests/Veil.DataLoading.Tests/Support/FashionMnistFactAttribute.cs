using Veil.DataLoading.Datasets;
using Xunit;

namespace Veil.DataLoading.Tests.Support;

/// <summary>
/// A fact that needs the real Fashion-MNIST files. When they are not installed the test is
/// reported as SKIPPED with the reason and the fix, never as passed: a green run must mean the
/// real data was checked.
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
