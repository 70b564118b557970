using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Scattering;

/// <summary>
/// The 2-D wavelet scattering transform of order 2 (Bruna and Mallat 2013; Oyallon and Mallat 2015), computed with
/// FFTs (the band-pass convolutions; the low-pass is evaluated only where it is sampled). An n × n image (n a multiple
/// of 2^J) is zero-padded by 2^(J−1) on each side to P = n + 2^J, and on that torus
///   S0 = x ⋆ φ,  S1(j1,θ1) = |x ⋆ ψ_{j1,θ1}| ⋆ φ,  S2(j1,θ1,j2,θ2) = ||x ⋆ ψ_{j1,θ1}| ⋆ ψ_{j2,θ2}| ⋆ φ  (j1 &lt; j2),
/// each sampled every 2^J pixels at the n/2^J positions centred on the image: 1 + JL + L²J(J−1)/2 channels of
/// (n/2^J)² values (81 × 7 × 7 for 28 × 28, J = 2, L = 8). Every convolution is at full resolution, so the result
/// is exactly the circular convolutions above (<see cref="SpatialScatteringReference"/> computes them directly).
/// A fixed function of one image: computing it spends no privacy.
/// </summary>
public sealed class ScatteringTransform : IDisposable
{
    private readonly Tensor _bandPass;   // [J·L, P, P] real, the Fourier transforms of ψ_{j,θ}
    private readonly Tensor _lowPass;    // [P², s²] real: φ ⋆ · at the sampled positions, as a matrix
    private readonly ScalarType _dtype;

