using TorchSharp;
using Veil.Compute.Runtime;
using Xunit;

namespace Veil.Compute.Tests.Native;

public sealed class TorchSharpLoadTests
{
    [Fact]
    public void TorchSharp_loads_from_the_patched_output_and_multiplies_matrices()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        var b = torch.tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        float[] product = a.matmul(b).data<float>().ToArray();
        Assert.Equal(new float[] { 19, 22, 43, 50 }, product);
    }

    [Fact]
    public void Requesting_cuda_on_a_cpu_build_is_a_clear_error()
    {
        if (torch.cuda.is_available()) return; // only meaningful where CUDA is absent
        var e = Assert.Throws<InvalidOperationException>(() => TorchRuntime.Device("cuda:0"));
        Assert.Contains("CUDA is not available", e.Message);
    }

    [Fact]
    public void Unknown_device_names_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TorchRuntime.Device("tpu"));
        Assert.Equal(DeviceType.CPU, TorchRuntime.Device("cpu").type);
    }
}
