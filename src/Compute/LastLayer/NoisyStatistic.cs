using Veil.Compute.Noise;
using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>
/// Adds a release's Gaussian noise to a float64 statistic (copied out of the tensor, noised in place in
/// double precision, copied back). Callers commit the release to the gate first.
/// </summary>
public static class NoisyStatistic
{
    public static Tensor Plain(Tensor statistic, double std, NoiseSeed seed, string release, long block = 0)
    {
        var values = statistic.contiguous().data<double>().ToArray();
        ReleaseNoise.AddGaussian(values, std, seed, release, block);
        return tensor(values, statistic.shape, ScalarType.Float64);
    }

    public static Tensor Symmetric(Tensor statistic, double std, NoiseSeed seed, string release, long block = 0)
    {
        var n = (int)statistic.shape[0];
        var values = statistic.contiguous().data<double>().ToArray();
        ReleaseNoise.AddSymmetricGaussian(values, n, std, seed, release, block);
        return tensor(values, statistic.shape, ScalarType.Float64);
    }
}