    public ScatteringTransform(int imageSize, int scales = 2, int angles = 8, ScalarType dtype = ScalarType.Float32)
    {
        if (scales < 1) throw new ArgumentOutOfRangeException(nameof(scales), scales, "J must be ≥ 1");
        if (imageSize < 1 || imageSize % (1 << scales) != 0)
            throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, $"the image side must be a positive multiple of 2^J = {1 << scales}");
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "float32 or float64");
        TorchRuntime.EnsureLoaded();
        (ImageSize, Scales, Angles, _dtype) = (imageSize, scales, angles, dtype);
        Bank = new MorletFilterBank(PaddedSize, scales, angles);
        int p = PaddedSize;
        var band = new double[scales * angles * p * p];
        for (int f = 0; f < scales * angles; f++) Bank.Fourier(Bank.BandPass[f]).CopyTo(band, f * p * p);
        _bandPass = tensor(FlushTiny(band), [scales * angles, p, p], ScalarType.Float64).to_type(dtype);
        _lowPass = tensor(FlushTiny(LowPassMatrix(Bank, p, 1 << scales, OutputSize)), [p * p, OutputSize * OutputSize], ScalarType.Float64)
            .to_type(dtype);
    }

    public int ImageSize { get; }
    public int Scales { get; }
    public int Angles { get; }
    public MorletFilterBank Bank { get; }

    /// <summary>P = n + 2^J: the padded side; the convolutions are circular on it.</summary>
    public int PaddedSize => ImageSize + (1 << Scales);

    public int Padding => 1 << (Scales - 1);

    public int Channels => ChannelCount(Scales, Angles);

    public int OutputSize => ImageSize >> Scales;

    /// <summary>Values per image: Channels × OutputSize².</summary>
    public int Dimension => Channels * OutputSize * OutputSize;

    /// <summary>1 + JL + L²J(J−1)/2.</summary>
    public static int ChannelCount(int scales, int angles) => 1 + scales * angles + angles * angles * scales * (scales - 1) / 2;

    /// <summary>[B, n, n] → [B, Channels, n/2^J, n/2^J], channels ordered S0, S1 by (j1, θ1), S2 by (j1, θ1, j2, θ2).</summary>
    public Tensor Forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 3 || images.shape[1] != ImageSize || images.shape[2] != ImageSize)
            throw new ArgumentException($"expected images [B, {ImageSize}, {ImageSize}], got [{string.Join(", ", images.shape)}]", nameof(images));
        using var scope = NewDisposeScope();
        int pad = Padding, l = Angles;
        var x = nn.functional.pad(images.to_type(_dtype), [pad, pad, pad, pad]);
        var xHat = fft.fft2(x).unsqueeze(1);                                   // [B, 1, P, P]
        var parts = new List<Tensor> { LowPass(x.unsqueeze(1)) };
        var firstHat = new Tensor?[Scales];
        for (int j = 0; j < Scales; j++)
        {
            var psi = _bandPass.narrow(0, j * l, l);                              // [L, P, P]
            var u1 = Modulus(fft.ifft2(xHat * psi));                                 // [B, L, P, P]
            parts.Add(LowPass(u1));
            if (j + 1 < Scales) firstHat[j] = fft.fft2(u1);
        }
        for (int j1 = 0; j1 < Scales; j1++)
        {
            var u1Hat = firstHat[j1]?.unsqueeze(2);                               // [B, L, 1, P, P]
            for (int j2 = j1 + 1; j2 < Scales; j2++)
            {
                var psi = _bandPass.narrow(0, j2 * l, l);                         // [L, P, P]
                var u2 = Modulus(fft.ifft2(u1Hat! * psi));                           // [B, L, L, P, P]
                parts.Add(LowPass(u2.flatten(1, 2)));                             // [B, L·L, s, s]
            }
        }
        // The order of S2 groups must be (j1, θ1, j2, θ2): for J > 2 interleave per (j1, θ1).
        var result = Scales <= 2 ? cat(parts, 1) : cat(Reorder(parts), 1);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Scattering coefficients of count images (count × n × n floats, row-major), in batches: count × Dimension floats.</summary>
    public float[] Apply(float[] images, int count, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(images);
        long size = (long)ImageSize * ImageSize;
        if (images.LongLength != count * size) throw new ArgumentException($"{images.LongLength} values are not {count} images of {ImageSize} × {ImageSize}");
        var output = new float[(long)count * Dimension];
        for (int from = 0; from < count; from += batchSize)
        {
            int n = Math.Min(batchSize, count - from);
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = tensor(images.AsSpan((int)(from * size), (int)(n * size)).ToArray(), [n, ImageSize, ImageSize], ScalarType.Float32);
            Forward(x).to_type(ScalarType.Float32).contiguous().data<float>().CopyTo(output.AsSpan(from * Dimension, n * Dimension));
        }
        return output;
    }

    // |z| as √(re² + im²): the coefficients are far from overflow, and this is several times faster than the complex abs.
    private static Tensor Modulus(Tensor z) => (z.real.square() + z.imag.square()).sqrt_();

    // Circular convolution with φ, only at the sampled positions: a product with the [P², s²] matrix of φ's shifts,
    // cheaper than a transform of every channel when only (n/2^J)² of its P² values are kept. The signals are real.
    private Tensor LowPass(Tensor signal)
    {
        int p = PaddedSize, s = OutputSize;
        var lead = signal.shape[..^2];
        return signal.reshape([.. lead, p * p]).matmul(_lowPass).reshape([.. lead, s, s]);
    }

    // The Gaussian tails fall below 1e-38, where single precision turns subnormal and every product with them runs many
    // times slower; values under 1e-30 (of filters whose peak is near 1) are set to zero, which changes no coefficient by 1e-25.
    private static double[] FlushTiny(double[] values)
    {
        for (int i = 0; i < values.Length; i++) if (Math.Abs(values[i]) < 1e-30) values[i] = 0;
        return values;
    }

    /// <summary>M[(u, v), (a, b)] = φ((a+1)·2^J − u, (b+1)·2^J − v) on the torus, so (x M)[(a, b)] = (x ⋆ φ) at the sampled positions.</summary>
    private static double[] LowPassMatrix(MorletFilterBank bank, int p, int step, int s)
    {
        var matrix = new double[p * p * s * s];
        for (int u = 0; u < p; u++)
        for (int v = 0; v < p; v++)
        for (int a = 0; a < s; a++)
        for (int b = 0; b < s; b++)
        {
            int dx = ((a + 1) * step - u + p) % p, dy = ((b + 1) * step - v + p) % p;
            matrix[(u * p + v) * s * s + a * s + b] = bank.LowPass[dx * p + dy].Real;
        }
        return matrix;
    }

    private List<Tensor> Reorder(List<Tensor> parts)
    {
        // parts: S0, S1[j] for each j, then S2 blocks for each (j1, j2 > j1), each [B, L·L, s, s] ordered (θ1, θ2).
        int l = Angles;
        var ordered = parts.Take(1 + Scales).ToList();
        int block = 1 + Scales;
        var blocks = new Dictionary<(int, int), Tensor>();
        for (int j1 = 0; j1 < Scales; j1++)
        for (int j2 = j1 + 1; j2 < Scales; j2++)
            blocks[(j1, j2)] = parts[block++];
        for (int j1 = 0; j1 < Scales; j1++)
        for (int t1 = 0; t1 < l; t1++)
        for (int j2 = j1 + 1; j2 < Scales; j2++)
            ordered.Add(blocks[(j1, j2)].narrow(1, t1 * l, l));
        return ordered;
    }

    public void Dispose()
    {
        _bandPass.Dispose();
        _lowPass.Dispose();
    }
}
