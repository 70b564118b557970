using Veil.DataLoading.Sources;
using Xunit;

namespace Veil.DataLoading.Tests.Sources;

public class SyntheticSourceTests
{
    [Fact]
    public void Synthetic_cifar_is_3x32x32_in_10_classes_and_says_it_is_synthetic()
    {
        using var train = ImageSources.Open("synthetic:cifar:300");
        Assert.Equal(new ImageShape(3, 32, 32), train.Shape);
        Assert.Equal(300, train.Count);
        Assert.Equal(10, train.Classes);
        Assert.Contains("SYNTHETIC", train.Description);
        Assert.Contains("not real data", train.Description);
        Assert.Equal(10, Enumerable.Range(0, train.Count).Select(train.LabelOf).Distinct().Count());
    }

    [Fact]
    public void The_same_spec_gives_the_same_fingerprint_and_the_test_split_differs()
    {
        using var a = ImageSources.Open("synthetic:cifar:200");
        using var b = ImageSources.Open("synthetic:cifar:200");
        using var test = ImageSources.Open("synthetic:cifar-test:200");
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.NotEqual(a.Fingerprint, test.Fingerprint);
    }

    [Theory]
    [InlineData("synthetic:imagenet", "synthetic:cifar[:N]")]
    [InlineData("synthetic:cifar:0", "[1, 1000000]")]
    [InlineData("synthetic:cifar:ten", "[1, 1000000]")]
    [InlineData("synthetic:cifar:10:20", "[1, 1000000]")]
    public void A_malformed_synthetic_spec_is_refused_naming_the_accepted_form(string spec, string hint)
    {
        var error = Assert.Throws<ArgumentException>(() => ImageSources.Open(spec));
        Assert.Contains(spec, error.Message);
        Assert.Contains(hint, error.Message);
    }
}
