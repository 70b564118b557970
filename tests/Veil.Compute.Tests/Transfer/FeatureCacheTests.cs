using Veil.Compute.Transfer;
using Xunit;

namespace Veil.Compute.Tests.Transfer;

public sealed class FeatureCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "veil-features-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void A_second_request_for_the_same_backbone_and_data_is_a_cache_hit()
    {
        var cache = new FeatureCache(_dir);
        int computed = 0;
        float[] Compute() { computed++; return Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray(); }
        var first = cache.GetOrCompute("backbone-a", "data-a", 3, 4, Compute, out var hit1);
        var second = new FeatureCache(_dir).GetOrCompute("backbone-a", "data-a", 3, 4, Compute, out var hit2);
        Assert.False(hit1);
        Assert.True(hit2);
        Assert.Equal(1, computed);
        Assert.Equal(first, second);
        cache.GetOrCompute("backbone-b", "data-a", 3, 4, Compute, out var otherBackbone);
        cache.GetOrCompute("backbone-a", "data-b", 3, 4, Compute, out var otherData);
        Assert.False(otherBackbone);
        Assert.False(otherData);
        Assert.Equal(3, computed);
    }

    [Fact]
    public void A_damaged_cache_file_is_recomputed_not_trusted()
    {
        var cache = new FeatureCache(_dir);
        cache.GetOrCompute("b", "d", 2, 2, () => [1f, 2f, 3f, 4f], out _);
        var path = cache.PathOf("b", "d");
        var bytes = File.ReadAllBytes(path);
        bytes[^40] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var values = cache.GetOrCompute("b", "d", 2, 2, () => [1f, 2f, 3f, 4f], out var hit);
        Assert.False(hit);
        Assert.Equal([1f, 2f, 3f, 4f], values);
    }
}
